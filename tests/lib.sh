# tests/lib.sh - helpers shared by the shell tests: TAP output, paths, ports.
# Sourced, not run. Expects top_srcdir and top_builddir (set by make check).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
POCDIR="$top_builddir/src/pocdir/pocdir"
POCDIRD="$top_builddir/src/pocdird/pocdird"
SAMPLE="$top_srcdir/directory"
export POCDIR_DIRECTORY="$SAMPLE"
tap_n=0
tap_fail=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND... : one test point from a command's status.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
tap_end() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }
# A free TCP port on 127.0.0.1, chosen by the kernel.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A scratch folder removed at exit.
scratch() { t=$(mktemp -d "${TMPDIR:-/tmp}/pocdir-test.XXXXXX"); echo "$t"; }
# A scratch folder in $T for a test that starts servers: at exit the
# processes listed in $PIDS (tests append to it) are stopped and the folder
# removed; the state and passphrase of the caller's environment are not used.
work_area() {
	T=$(scratch)
	PIDS=
	trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
	unset POCDIR_STATE POCDIR_PASSPHRASE
	cd "$T" || exit 1
}
