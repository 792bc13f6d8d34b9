# man/local.mk - build rules for man (filled in by its component).
