/* t_exchange.c - the pure parts of exchanges, without servers or a clock:
 * reading reply headers (hostile ones included) and finding their token,
 * rendering a message, typed indicators, the routing table's longest-prefix
 * match, and the ping report computed from records. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "tap.h"

static int parse(const char *hdr, struct mime_header *h, char *why, size_t size)
{
	return mime_header_parse(hdr, strlen(hdr), h, why, size);
}

static void test_headers(void)
{
	struct mime_header h;
	char why[300], tok[MAIL_TOKEN_LEN + 1], big[3000];

	tap_ok(parse("From: a@b.example\r\nSubject: Re: [pocdir pd0123456789abcdef0123]\r\n"
	             "In-Reply-To:\r\n <pdfedcba9876543210fedc@node.example>\r\n\r\nbody",
	             &h, why, sizeof(why)) == 0,
	       "a folded reply header parses");
	tap_ok(mime_header_token(&h, tok) == 1 && strcmp(tok, "pdfedcba9876543210fedc") == 0,
	       "In-Reply-To's token wins over the subject's");
	tap_ok(parse("From: a@b.example\nSubject: Re: [pocdir pd0123456789abcdef0123]\n\n", &h, why,
	             sizeof(why)) == 0 &&
	           mime_header_token(&h, tok) == 1 && strcmp(tok, "pd0123456789abcdef0123") == 0,
	       "the subject's token when threading is gone (LF lines too)");
	tap_ok(parse("From: a@b.example\nReferences: <x@y> <pd0123456789abcdef012g@z>\n\n", &h, why,
	             sizeof(why)) == 0 &&
	           mime_header_token(&h, tok) == 0,
	       "no token: a non-hex id is not one");
	tap_ok(parse("Subject: [pocdir pd0123456789abcdef01234]\n\n", &h, why, sizeof(why)) == 0 &&
	           mime_header_token(&h, tok) == 0,
	       "no token: one digit too many");
	memset(big, 'a', sizeof(big));
	memcpy(big, "Subject: ", 9);
	big[1200] = '\0';
	tap_ok(parse(big, &h, why, sizeof(why)) == -1 && strstr(why, "longer than 998") != NULL,
	       "a 1200-byte line is refused: %s", why);
	tap_ok(parse("not a field\n\n", &h, why, sizeof(why)) == -1 &&
	           strstr(why, "not a field") != NULL,
	       "a line without a colon is refused");
	tap_ok(parse(" folded first\n\n", &h, why, sizeof(why)) == -1,
	       "a continuation line first is refused");
	tap_ok(parse("Subject: caf\xc3\xa9\n\n", &h, why, sizeof(why)) == 0, "UTF-8 is accepted");
	tap_ok(parse("Subject: caf\xe9\n\n", &h, why, sizeof(why)) == -1 &&
	           strstr(why, "not UTF-8") != NULL,
	       "Latin-1 bytes are refused");
	tap_ok(parse("Date: A \xe0\x82\xac\n\n", &h, why, sizeof(why)) == -1 &&
	           strstr(why, "not UTF-8") != NULL,
	       "an overlong UTF-8 form is refused (RFC 3629 3)");
	tap_ok(parse("Subject: \xed\xa0\x80\n\n", &h, why, sizeof(why)) == -1 &&
	           parse("Subject: \xf5\x80\x80\x80\n\n", &h, why, sizeof(why)) == -1,
	       "a surrogate and a lead byte past U+10FFFF are refused");
	{
		char cut[200];

		snprintf(cut, sizeof(cut), "Auto-Submitted: %.62s\xc3\xa9x\n\n",
		         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		tap_ok(parse(cut, &h, why, sizeof(why)) == 0 && strlen(h.auto_submitted) == 62,
		       "a value cut to its field's room is cut before a character, not inside it");
	}
	tap_ok(mime_header_parse("Subject: a\0b\n\n", 14, &h, why, sizeof(why)) == -1 &&
	           strstr(why, "NUL") != NULL,
	       "a NUL byte is refused");
	tap_ok(parse("Subject: a\rb\n\n", &h, why, sizeof(why)) == -1, "a bare CR is refused");
	tap_ok(parse("Content-Type: multipart/mixed;\n charset=x\n\n", &h, why, sizeof(why)) ==
	               -1 &&
	           strstr(why, "no boundary") != NULL,
	       "multipart without boundary is refused");
	tap_ok(parse("Content-Type: multipart/mixed; boundary=\"x\"\n\n", &h, why, sizeof(why)) ==
	           0,
	       "multipart with a boundary is accepted");
	{
		size_t n = 600 * 8 + 2;
		char *many = malloc(n);

		for (int i = 0; i < 600; i++)
			memcpy(many + i * 8, "X-A: 1\r\n", 8);
		memcpy(many + 600 * 8, "\r\n", 2);
		tap_ok(mime_header_parse(many, n, &h, why, sizeof(why)) == -1 &&
		           strstr(why, "more than 500") != NULL,
		       "600 fields are refused");
		free(many);
	}
	tap_ok(parse("Auto-Submitted: auto-replied\nSubject: x\n\n", &h, why, sizeof(why)) == 0 &&
	           strcmp(h.auto_submitted, "auto-replied") == 0,
	       "Auto-Submitted is kept for the RFC 3834 check");
}

static void test_build(void)
{
	struct mime_part parts[] = {
	    {"text/plain; charset=utf-8", NULL,
	     ".dot first\nline with trailing space \ncaf\xc3\xa9\n", 43, false},
	    {"application/json", "x.json", "{\"a\": \"=\"}", 10, false},
	};
	struct mime_message m = {"node@pocdir.test",
	                         "N\xc3\xb6"
	                         "de",
	                         "poc@cert.example",
	                         "[pocdir pd0123456789abcdef0123] \xc3\xa9t\xc3\xa9",
	                         "pd0123456789abcdef0123@pocdir.test",
	                         "pd0123456789abcdef0123",
	                         1796457600,
	                         parts,
	                         2};
	pocdir_error err;
	char *out;
	size_t len;

	tap_ok(mime_build(&m, &out, &len, &err) == 0, "a message renders");
	tap_ok(strstr(out, "Date: Sat, 05 Dec 2026 08:00:00 +0000\r\n") != NULL, "RFC 5322 date");
	tap_ok(strstr(out, "From: =?utf-8?B?TsO2ZGU=?= <node@pocdir.test>\r\n") != NULL,
	       "a non-ASCII name is an RFC 2047 word");
	tap_ok(strstr(out, "Subject: =?utf-8?B?") != NULL, "a non-ASCII subject is encoded");
	tap_ok(strstr(out, "\r\n=2Edot first\r\n") != NULL, "a leading dot is encoded");
	tap_ok(strstr(out, "trailing space=20\r\n") != NULL,
	       "a space before a line end is encoded");
	tap_ok(strstr(out, "caf=C3=A9\r\n") != NULL, "8-bit bytes are quoted-printable");
	tap_ok(strstr(out, "{\"a\": \"=3D\"}") != NULL, "JSON goes quoted-printable too");
	tap_ok(strstr(out, "--=_pocdir_pd0123456789abcdef0123--\r\n") != NULL, "closing boundary");
	tap_ok(strstr(out, "\n") == strstr(out, "\r\n") + 1, "CRLF line ends");
	free(out);
	m.subject = "[pocdir pd0123456789abcdef0123] TLP:AMBER incident-notification (high): a "
	            "summary long enough to need folding";
	tap_ok(mime_build(&m, &out, &len, &err) == 0 &&
	           strstr(out, "incident-notification\r\n (high): a summary") != NULL,
	       "a long subject is folded before white space (RFC 5322 2.2.3)");
	{
		struct mime_header h;
		char why[200], tok[MAIL_TOKEN_LEN + 1];

		tap_ok(mime_header_parse(out, len, &h, why, sizeof(why)) == 0 &&
		           strstr(h.subject, "notification (high)") != NULL &&
		           mime_header_token(&h, tok) == 1,
		       "and read back unfolded, token and all");
	}
	free(out);
	{
		/* RFC 5322 2.1.1: no line over 998, even for a word or a
		 * display name longer than that. */
		char big[1200], why[200];
		struct mime_header h;

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		m.subject = big;
		m.from_name = big;
		tap_ok(mime_build(&m, &out, &len, &err) == 0 &&
		           mime_header_parse(out, len, &h, why, sizeof(why)) == 0,
		       "a 1199-byte word as subject and display name: lines within 998");
		free(out);
	}
}

