# contrib/local.mk - build rules for contrib (filled in by its component).
