/* t_load.c - unit tests of the YAML loader: valid sets, every key rule with
 * its file:line:col message, and hostile input (alias bombs, deep nesting,
 * huge scalars, invalid UTF-8, duplicate keys) that must fail cleanly. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dn.h"
#include "load.h"
#include "store.h"
#include "tap.h"
#include "util.h"

#define HEAD                                                                                       \
	"origin: kr\nname: Republic of Korea\nscope: [KR]\nserial: 2026112201\n"                   \
	"updated: 2026-11-22T09:00:00Z\nentries:\n"

/* An entry that is valid; cases below change one line of it. */
#define GOOD_ENTRY                                                                                 \
	"  - id: krcert\n"                                                                         \
	"    country: KR\n"                                                                        \
	"    agency: KrCERT/CC\n"                                                                  \
	"    agency-type: national-cert\n"                                                         \
	"    roles: [technical, incident-response, 24x7]\n"                                        \
	"    email: [cert@krcert.kr.example]\n"                                                    \
	"    phone-24x7: \"+82 2 0000 0118\"\n"                                                    \
	"    timezone: Asia/Seoul\n"                                                               \
	"    hours: \"Mo-Fr 09:00-18:00\"\n"                                                       \
	"    languages: [ko, en]\n"                                                                \
	"    pgp: { fingerprint: \"0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567\", "         \
	"expires: 2027-06-30 }\n"                                                                  \
	"    verified: 2026-11-01\n"                                                               \
	"    x-note: kept\n"

struct collected {
	unsigned n;
	char first[1024];
	unsigned long line, col;
};

static void collect(const pocdir_diag *d, void *ctx)
{
	struct collected *c = ctx;

	if (c->n++ == 0) {
		snprintf(c->first, sizeof(c->first), "%s", d->message);
		c->line = d->line;
		c->col = d->column;
	}
}

/* Load text; returns the number of problems and fills c. */
static int load_text(const char *text, size_t len, struct collected *c, struct origin_set *set)
{
	pocdir_error err = {0};
	unsigned n = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = load_origin_buffer(text, len, "kr.yaml", "dc=pocdir", set, collect, c, &n, &err);
	if (rc == 0 && n != 0)
		return -1; /* contract broken: success with problems */
	if (rc == -1 && n == 0)
		return -2; /* contract broken: failure without a problem */
	if (rc == -1 && strncmp(err.message, "kr.yaml", 7) != 0)
		return -3; /* err must name the file */
	return (int)n;
}

/* One bad case: the text must fail with a message containing want, at
 * line/col (0 = don't check). */
static void bad(const char *name, const char *text, const char *want, unsigned long line,
                unsigned long col)
{
	struct collected c;
	struct origin_set set;
	int n = load_text(text, strlen(text), &c, &set);

	if (!tap_ok(n > 0 && strstr(c.first, want) != NULL &&
	                (line == 0 || (c.line == line && c.col == col)),
	            "rejects %s", name))
		tap_diag("problems %d, first at %lu:%lu: %s (want \"%s\" at %lu:%lu)", n, c.line,
		         c.col, c.first, want, line, col);
	origin_set_clear(&set);
}

static void good(const char *name, const char *text)
{
	struct collected c;
	struct origin_set set;
	int n = load_text(text, strlen(text), &c, &set);

	if (!tap_ok(n == 0 && set.nentries >= 1, "accepts %s", name))
		tap_diag("problems %d: %s", n, c.first);
	origin_set_clear(&set);
}

/* Replace the line of GOOD_ENTRY starting with key by repl (NULL removes). */
static char *with_line(const char *key, const char *repl)
{
	static char buf[4096];
	const char *src = HEAD GOOD_ENTRY;
	size_t o = 0;

	while (*src != '\0') {
		const char *eol = strchr(src, '\n');
		size_t len = (size_t)(eol - src) + 1;

		if (strncmp(src, key, strlen(key)) == 0) {
			if (repl != NULL)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s\n", repl);
		} else {
			memcpy(buf + o, src, len);
			o += len;
		}
		src += len;
	}
	buf[o] = '\0';
	return buf;
}

