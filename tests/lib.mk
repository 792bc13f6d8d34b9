# tests/lib.mk - tests for the lib component.
