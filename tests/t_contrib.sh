#!/bin/sh
# t_contrib.sh - what operators install from contrib/, as their systems see
# it: the systemd unit passes systemd-analyze verify and can write the state
# a syncing daemon keeps; the cron job, run as its line is written, still
# publishes when a peer fails and keeps the sync's exit status.
. "$top_srcdir/tests/lib.sh"
work_area
UNIT="$top_srcdir/contrib/pocdird.service"
CRON="$top_srcdir/contrib/pocdir-sync.cron"

[ -x "$POCDIR" ] && [ -x "$POCDIRD" ] || skip_all "pocdir and pocdird not built"

# ---- the systemd unit -------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit as installed names /usr/sbin/pocdird; verify checks that the
	# command exists, so point it at the built one. No man pages installed.
	sed "s|^ExecStart=/usr/sbin/pocdird|ExecStart=$POCDIRD|" "$UNIT" >"$T/pocdird.service"
	if systemd-analyze verify --man=no "$T/pocdird.service" >"$T/verify" 2>&1 && ! [ -s "$T/verify" ]; then
		ok "systemd-analyze verify: no errors, no warnings"
	else
		not_ok "systemd-analyze verify complains"
		sed 's/^/# /' "$T/verify"
	fi
else
	ok "systemd-analyze verify # SKIP systemd-analyze not installed (systemd)"
fi
# The OpenLDAP apply service and the path unit that starts it.
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|^ExecStart=.*|ExecStart=$top_srcdir/contrib/pocdir-ldap-apply|" \
		"$top_srcdir/contrib/pocdir-ldap-apply.service" >"$T/pocdir-ldap-apply.service"
	cp "$top_srcdir/contrib/pocdir-ldap-apply.path" "$T/"
	if systemd-analyze verify --man=no "$T/pocdir-ldap-apply.service" \
		"$T/pocdir-ldap-apply.path" >"$T/verify" 2>&1 && ! [ -s "$T/verify" ]; then
		ok "systemd-analyze verify pocdir-ldap-apply.service and .path: no complaints"
	else
		not_ok "systemd-analyze verify complains about pocdir-ldap-apply units"
		sed 's/^/# /' "$T/verify"
	fi
else
	ok "systemd-analyze verify pocdir-ldap-apply # SKIP systemd-analyze not installed (systemd)"
fi
val() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
# ProtectSystem=strict makes everything read-only but the unit's own
# directories: the state a sync commits into must be one of them.
state_dir=$(val StateDirectory)
if [ "$(val ProtectSystem)" != strict ] || [ -n "$state_dir" ]; then
	ok "ProtectSystem=strict comes with a StateDirectory= ($state_dir)"
else
	not_ok "ProtectSystem=strict without StateDirectory=: sync cannot commit"
fi
case "$(val Environment)" in
*"POCDIR_STATE=/var/lib/$state_dir"*) ok "POCDIR_STATE points into the StateDirectory" ;;
*) not_ok "POCDIR_STATE does not point into /var/lib/$state_dir: $(val Environment)" ;;
esac
if [ "$(val DynamicUser)" = yes ] && grep -q '^ReadWritePaths=\|^StateDirectory=' "$UNIT"; then
	ok "DynamicUser=yes has a writable directory it owns"
else
	not_ok "DynamicUser=yes without a directory it may write"
fi

# ---- the cron job -----------------------------------------------------------
user=$(awk '!/^#/ && NF > 6 { print $6; exit }' "$CRON")
check "the cron job's user ($user) is made by the commands in its header" \
	grep -q "useradd .* $user\$" "$CRON"
# The command as written, with this test's paths and binaries.
awk '!/^#/ && NF > 6 { for (i = 7; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n"); exit }' "$CRON" |
	sed -e "s|/etc/pocdir/pocdird.conf|$T/pocdird.conf|g" -e "s|/var/lib/pocdir|$T/state|g" \
		-e "s|pocdir sync|$POCDIR sync|; s|pocdir publish|$POCDIR publish|" >"$T/job.sh"
