# directory/local.mk - build rules for directory (filled in by its component).
