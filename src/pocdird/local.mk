# src/pocdird/local.mk - build rules for src/pocdird (filled in by its component).
