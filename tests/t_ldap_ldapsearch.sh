# t_ldap_ldapsearch.sh - pocdird driven by OpenLDAP's own clients (ldapsearch,
# ldapwhoami, ldapcompare): the README's query, paging, limits, typesOnly,
# binds, and the shipped schema files matching what the daemon serves.
. "${top_srcdir:-.}/tests/lib.sh"

command -v ldapsearch >/dev/null 2>&1 || skip_all "ldapsearch not installed (ldap-utils)"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"

T=$(scratch)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT

# The shipped schema is what the daemon generates from the attribute table.
"$POCDIRD" --print-schema > "$T/pocdir.schema"
check "contrib/pocdir.schema matches pocdird --print-schema" \
	cmp -s "$T/pocdir.schema" "$top_srcdir/contrib/pocdir.schema"
"$POCDIRD" --print-schema=ldif > "$T/pocdir.ldif"
check "contrib/pocdir.ldif matches pocdird --print-schema=ldif" \
	cmp -s "$T/pocdir.ldif" "$top_srcdir/contrib/pocdir.ldif"

# The cn=config form loads into slapd's configuration database, and an
# export of the directory loads on top of it.
if [ -x /usr/sbin/slaptest ] && [ -x /usr/sbin/slapadd ] && [ -d /etc/ldap/schema ]; then
	mkdir -p "$T/cfg/slapd.d" "$T/cfg/db"
	cat > "$T/cfg/slapd.conf" <<EOC
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "dc=pocdir"
directory $T/cfg/db
EOC
	/usr/sbin/slaptest -Q -f "$T/cfg/slapd.conf" -F "$T/cfg/slapd.d" > "$T/out" 2>&1
	check "contrib/pocdir.ldif loads into cn=config (slapadd -n0)" \
		/usr/sbin/slapadd -n0 -F "$T/cfg/slapd.d" -l "$top_srcdir/contrib/pocdir.ldif"
	"$POCDIR" export --format ldif -d "$SAMPLE" | sed '/^version: /d' > "$T/cfg/data.ldif"
	check "... and the directory's LDIF export loads on top of it" \
		/usr/sbin/slapadd -F "$T/cfg/slapd.d" -b dc=pocdir -l "$T/cfg/data.ldif"
fi

# Configuration errors name file:line:column.
printf 'limits:\n  max-results: lots\n' > "$T/bad.conf"
"$POCDIRD" -c "$T/bad.conf" --check > "$T/out" 2>&1
check "a bad setting is refused" [ $? -ne 0 ]
check "... with file:line:column" grep -q 'bad.conf:2:16: max-results: expected a whole number' "$T/out"
check "--check loads configuration and directory" \
	sh -c "'$POCDIRD' --check --directory '$SAMPLE' > /dev/null"

HASH=$(printf 'secret-pw\n' | "$POCDIR" passwd)
PORT=$(free_port)
URL="ldap://127.0.0.1:$PORT"
cat > "$T/pocdird.conf" <<EOC
listen: 127.0.0.1:$PORT
directory: $SAMPLE
log-level: debug
binds:
  - dn: cn=operator,dc=pocdir
    password-hash: "$HASH"
EOC
"$POCDIRD" -f -c "$T/pocdird.conf" 2> "$T/log" &
PID=$!
i=0
while ! ldapsearch -x -H "$URL" -b "" -s base >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done

q() { ldapsearch -x -LLL -o ldif-wrap=no -H "$URL" "$@"; }
q -b dc=pocdir '(&(c=JP)(pocRole=technical))' > "$T/out"
check "README query: the JP technical contact" grep -qx 'dn: uid=jpcert,c=JP,dc=pocdir' "$T/out"
check "... with its attributes" grep -qx 'o: JPCERT/CC' "$T/out"
check "... and no hidden ones" sh -c "! grep -q '^mobile:\|^pocEmergency' '$T/out'"

n=$(q -b dc=pocdir -E pr=10/noprompt '(objectClass=inetOrgPerson)' 1.1 | grep -c '^dn:')
check "paged results through ldapsearch -E pr=10: all 93 contacts ($n)" [ "$n" -eq 93 ]
q -b dc=pocdir -z 3 '(objectClass=inetOrgPerson)' 1.1 > "$T/out" 2>&1
check "size limit 3: sizeLimitExceeded" grep -q 'Size limit exceeded' "$T/out"
check "... after three entries" [ "$(grep -c '^dn:' "$T/out")" -eq 3 ]
q -b uid=krcert,c=KR,dc=pocdir -s base -A cn mail > "$T/out"
check "typesOnly (-A): names without values" sh -c "grep -qx 'cn:' '$T/out' && grep -qx 'mail:' '$T/out'"
q -b "not a DN" -s base > "$T/out" 2>&1
check "a base that is not a DN: invalidDNSyntax (34)" grep -q 'Invalid DN syntax (34)' "$T/out"
q -b "" -s base + > "$T/out"
check "root DSE with +" grep -qx 'namingContexts: dc=pocdir' "$T/out"
q -b cn=Subschema -s base attributeTypes > "$T/out"
check "subschema lists pocRole" grep -q "NAME ( 'pocRole' 'role' )" "$T/out"

