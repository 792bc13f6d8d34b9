# tests/contrib.mk - the files operators install from contrib/, checked as
# their systems see them.
TESTS += tests/t_contrib.sh
EXTRA_DIST += tests/t_contrib.sh tests/cli/check_schema.py