port=$(free_port) # nothing listens there: the peer is down
mkdir -p "$T/dir/origins"
cat >"$T/dir/origins/kr.yaml" <<'YAML'
origin: kr
scope: [KR]
serial: 2026112201
entries:
  - id: krcert
    country: KR
    agency: KrCERT/CC
    roles: [technical]
    email: [cert@krcert.kr.example]
YAML
"$POCDIR" keygen --key "$T/kr.key" --pubkey "$T/kr.pub" >/dev/null 2>&1
"$POCDIR" keygen --key "$T/jp.key" --pubkey "$T/jp.pub" >/dev/null 2>&1
"$POCDIR" sign "$T/dir/origins/kr.yaml" --key "$T/kr.key" >/dev/null 2>&1
# The node's own set is in its state already (pocdird or an earlier run).
"$POCDIR" publish -d "$T/dir" --state "$T/state" --out "$T/first-feed" >/dev/null 2>&1
cat >"$T/pocdird.conf" <<YAML
directory: $T/dir
sync:
  state: $T/state
  peers: [http://127.0.0.1:$port/]
  timeout: 2
  trusted:
    - {origin: jp, key: $T/jp.pub, scope: [JP]}
YAML
sh "$T/job.sh" >"$T/job.out" 2>&1
rc=$?
check "the cron job exits 1 when a peer is down (cron mails it)" test "$rc" -eq 1
if [ -s "$T/state/feed/index.yaml" ] && grep -q "kr" "$T/state/feed/index.yaml"; then
	ok "the feed is published even though a peer failed"
else
	not_ok "no feed after a failed peer"
	sed 's/^/# /' "$T/job.out"
fi

# ---- pocdird as the README runs it before installing ------------------------
# No --directory: before `make install` the source tree's directory/, as
# the tool does; --listen takes a host name.
port=$(free_port)
(cd / && exec "$POCDIRD" -f --listen "localhost:$port") >"$T/pocdird.log" 2>&1 &
PIDS="$PIDS $!"
tries=0
until grep -q "serving" "$T/pocdird.log" || [ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
check "pocdird without --directory serves the source tree's directory/" \
	grep -q "serving $top_srcdir/directory\|serving .*/directory as" "$T/pocdird.log"
if command -v ldapsearch >/dev/null 2>&1; then
	ldapsearch -x -LLL -H "ldap://localhost:$port" -b dc=pocdir '(c=JP)' dn >"$T/ldap.out" 2>&1
	check "--listen localhost:PORT answers ldapsearch" grep -q "^dn: uid=.*,c=JP,dc=pocdir" "$T/ldap.out"
else
	ok "--listen localhost:PORT # SKIP ldapsearch not installed (ldap-utils)"
fi

# ---- a file edited without a new serial ------------------------------------
mkdir -p "$T/edit/origins"
cp "$top_srcdir/tests/cli/data/origins/kr.yaml" "$T/edit/origins/kr.yaml"
port=$(free_port)
"$POCDIRD" -f --listen "127.0.0.1:$port" --directory "$T/edit" >"$T/edit.log" 2>&1 &
epid=$!
PIDS="$PIDS $epid"
tries=0
until grep -q "serving" "$T/edit.log" || [ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
sed -i 's/cert@krcert.kr.example/incident@krcert.kr.example/' "$T/edit/origins/kr.yaml"
kill -HUP "$epid"
tries=0
until [ "$(grep -c "serving" "$T/edit.log")" -ge 2 ] || [ $tries -ge 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
check "pocdird warns on reload when a file changed without a new serial" \
	grep -q "kr.yaml: changed without a new serial (still 2026112201)" "$T/edit.log"
sed -i 's/^serial: 2026112201$/serial: 2026112202/' "$T/edit/origins/kr.yaml"
kill -HUP "$epid"
tries=0
until [ "$(grep -c "serving" "$T/edit.log")" -ge 3 ] || [ $tries -ge 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
check "... and not when the serial was raised" \
	test "$(grep -c "changed without a new serial" "$T/edit.log")" -eq 1

# ---- quickstart's port option (checked before anything is installed) --------
sh "$top_srcdir/quickstart" run --port abc >/dev/null 2>"$T/qs.err"
rc=$?
check "quickstart run --port abc is refused (exit 2)" test "$rc" -eq 2
check "... saying what a port is" grep -q -- "--port needs a port number" "$T/qs.err"

# ---- shell completion, as a shell runs it -----------------------------------
BIN=$(dirname "$POCDIR")
cat >"$T/comp.bash" <<EOF
export PATH="$BIN:\$PATH" POCDIR_DIRECTORY="$top_srcdir/tests/cli/data"
. "$top_srcdir/contrib/pocdir.bash"
t() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _pocdir; echo "\${COMPREPLY[*]}"; }
t pocdir lo
t pocdir lookup --format vc
t pocdir lookup --role te
t pocdir lookup --country ''
t pocdir search --a
EOF
bash "$T/comp.bash" >"$T/comp.out" 2>&1
line() { sed -n "$1p" "$2"; }
check "bash: commands complete (lo: lookup log)" test "$(line 1 "$T/comp.out")" = "lookup log"
check "bash: --format values" test "$(line 2 "$T/comp.out")" = "vcard vcard3"
check "bash: --role values from pocdir" test "$(line 3 "$T/comp.out")" = "technical"
check "bash: --country from the directory" test "$(line 4 "$T/comp.out")" = "FR KR NZ"
check "bash: a command's options" test "$(line 5 "$T/comp.out")" = "--all --at --attrs"
if command -v zsh >/dev/null 2>&1; then
	# compadd, _describe and _files are zsh's completion builtins: here
	# they print what they would offer.
	cat >"$T/comp.zsh" <<EOF
export PATH="$BIN:\$PATH" POCDIR_DIRECTORY="$top_srcdir/tests/cli/data"
compadd() { [[ \$1 == -- ]] && shift; print -r -- "\$*"; }
_describe() { print -r -- "\${(P)\${@[-1]}}"; }
_files() { print files; }
t() { words=("\$@"); CURRENT=\${#words}; PREFIX=\$words[-1]; source "$top_srcdir/contrib/_pocdir"; }
t pocdir lookup --format ''
t pocdir lookup --role ''
t pocdir lookup --country ''
t pocdir ''
EOF
	zsh -f "$T/comp.zsh" >"$T/zcomp.out" 2>&1
	check "zsh: --format values" test "$(line 1 "$T/zcomp.out")" = "table json ldif vcard vcard3 csv"
	check "zsh: --role values from pocdir" sh -c "sed -n 2p '$T/zcomp.out' | grep -q '^policy diplomatic technical incident-response'"
	check "zsh: --country from the directory" test "$(line 3 "$T/zcomp.out")" = "FR KR NZ"
	check "zsh: commands with their descriptions" sh -c "sed -n 4p '$T/zcomp.out' | grep -q '^lookup:find contacts'"
else
	ok "zsh completion # SKIP zsh not installed"
fi

# ---- the JSON Schema of the origin format, as an editor applies it ----------
if /usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	/usr/bin/python3 "$top_srcdir/tests/cli/check_schema.py" "$top_srcdir" >"$T/schema.out" 2>&1
	check "the JSON Schema accepts every shipped and test origin file" sh -c "sed -n 1p '$T/schema.out' | grep -q '^valid '"
	check "the JSON Schema refuses an unknown key and an unknown role" sh -c "sed -n 2p '$T/schema.out' | grep -q telephone && sed -n 2p '$T/schema.out' | grep -q tech"
else
	ok "JSON Schema # SKIP python3-jsonschema or python3-yaml not installed"
fi

# ---- make install carries them ----------------------------------------------
for f in pocdird.service pocdir-sync.cron nginx-feed.conf pocdir.schema pocdir.ldif pocdir.bash _pocdir pocdir-origin.schema.json; do
	check "contrib/$f is installed (dist_contrib_DATA)" grep -q "contrib/$f" "$top_srcdir/contrib/local.mk"
done

tap_end
