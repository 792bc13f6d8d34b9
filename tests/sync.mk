# tests/sync.mk - tests for the sync component.
