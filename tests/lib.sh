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
# make_certs DIR: a test CA (ca.pem, ca.key) and certificates it signed, made
# with GnuTLS's certtool: server.pem/.key for localhost and 127.0.0.1,
# wronghost.pem (other.example only), expired.pem (2020), client.pem/.key;
# and other-ca.pem, a CA that signed none of them. Keys are ECDSA P-256.
make_certs() {
	_d=$1
	mkdir -p "$_d"
	for k in ca other-ca server wronghost expired client; do
		certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
			--outfile "$_d/$k.key" >/dev/null 2>&1 || return 1
	done
	printf 'cn = "pocdir test CA"\nca\ncert_signing_key\nexpiration_days = 30\n' > "$_d/ca.tmpl"
	printf 'cn = "unrelated CA"\nca\ncert_signing_key\nexpiration_days = 30\n' > "$_d/other-ca.tmpl"
	printf 'cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 30\n' > "$_d/server.tmpl"
	printf 'cn = "other.example"\ndns_name = "other.example"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 30\n' > "$_d/wronghost.tmpl"
	printf 'cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nencryption_key\nactivation_date = "2020-01-01 00:00:00"\nexpiration_date = "2020-02-01 00:00:00"\n' > "$_d/expired.tmpl"
	printf 'cn = "pocdir test client"\ntls_www_client\nsigning_key\nexpiration_days = 30\n' > "$_d/client.tmpl"
	for k in ca other-ca; do
		certtool --generate-self-signed --load-privkey "$_d/$k.key" \
			--template "$_d/$k.tmpl" --outfile "$_d/$k.pem" >/dev/null 2>&1 || return 1
	done
	for k in server wronghost expired client; do
		certtool --generate-certificate --load-privkey "$_d/$k.key" \
			--load-ca-certificate "$_d/ca.pem" --load-ca-privkey "$_d/ca.key" \
			--template "$_d/$k.tmpl" --outfile "$_d/$k.pem" >/dev/null 2>&1 || return 1
	done
}
