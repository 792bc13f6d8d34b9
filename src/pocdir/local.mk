# src/pocdir/local.mk - build rules for src/pocdir (filled in by its component).