static void test_iocs(void)
{
	static const struct {
		const char *in, *value;
		pocdir_ioc_type type;
	} good[] = {
	    {"ip:198.51.100.7", "198.51.100.7", POCDIR_IOC_IPV4},
	    {"IP:198.51.100.0/24", "198.51.100.0/24", POCDIR_IOC_IPV4_PREFIX},
	    {"ip:2001:DB8::1", "2001:db8::1", POCDIR_IOC_IPV6},
	    {"ip:2001:db8::/32", "2001:db8::/32", POCDIR_IOC_IPV6_PREFIX},
	    {"domain:Evil.Example.", "evil.example", POCDIR_IOC_DOMAIN},
	    {"domain:xn--bcher-kva.example", "xn--bcher-kva.example", POCDIR_IOC_DOMAIN},
	    {"url:HTTPS://evil.example/a?b=1", "https://evil.example/a?b=1", POCDIR_IOC_URL},
	    {"email:Phish@Evil.Example", "Phish@evil.example", POCDIR_IOC_EMAIL},
	    {"md5:D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e",
	     POCDIR_IOC_HASH},
	    {"malware:Emotet", "Emotet", POCDIR_IOC_MALWARE},
	};
	static const char *const bad[] = {
	    "ip:300.1.2.3",
	    "ip:198.51.100.7/33",
	    "ip:198.51.100.1/24",
	    "ip:2001:db8::1/200",
	    "domain:localhost",
	    "domain:a..example",
	    "domain:b\xc3\xbc.de",
	    "domain:1.2.3.4",
	    "url:not a url",
	    "url:https://",
	    "email:no-at.example",
	    "email:.a@b.example",
	    "sha256:abc",
	    "sha1:zz",
	    "colour:red",
	    "198.51.100.7",
	    "ip:",
	    "malware:a\tb",
	};
	pocdir_ioc ioc = {.size = sizeof(ioc)};
	pocdir_error err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = pocdir_ioc_parse(good[i].in, &ioc, &err);

		tap_ok(rc == 0 && ioc.type == good[i].type && strcmp(ioc.value, good[i].value) == 0,
		       "%s -> %s (%s)", good[i].in, rc == 0 ? ioc.value : err.message,
		       good[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = pocdir_ioc_parse(bad[i], &ioc, &err);

		tap_ok(rc == -1 && err.code == POCDIR_ERR_USAGE, "refused: %s (%s)", bad[i],
		       err.message);
	}
}

static void test_routes(const char *dir)
{
	char path[600], cc[3] = "";
	pocdir_routes *r;
	pocdir_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/routes.txt", dir);
	f = fopen(path, "w");
	fputs("2|test|1|4|19830613|20261130|+0000\n"
	      "test|*|ipv4|*|3|summary\n"
	      "test|KR|ipv4|10.0.0.0|256|20100101|allocated|A\n"
	      "test|JP|ipv4|10.0.0.64|64|20100101|assigned|B\n"
	      "test|FR|ipv4|10.1.0.0|768|20100101|allocated|C\n"
	      "test||ipv4|10.2.0.0|256||available|\n"
	      "test|DE|ipv6|2001:db8::|32|20100101|allocated|D\n",
	      f);
	fclose(f);
	r = pocdir_routes_load(path, &err);
	tap_ok(r != NULL, "a table loads");
	if (r == NULL)
		return;
	/* 768 addresses from 10.1.0.0 are a /23 and a /24. */
	tap_ok(pocdir_routes_count(r, 4) == 4, "IPv4 ranges split into prefixes (%zu)",
	       pocdir_routes_count(r, 4));
	tap_ok(pocdir_route(r, "10.0.0.1", cc) == 1 && strcmp(cc, "KR") == 0, "10.0.0.1 in KR");
	tap_ok(pocdir_route(r, "10.0.0.65", cc) == 1 && strcmp(cc, "JP") == 0,
	       "10.0.0.65: the longer JP prefix wins");
	tap_ok(pocdir_route(r, "10.0.0.128", cc) == 1 && strcmp(cc, "KR") == 0,
	       "10.0.0.128: back in KR");
	tap_ok(pocdir_route(r, "10.1.2.255", cc) == 1 && strcmp(cc, "FR") == 0,
	       "10.1.2.255: the range's last /24");
	tap_ok(pocdir_route(r, "10.1.3.0", cc) == 0, "10.1.3.0: past the range");
	tap_ok(pocdir_route(r, "10.2.0.1", cc) == 0, "an available block routes nowhere");
	tap_ok(pocdir_route(r, "10.0.0.64/26", cc) == 1 && strcmp(cc, "JP") == 0,
	       "a prefix routes by its own length");
	tap_ok(pocdir_route(r, "2001:db8:ffff::1", cc) == 1 && strcmp(cc, "DE") == 0, "IPv6");
	tap_ok(pocdir_route(r, "nonsense", cc) == -1, "a bad address is -1");
	pocdir_routes_free(&r);
	tap_ok(r == NULL, "free sets NULL");
	f = fopen(path, "w");
	fputs("test|KR|ipv4|10.0.0.0|256|20100101|allocated|A\ntest|Korea|ipv4|10.0.1.0|256|x|"
	      "allocated|A\n",
	      f);
	fclose(f);
	r = pocdir_routes_load(path, &err);
	tap_ok(r == NULL &&
	           strstr(err.message, "routes.txt:2: \"Korea\" is not an ISO 3166") != NULL,
	       "a bad record names file:line: %s", err.message);
}

static void test_report(void)
{
	pocdir_exchange x[4];
	pocdir_ping_status *rows;
	pocdir_error err;
	int n;

	memset(x, 0, sizeof(x));
	for (int i = 0; i < 4; i++) {
		x[i].kind = POCDIR_EXCHANGE_PING;
		x[i].sent = 1000 + i * 100;
		x[i].due = x[i].sent + 7 * 86400;
	}
	strcpy(x[0].entry, "KR/krcert");
	x[0].answered = 1500;
	x[0].answer_date = 1050;
	strcpy(x[1].entry, "JP/jpcert");
	strcpy(x[2].entry, "KR/krcert"); /* a later check, not answered yet */
	strcpy(x[3].entry, "FR/anssi");
	x[3].kind = POCDIR_EXCHANGE_NOTIFICATION;
	n = ping_status_compute(x, 4, 1000 + 8 * 86400, &rows, &err);
	tap_ok(n == 2, "one row per PoC, notifications left out");
	tap_ok(n == 2 && strcmp(rows[0].entry, "JP/jpcert") == 0 && rows[0].overdue == 1 &&
	           rows[0].last_success == 0,
	       "JP: never answered, overdue");
	tap_ok(n == 2 && strcmp(rows[1].entry, "KR/krcert") == 0 && rows[1].checks == 2 &&
	           rows[1].answers == 1 && rows[1].last_success == 1050 && rows[1].rtt == -1 &&
	           rows[1].overdue == 1,
	       "KR: the latest check overdue, the earlier success kept");
	pocdir_ping_status_free(&rows);
	tap_ok(rows == NULL, "pocdir_ping_status_free sets the pointer to NULL");
	pocdir_ping_status_free(&rows); /* and accepts it again */
	x[2].answered = 2000;
	x[2].answer_date = 1300;
	n = ping_status_compute(x, 4, 1000 + 8 * 86400, &rows, &err);
	tap_ok(n == 2 && rows[1].rtt == 100 && rows[1].overdue == 0 && rows[1].last_success == 1300,
	       "KR: answered in 100 s");
	pocdir_ping_status_free(&rows);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], cmd[600];

	snprintf(dir, sizeof(dir), "%s/pocdir-exchange.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_headers();
	test_build();
	test_iocs();
	test_routes(dir);
	test_report();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