static void test_valid(void)
{
	struct collected c;
	struct origin_set set;
	const entry_t *e;
	const struct entry_attr *a;
	int n = load_text(HEAD GOOD_ENTRY, strlen(HEAD GOOD_ENTRY), &c, &set);

	tap_ok(n == 0 && set.nentries == 1, "a valid set loads");
	if (set.nentries != 1) {
		tap_diag("%s", c.first);
		return;
	}
	e = set.entries[0];
	tap_is(e->dn, "uid=krcert,c=KR,dc=pocdir", "DN built from id and country");
	tap_is(e->origin, "kr", "origin recorded");
	tap_ok(e->serial == 2026112201ULL, "serial recorded");
	a = entry_attr(e, ATTR_ROLE);
	tap_ok(a != NULL && a->count == 3 && strcmp(a->raw[2], "24x7") == 0, "roles as pocRole");
	a = entry_attr(e, ATTR_CN);
	tap_ok(a != NULL && strcmp(a->raw[0], "KrCERT/CC") == 0, "cn defaults to the agency");
	a = entry_attr(e, ATTR_PREFLANG);
	tap_ok(a != NULL && a->count == 1 && strcmp(a->raw[0], "ko") == 0,
	       "preferredLanguage is the first language");
	a = entry_attr(e, ATTR_EMERGENCYPHONE);
	tap_ok(a != NULL && strcmp(entry_norm(a, 0), "+82200000118") == 0,
	       "telephone values normalised without spaces");
	a = entry_attr(e, ATTR_OBJECTCLASS);
	tap_ok(a != NULL && a->count == 5, "five object classes");
	a = entry_attr(e, ATTR_PGPEXPIRES);
	tap_ok(a != NULL && strcmp(a->raw[0], "2027-06-30") == 0, "pgp expiry");
	tap_ok(e->next == 1 && strcmp(e->ext[0].key, "x-note") == 0 &&
	           strcmp(e->ext[0].value, "kept") == 0,
	       "x- keys are kept");
	origin_set_clear(&set);
}

static void test_postal(void)
{
	struct collected c;
	struct origin_set set;
	const char *text = HEAD GOOD_ENTRY "    address: |\n      60 Sajik-ro\n      Seoul $1\n";
	int n = load_text(text, strlen(text), &c, &set);
	const struct entry_attr *a = n == 0 ? entry_attr(set.entries[0], ATTR_POSTAL) : NULL;

	tap_ok(a != NULL && strcmp(a->raw[0], "60 Sajik-ro$Seoul \\241") == 0,
	       "address lines joined with $, $ escaped (RFC 4517 3.3.28)");
	origin_set_clear(&set);
}

