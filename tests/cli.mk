# tests/cli.mk - tests for the cli component.
