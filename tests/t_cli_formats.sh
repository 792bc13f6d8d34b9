#!/bin/sh
# t_cli_formats.sh - pocdir's JSON, LDIF, vCard and CSV read back by real
# parsers, office hours at fixed clocks, colours and width on a terminal
# (tests/cli/check_formats.py does the work and speaks TAP).
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
POCDIR="$POCDIR" DATA="$top_srcdir/tests/cli/data" \
	exec /usr/bin/python3 "$top_srcdir/tests/cli/check_formats.py"