static void test_rules(void)
{
	good("a scalar where a list is allowed", with_line("    email:", "    email: a@b.example"));
	bad("an unknown key with a hint", with_line("    verified:", "    verifed: 2026-11-01"),
	    "did you mean \"verified\"", 18, 5);
	bad("a lower-case country", with_line("    country:", "    country: kr"), "ISO 3166-1", 8,
	    14);
	bad("an unknown country", with_line("    country:", "    country: XX"), "XX", 8, 14);
	bad("a country outside the scope", with_line("    country:", "    country: JP"),
	    "outside the scope", 8, 14);
	bad("a phone that is not E.164", with_line("    phone-24x7:", "    phone-24x7: \"+82 2\""),
	    "E.164", 13, 17);
	bad("a bad e-mail", with_line("    email:", "    email: [cert@]"), "email", 12, 13);
	bad("an unknown time zone", with_line("    timezone:", "    timezone: Asia/Seol"),
	    "Asia/Seol", 14, 15);
	bad("a zone path trick", with_line("    timezone:", "    timezone: ../../etc/passwd"),
	    "timezone", 14, 15);
	bad("a bad language tag", with_line("    languages:", "    languages: [k0rean-]"),
	    "languages", 16, 17);
	bad("a short PGP fingerprint",
	    with_line("    pgp:", "    pgp: { fingerprint: \"0123\", expires: 2027-06-30 }"),
	    "pgp.fingerprint", 17, 25);
	bad("a PGP expiry that is no date",
	    with_line("    pgp:",
	              "    pgp: { fingerprint: \"0123456789ABCDEF0123456789ABCDEF01234567\", "
	              "expires: 2027-02-30 }"),
	    "pgp.expires", 17, 0 + 78);
	bad("an impossible date", with_line("    verified:", "    verified: 2026-02-29"),
	    "verified", 18, 15);
	bad("an unknown role", with_line("    roles:", "    roles: [technical, wizard]"), "wizard",
	    11, 24);
	bad("an unknown agency type", with_line("    agency-type:", "    agency-type: club"),
	    "agency-type", 10, 18);
	bad("bad hours", with_line("    hours:", "    hours: \"whenever\""), "hours", 15, 12);
	bad("an id with spaces", with_line("  - id:", "  - id: kr cert"), "id", 7, 9);
	bad("no roles", with_line("    roles:", NULL), "no \"roles\"", 7, 5);
	bad("no agency", with_line("    agency:", NULL), "no \"agency\"", 7, 5);
	bad("an entry with no e-mail nor phone",
	    HEAD "  - {id: a, country: KR, agency: A, roles: [technical]}\n", "no way to reach", 7,
	    5);
	bad("a repeated value", with_line("    roles:", "    roles: [technical, technical]"),
	    "given twice", 11, 24);
	bad("a list where one value is expected", with_line("    agency:", "    agency: [a, b]"),
	    "expected a single value", 9, 13);
}

static void test_origin_rules(void)
{
	bad("a serial of zero", "origin: kr\nscope: [KR]\nserial: 0\nentries:\n" GOOD_ENTRY,
	    "serial", 3, 9);
	bad("a word as serial", "origin: kr\nscope: [KR]\nserial: latest\nentries:\n" GOOD_ENTRY,
	    "serial", 3, 9);
	bad("no scope", "origin: kr\nserial: 1\nentries:\n" GOOD_ENTRY, "no \"scope\"", 1, 1);
	bad("an unknown top-level key", "origin: kr\nscope: [KR]\nserial: 1\nentires: []\n",
	    "did you mean \"entries\"", 4, 1);
	bad("entries that are not a list", "origin: kr\nscope: [KR]\nserial: 1\nentries: 5\n",
	    "expected a list", 4, 10);
	bad("a duplicate id",
	    "origin: kr\nscope: [KR]\nserial: 1\nentries:\n" GOOD_ENTRY GOOD_ENTRY, "used twice", 0,
	    0);
	bad("the root is a list", "- a\n- b\n", "expected a mapping", 1, 1);
	bad("an empty file", "", "empty", 1, 1);
}

static void test_all_errors(void)
{
	const char *text =
	    "origin: kr\nscope: [KR]\nserial: 1\nentries:\n"
	    "  - {id: a, country: KR, agency: A, roles: [nope], email: [x@]}\n"
	    "  - {id: b, country: JP, agency: B, roles: [technical], phone: [\"1\"]}\n";
	struct collected c;
	struct origin_set set;
	int n = load_text(text, strlen(text), &c, &set);

	/* roles, email, the country outside the scope, the phone: each once,
	 * without a follow-on "no roles" or "no way to reach it". */
	tap_ok(n >= 4, "every error of a file is reported, not just the first (%d)", n);
	origin_set_clear(&set);
}

