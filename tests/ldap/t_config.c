/* t_config.c - unit tests of pocdird's configuration reader (config.c):
 * defaults, a full file, errors named by file:line:column, addresses, DNs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/pocdird/pocdird.h"
#include "../tap.h"

static char dir[] = "/tmp/pocdird-t_config.XXXXXX";

/* Write text to a file in the scratch folder and load it over defaults. */
static int load(const char *text, struct config *c, pocdir_error *err)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pocdird.conf", dir);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		return -1;
	if (config_defaults(c, err) == -1)
		return -1;
	return config_load(c, path, err);
}

/* The message after "DIR/pocdird.conf:", for comparisons. */
static const char *where(const pocdir_error *err)
{
	const char *p = strstr(err->message, "pocdird.conf:");

	return p != NULL ? p + strlen("pocdird.conf:") : err->message;
}

static void expect_error(const char *text, const char *want, const char *what)
{
	struct config c;
	pocdir_error err = {0};
	int rc = load(text, &c, &err);

	tap_ok(rc == -1, "%s: refused", what);
	tap_is(rc == -1 ? where(&err) : "(accepted)", want, "%s: message", what);
	config_clear(&c);
}

int main(void)
{
	struct config c;
	pocdir_error err = {0};
	struct sockaddr_storage ss;
	socklen_t len;
	char *n;

	if (mkdtemp(dir) == NULL)
		return 1;

	tap_ok(config_defaults(&c, &err) == 0, "defaults");
	tap_is(c.listen[0], "127.0.0.1:3389", "default listen address is loopback");
	tap_is(c.base, "dc=pocdir", "default base");
	tap_ok(c.hidden[ATTR_EMERGENCYPHONE] && c.hidden[ATTR_EMERGENCYMAIL] &&
	           c.hidden[ATTR_MOBILE] && !c.hidden[ATTR_MAIL] && !c.hidden[ATTR_TELEPHONE],
	       "default hidden attributes: 24x7 phone and mail, mobile");
	tap_ok(c.limits.max_connections == 1024 && c.limits.max_pdu == 256 * 1024 &&
	           c.limits.max_results == 1000 && c.limits.filter.max_depth == 64,
	       "default limits");
	config_clear(&c);

	tap_ok(load("# a comment\n"
	            "listen: [127.0.0.1:1389, \"[::1]:1389\"]\n"
	            "base: o=Example\n"
	            "directory: /srv/pocdir\n"
	            "log-level: debug\n"
	            "hidden-attributes: [role, Mobile]\n"
	            "limits:\n"
	            "  max-connections: 10\n"
	            "  idle-timeout: 5\n"
	            "  filter-depth: 8\n"
	            "  filter-value-size: 100\n"
	            "  max-paged-searches-total: 5\n"
	            "binds:\n"
	            "  - dn: CN=Reader, dc=pocdir\n"
	            "    password-hash: \"$argon2id$v=19$m=65536,t=2,p=1$x$y\"\n",
	            &c, &err) == 0,
	       "a full file loads");
	tap_ok(c.nlisten == 2 && strcmp(c.listen[1], "[::1]:1389") == 0, "two listen addresses");
	tap_is(c.base, "o=Example", "base");
	tap_is(c.directory, "/srv/pocdir", "directory");
	tap_ok(c.log_level == LOG_LEVEL_DEBUG, "log level");
	tap_ok(c.hidden[ATTR_ROLE] && c.hidden[ATTR_MOBILE] && !c.hidden[ATTR_EMERGENCYPHONE],
	       "hidden attributes replace the default, by alias and in any case");
	tap_ok(c.limits.max_connections == 10 && c.limits.idle_timeout == 5 &&
	           c.limits.filter.max_depth == 8 && c.limits.filter.max_value == 100 &&
	           c.limits.max_pages_total == 5 && c.limits.max_results == 1000,
	       "limits set, others kept");
	tap_ok(c.nbinds == 1, "one bind");
	tap_is(c.nbinds ? c.binds[0].dn_norm : NULL, "cn=reader,dc=pocdir", "bind DN normalised");
	config_clear(&c);

	tap_ok(load("", &c, &err) == 0 && c.limits.batch == 64, "an empty file keeps the defaults");
	config_clear(&c);
	tap_ok(load("hidden-attributes: []\n", &c, &err) == 0 && !c.hidden[ATTR_MOBILE],
	       "hidden-attributes: [] shows everything");
	config_clear(&c);

	expect_error("nonsense: 1\n", "1:1: unknown setting \"nonsense\" (see pocdird.conf(5))",
	             "unknown setting");
	expect_error("limits:\n  max-results: 0\n",
	             "2:16: max-results: expected a whole number from 1 to 10000000",
	             "limit out of range");
	expect_error("limits:\n  max-pdu-size: 99999999999999999999\n",
	             "2:17: max-pdu-size: expected a whole number from 1024 to 67108864",
	             "limit that overflows");
	expect_error("limits:\n  max-results: -5\n",
	             "2:16: max-results: expected a whole number from 1 to 10000000",
	             "negative limit");
	expect_error("limits: {warp: 9}\n", "1:10: unknown limit \"warp\" (see pocdird.conf(5))",
	             "unknown limit");
	expect_error("hidden-attributes: [nosuch]\n",
	             "1:20: hidden-attributes: unknown attribute \"nosuch\"",
	             "unknown hidden attribute");
	expect_error("hidden-attributes: [objectClass]\n",
	             "1:20: hidden-attributes: objectClass cannot be hidden", "objectClass hidden");
	expect_error(
	    "listen: localhost\n",
	    "1:9: listen address \"localhost\" is not [ldap://|ldaps://]ADDRESS:PORT (e.g. "
	    "127.0.0.1:3389, ldaps://[::1]:3636)",
	    "listen without a port");
	expect_error("listen: ldaps://127.0.0.1:3636\n",
	             "1:1: ldaps://127.0.0.1:3636 needs tls: certificate and key",
	             "ldaps:// without a certificate");
	expect_error("tls: {certificate: /c.pem}\n", "1:6: tls: certificate and key go together",
	             "a certificate without its key");
	expect_error("tls: {key: /k.pem, certificate: /c.pem, min-version: \"1.0\"}\n",
	             "1:54: min-version: expected 1.2 or 1.3", "TLS below 1.2");
	expect_error("tls: {verify: yes}\n", "1:7: tls: unknown key \"verify\"", "unknown tls key");
	expect_error("simple-bind-requires-tls: maybe\n",
	             "1:27: simple-bind-requires-tls: expected auto, yes or no", "bind switch");
	tap_ok(load("listen: [ldap://127.0.0.1:1389, \"ldaps://[::1]:1636/\"]\n"
	            "simple-bind-requires-tls: no\n"
	            "tls:\n  certificate: /c.pem\n  key: /k.pem\n  client-ca: /ca.pem\n"
	            "  min-version: TLS1.3\n",
	            &c, &err) == 0 &&
	           c.tls.min_version == 13 && strcmp(c.tls.client_ca, "/ca.pem") == 0 &&
	           c.bind_tls == BIND_TLS_NEVER,
	       "tls settings and ldap:// / ldaps:// listen URLs load");
	config_clear(&c);
	tap_ok(config_defaults(&c, &err) == 0 && c.bind_tls == BIND_TLS_AUTO &&
	           c.tls.min_version == 12 && c.tls.certificate == NULL,
	       "TLS defaults: off, 1.2 minimum, binds need TLS off loopback");
	config_clear(&c);
	{
		bool tls = false;

		tap_ok(config_parse_listen("ldaps://127.0.0.1:636", &ss, &len, &tls, &err) == 0 &&
		           tls,
		       "ldaps:// is TLS");
		tap_ok(config_parse_listen("ldap://[::1]:389/", &ss, &len, &tls, &err) == 0 &&
		           !tls && ss.ss_family == AF_INET6 && config_address_loopback(&ss),
		       "ldap://[::1]:389/ is plain, loopback");
		tap_ok(config_parse_listen("10.1.2.3:389", &ss, &len, &tls, &err) == 0 && !tls &&
		           !config_address_loopback(&ss),
		       "a bare address is plain; 10.1.2.3 is not loopback");
		tap_ok(config_parse_listen("127.9.9.9:389", &ss, &len, &tls, &err) == 0 &&
		           config_address_loopback(&ss),
		       "127.0.0.0/8 is loopback");
		tap_ok(config_parse_listen("ldapi://x", &ss, &len, &tls, &err) == -1,
		       "another scheme is refused");
	}
	expect_error("binds:\n  - dn: cn=x\n    password-hash: secret\n",
	             "3:20: password-hash: expected an argon2id hash as printed by `pocdir passwd`",
	             "a clear-text password");
	expect_error("binds:\n  - dn: cn=x\n", "2:5: binds: each entry needs dn and password-hash",
	             "a bind without a hash");
	expect_error("log-level: loud\n", "1:12: log-level: expected err, warning, info or debug",
	             "log level");
	expect_error("base: [a, b]\n", "1:7: base: expected a single value", "a list for a scalar");
	expect_error(
	    "listen: \"unterminated\n",
	    "2:1: YAML syntax error: found unexpected end of stream while scanning a quoted scalar",
	    "invalid YAML");
	expect_error("- a\n- b\n", "1:1: expected a mapping of settings", "not a mapping");
	expect_error("base: &b dc=pocdir\nlisten: *b\n",
	             "2:9: aliases (*b) are not allowed: write the value out", "an alias");

	tap_ok(config_parse_address("127.0.0.1:389", &ss, &len, &err) == 0 &&
	           ss.ss_family == AF_INET,
	       "IPv4 address");
	tap_ok(config_parse_address("[::1]:389", &ss, &len, &err) == 0 && ss.ss_family == AF_INET6,
	       "IPv6 address");
	tap_ok(config_parse_address("127.0.0.1:65536", &ss, &len, &err) == -1, "port out of range");
	tap_ok(config_parse_address("[::1]389", &ss, &len, &err) == -1, "IPv6 without a colon");
	tap_ok(config_parse_address("999.0.0.1:1", &ss, &len, &err) == -1, "bad IPv4");

	n = dn_normalize("  CN=Op ,  DC = Pocdir ", strlen("  CN=Op ,  DC = Pocdir "));
	tap_is(n, "cn=op,dc=pocdir", "DN: case and spaces around separators");
	free(n);
	n = dn_normalize("cn=Two  Words,dc=x", strlen("cn=Two  Words,dc=x"));
	tap_is(n, "cn=two words,dc=x", "DN: inner spaces of a value are insignificant (RFC 4518)");
	free(n);
	n = dn_normalize("countryName=KR,2.5.4.3=X,domainComponent=Pocdir,UserID=a",
	                 strlen("countryName=KR,2.5.4.3=X,domainComponent=Pocdir,UserID=a"));
	tap_is(n, "c=kr,cn=x,dc=pocdir,uid=a", "DN: types by their canonical names");
	free(n);
	n = dn_normalize("cn=\\C3\\89LISE,0.9.2342.19200300.100.1.25=x",
	                 strlen("cn=\\C3\\89LISE,0.9.2342.19200300.100.1.25=x"));
	tap_is(n, "cn=\\c3\\a9lise,dc=x",
	       "DN: values prepared as attribute values (RFC 4517 4.2.15)");
	free(n);
	{
		char big[1100];

		memset(big, 'a', sizeof(big));
		tap_ok(dn_normalize(big, sizeof(big)) == NULL, "DN longer than 1024 bytes refused");
	}

	{
		char path[256];

		snprintf(path, sizeof(path), "%s/pocdird.conf", dir);
		unlink(path);
		rmdir(dir);
	}
	return tap_done();
}