check "bind with the right password" sh -c "ldapwhoami -x -H '$URL' -D cn=operator,dc=pocdir -w secret-pw | grep -qx 'dn:cn=operator,dc=pocdir'"
check "wrong password: invalid credentials (49)" sh -c "ldapwhoami -x -H '$URL' -D cn=operator,dc=pocdir -w nope 2>&1 | grep -q 'Invalid credentials (49)'"
check "empty password: unwilling to perform (53)" sh -c "ldapwhoami -x -H '$URL' -D cn=operator,dc=pocdir -w '' 2>&1 | grep -q 'unwilling to perform (53)'"
q -D cn=operator,dc=pocdir -w secret-pw -b uid=nis-ncsc,c=KR,dc=pocdir -s base pocEmergencyPhone > "$T/out"
check "bound: 24x7 phone visible" grep -qx 'pocEmergencyPhone: +82 2 0000 0111' "$T/out"
check "ldapcompare: TRUE" sh -c "ldapcompare -x -H '$URL' uid=krcert,c=KR,dc=pocdir c:KR | grep -qx TRUE"
check "ldapcompare: FALSE" sh -c "ldapcompare -x -H '$URL' uid=krcert,c=KR,dc=pocdir c:JP | grep -qx FALSE"
# Search and Compare see the same attributes: the base's dc and the
# operational ones are in the library's attribute table.
q -b dc=pocdir -s base '(dc=pocdir)' 1.1 > "$T/out"
check "search: (dc=pocdir) matches the base" grep -qx 'dn: dc=pocdir' "$T/out"
check "ldapcompare dc=pocdir dc:pocdir: TRUE" sh -c "ldapcompare -x -H '$URL' dc=pocdir dc:pocdir | grep -qx TRUE"
check "ldapcompare entryDN: TRUE" sh -c "ldapcompare -x -H '$URL' uid=krcert,c=KR,dc=pocdir 'entryDN:UID=krcert, c=kr, dc=pocdir' | grep -qx TRUE"
check "ldapcompare hasSubordinates of a country: TRUE" sh -c "ldapcompare -x -H '$URL' c=KR,dc=pocdir hasSubordinates:TRUE | grep -qx TRUE"
check "ldapcompare structuralObjectClass: TRUE" sh -c "ldapcompare -x -H '$URL' uid=krcert,c=KR,dc=pocdir structuralObjectClass:inetOrgPerson | grep -qx TRUE"
q -b dc=pocdir -s children '(|(c=KR)(uid=krcert))' 1.1 > "$T/out"
check "-s children: the entries below the base, not the base" sh -c "grep -qx 'dn: c=KR,dc=pocdir' '$T/out' && grep -qx 'dn: uid=krcert,c=KR,dc=pocdir' '$T/out' && ! grep -qx 'dn: dc=pocdir' '$T/out'"
q -b c=KR,dc=pocdir -s children '(objectClass=*)' 1.1 > "$T/out"
check "-s children of a country: its contacts only" sh -c "grep -q '^dn: uid=' '$T/out' && ! grep -qx 'dn: c=KR,dc=pocdir' '$T/out'"
check "operations are logged at debug level" grep -q 'op 2: search base="dc=pocdir"' "$T/log"

# Quick throughput figure (the full benchmark is bench/): sequential
# searches over one connection from ldap3.
if /usr/bin/python3 -c 'import ldap3' 2>/dev/null; then
	/usr/bin/python3 - "$URL" > "$T/rate" <<'EOPY'
import sys, time, ldap3
c = ldap3.Connection(ldap3.Server(sys.argv[1], get_info=ldap3.NONE), auto_bind=True)
n, t0 = 0, time.time()
while time.time() - t0 < 1.0:
    c.search("dc=pocdir", "(uid=krcert)", attributes=["cn", "mail"])
    n += len(c.entries)
print("%d" % (n / (time.time() - t0)))
EOPY
	echo "# single ldap3 client, one connection: $(cat "$T/rate") indexed searches/s (client-bound)"
fi

kill -TERM $PID
wait $PID
check "SIGTERM: exit status 0" [ $? -eq 0 ]
check "... logged" grep -q 'shutting down' "$T/log"
tap_end