static void test_hostile(void)
{
	struct collected c;
	struct origin_set set;
	size_t big = 3u * 1024 * 1024;
	char *buf = malloc(big + 256);
	int n;

	bad("an alias (billion laughs)",
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
	    "anchors", 1, 4);
	bad("an alias without an anchor", "origin: *x\n", "aliases (*x) are not allowed", 1, 9);
	bad("duplicate keys", "origin: kr\norigin: jp\nscope: [KR]\n", "duplicate key", 2, 1);
	bad("a second document", "origin: kr\n---\norigin: jp\n", "second YAML document", 2, 1);
	bad("a YAML tag", "origin: !!python/object:os.system kr\n", "tag", 1, 9);
	bad("invalid UTF-8", "origin: kr\nname: \"\xff\xfe\"\n", "UTF-8", 2, 8);
	bad("a syntax error", "origin: kr\nscope: [KR\n", "YAML syntax error", 0, 0);
	bad("a control character", "origin: \"k\\x1b[31mr\"\n", "control character", 1, 9);
	bad("a C1 control", "origin: \"k\\u0085r\"\n", "control character", 1, 9);
	bad("a bidi override",
	    "name: \"abc\xe2\x80\xae"
	    "def\"\n",
	    "bidirectional", 1, 7);
	bad("a carriage return", "name: \"a\\rb\"\n", "control character", 1, 7);

	/* 10,000 levels of nesting: refused at the depth limit, no recursion. */
	for (size_t i = 0; i < 10000; i++)
		buf[i] = '[';
	buf[10000] = '\0';
	n = load_text(buf, 10000, &c, &set);
	tap_ok(n > 0 && strstr(c.first, "nested deeper") != NULL, "deep nesting is refused: %s",
	       c.first);
	origin_set_clear(&set);

	/* A 3 MiB scalar: refused by the scalar limit, memory bounded. */
	memcpy(buf, "origin: ", 8);
	memset(buf + 8, 'a', big);
	buf[8 + big] = '\n';
	n = load_text(buf, big + 9, &c, &set);
	tap_ok(n > 0 && strstr(c.first, "longer than the limit") != NULL,
	       "a huge scalar is refused: %s", c.first);
	origin_set_clear(&set);

	/* Many errors stop at the limit. */
	{
		size_t o = (size_t)sprintf(buf, "origin: kr\nscope: [KR]\nserial: 1\nentries:\n");

		for (int i = 0; i < 500; i++)
			o += (size_t)sprintf(buf + o,
			                     "  - {id: e%d, country: KR, agency: A, "
			                     "roles: [bad], email: [x@y.example]}\n",
			                     i);
		n = load_text(buf, o, &c, &set);
		tap_ok(n > 0, "500 bad entries are refused (%d problems reported)", n);
		origin_set_clear(&set);
	}
	/* 40,000 keys in one entry (a signed set from any trusted origin): refused
	 * at the key limit instead of a duplicate check that ran for seconds. */
	{
		size_t cap = 40000 * 24 + 256, o;
		char *many = malloc(cap);

		o = (size_t)snprintf(many, cap, "%s  - id: krcert\n", HEAD);
		for (int i = 0; i < 40000; i++)
			o += (size_t)snprintf(many + o, cap - o, "    x-k%d: v\n", i);
		n = load_text(many, o, &c, &set);
		tap_ok(n > 0 && strstr(c.first, "more than 256 keys") != NULL,
		       "a mapping with 40,000 keys is refused: %s", c.first);
		origin_set_clear(&set);
		free(many);
	}
	bad("a second duplicate", "origin: kr\nscope: [KR]\norigin: jp\nscope: [JP]\n",
	    "duplicate key \"origin\" (first at line 1)", 3, 1);
	free(buf);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_directory(void)
{
	char dir[] = "/tmp/pocdir-t-load.XXXXXX";
	char path[512], origins[256];
	pocdir_error err = {0};
	struct store *s;

	if (mkdtemp(dir) == NULL) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(origins, sizeof(origins), "%s/origins", dir);
	mkdir(origins, 0755);
	snprintf(path, sizeof(path), "%s/kr.yaml", origins);
	write_file(path, HEAD GOOD_ENTRY);
	snprintf(path, sizeof(path), "%s/jp.yaml", origins);
	write_file(path, "origin: jp\nscope: [JP]\nserial: 7\nentries:\n"
	                 "  - {id: jpcert, country: JP, agency: JPCERT/CC, roles: [technical], "
	                 "email: [a@jpcert.jp.example]}\n");
	s = store_load(dir, NULL, NULL, NULL, &err);
	tap_ok(s != NULL && s->nentries == 2 && s->norigins == 2 && s->ncountries == 2,
	       "a folder of origins loads");
	tap_ok(s != NULL && strlen(s->version) == 64, "the directory has a version digest");
	tap_ok(s != NULL && store_find_dn(s, "UID=KrCert, c=kr, DC=pocdir") != NULL,
	       "DN look-up ignores case and spacing");
	tap_ok(s != NULL && store_find_dn(s, "c=JP,dc=pocdir") != NULL &&
	           store_find_dn(s, "c=JP,dc=pocdir")->kind == ENTRY_COUNTRY,
	       "country entries exist");
	store_unref(&s);

	/* A second origin claiming the same id in the same country. */
	snprintf(path, sizeof(path), "%s/kr2.yaml", origins);
	write_file(path, "origin: kr2\nscope: [KR]\nserial: 1\nentries:\n"
	                 "  - {id: krcert, country: KR, agency: X, roles: [technical], "
	                 "email: [a@x.kr.example]}\n");
	s = store_load(dir, NULL, NULL, NULL, &err);
	tap_ok(s == NULL && strstr(err.message, "also used by origin") != NULL,
	       "an id claimed twice across origins is refused: %s", err.message);
	unlink(path);

	/* A broken file: nothing is half-loaded. */
	snprintf(path, sizeof(path), "%s/jp.yaml", origins);
	write_file(path, "origin: jp\nscope: [JP]\nserial: 7\nentries: [\n");
	s = store_load(dir, NULL, NULL, NULL, &err);
	tap_ok(s == NULL && strstr(err.message, "jp.yaml:") != NULL,
	       "one bad file fails the whole load: %s", err.message);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kr.yaml", origins);
	unlink(path);
	rmdir(origins);
	s = store_load(dir, NULL, NULL, NULL, &err);
	tap_ok(s == NULL && strstr(err.message, "no origin files") != NULL,
	       "an empty folder is an error: %s", err.message);
	rmdir(dir);
}

/* One DN equality: the normal forms, and a base not written canonically
 * (entries used to get keys that no look-up could produce). */
static void test_dn(void)
{
	static const char *const same[][2] = {
	    {"uid=krcert,c=KR,dc=pocdir", "UID=KrCert , c=kr,  DC=pocdir"},
	    {"cn=a\\,b,dc=x", "cn=a\\2Cb,dc=x"},
	    {"o=Poc Dir,c=ZZ", "o=\"Poc Dir\", c=zz"},
	};
	char big[DN_MAX_LEN + 8];
	pocdir_error err = {0};
	struct origin_set set;
	struct store *s;
	unsigned n = 0;
	bool keys = true;
	char *a, *b;

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		a = dn_normalize(same[i][0], strlen(same[i][0]));
		b = dn_normalize(same[i][1], strlen(same[i][1]));
		tap_ok(a != NULL && b != NULL && strcmp(a, b) == 0, "%s equals %s (%s)", same[i][0],
		       same[i][1], b != NULL ? b : "not a DN");
		free(a);
		free(b);
	}
	a = dn_pretty("o=Poc Dir, c=ZZ", 15);
	tap_is(a, "o=Poc Dir,c=ZZ", "the RFC 4514 form keeps case, drops spacing");
	free(a);
	tap_ok(dn_normalize("not a dn", 8) == NULL, "a string that is not a DN has no normal form");
	memset(big, 'a', sizeof(big));
	memcpy(big, "cn=", 3);
	tap_ok(dn_normalize(big, sizeof(big)) == NULL, "a DN over %d bytes is refused", DN_MAX_LEN);

	if (load_origin_buffer(HEAD GOOD_ENTRY, strlen(HEAD GOOD_ENTRY), "kr.yaml",
	                       "o=Poc Dir, c=ZZ", &set, NULL, NULL, &n, &err) == -1) {
		tap_ok(0, "a set under a spaced base: %s", err.message);
		return;
	}
	s = store_build(&set, 1, "o=Poc Dir, c=ZZ", NULL, NULL, &err);
	if (!tap_ok(s != NULL, "a store under \"o=Poc Dir, c=ZZ\": %s", err.message))
		return;
	tap_is(s->entries[0]->dn, "uid=krcert,c=KR,o=Poc Dir,c=ZZ",
	       "entry DNs hang under the base's RFC 4514 form");
	tap_is(s->base_dn, "o=Poc Dir,c=ZZ", "the store's base is in RFC 4514 form");
	for (size_t i = 0; i < s->nentries + s->ncountries; i++) {
		const entry_t *e = i < s->nentries ? s->entries[i] : s->countries[i - s->nentries];

		a = dn_normalize(e->dn, strlen(e->dn));
		keys = keys && a != NULL && strcmp(a, e->dn_norm) == 0;
		free(a);
	}
	tap_ok(keys, "every entry's key is dn_normalize of its DN");
	tap_ok(store_find_dn(s, s->entries[0]->dn) == s->entries[0] &&
	           store_find_dn(s, "uid=KRCERT, c=kr, o=poc dir, c=zz") == s->entries[0] &&
	           store_find_dn(s, "c=KR,o=Poc Dir,c=ZZ") == s->countries[0],
	       "entries are found by their own DN, in any spacing and case");
	store_unref(&s);
}

/* store_build takes the sets whether or not it succeeds, even when it fails
 * before looking at them (a base that is not a DN). */
static void test_build_ownership(void)
{
	pocdir_error err = {0};
	struct origin_set set;
	struct store *s;
	unsigned n = 0;

	if (!tap_ok(load_origin_buffer(HEAD GOOD_ENTRY, strlen(HEAD GOOD_ENTRY), "kr.yaml",
	                               "dc=pocdir", &set, NULL, NULL, &n, &err) == 0,
	            "a set to build from: %s", err.message))
		return;
	s = store_build(&set, 1, "not a dn", NULL, NULL, &err);
	tap_ok(s == NULL && strstr(err.message, "not a DN") != NULL, "a bad base is refused: %s",
	       err.message);
	tap_ok(set.entries == NULL && set.nentries == 0 && set.origin.arena == NULL,
	       "a failed build still takes what the sets held");
	origin_set_clear(&set);
}

/* file_read: a file of the limit's size is read, one byte more is not, and
 * a file whose size stat does not tell (/proc) is read whole. */
static void test_file_read(void)
{
	char path[] = "/tmp/t_load-file-XXXXXX", *data = NULL;
	pocdir_error err;
	size_t len = 0;
	int fd = mkstemp(path);
	FILE *f;

	tap_ok(fd != -1, "a scratch file");
	if (fd == -1)
		return;
	close(fd);
	tap_ok(file_read(path, 100, &data, &len, &err) == 0 && len == 0 && data[0] == '\0',
	       "file_read: an empty file is read as \"\"");
	free(data);
	f = fopen(path, "wb");
	for (int i = 0; f != NULL && i < 100000; i++)
		fputc('a' + i % 26, f);
	if (f != NULL)
		fclose(f);
	tap_ok(file_read(path, 100000, &data, &len, &err) == 0 && len == 100000 &&
	           data[99999] == 'a' + 99999 % 26 && data[100000] == '\0',
	       "file_read: a file of the limit's size is read whole");
	free(data);
	tap_ok(file_read(path, 99999, &data, &len, &err) == -1 && err.code == POCDIR_ERR_LIMIT &&
	           data == NULL,
	       "file_read: a file one byte over the limit is refused");
	unlink(path);
	tap_ok(file_read("/proc/self/status", 1 << 20, &data, &len, &err) == 0 && len > 100 &&
	           strlen(data) == len && strstr(data, "VmRSS") != NULL,
	       "file_read: a file stat gives no size for is read whole");
	free(data);
}

int main(void)
{
	test_valid();
	test_postal();
	test_rules();
	test_origin_rules();
	test_all_errors();
	test_hostile();
	test_directory();
	test_build_ownership();
	test_dn();
	test_file_read();
	return tap_done();
}
