/* t_validate.c - unit tests for validate.c: every field check, good and bad,
 * and the opening-hours clock against real and hand-made TZif files. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "validate.h"

typedef bool (*check_fn)(const char *, char *, size_t);

/* s made safe for one TAP line: control bytes as \xNN. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (s == NULL)
		return "(null)";
	for (; *s != '\0' && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* Expect fn to accept s. */
static void good(check_fn fn, const char *name, const char *s)
{
	char why[512] = "", buf[512];

	if (!tap_ok(fn(s, why, sizeof(why)), "%s accepts \"%s\"", name, shown(s, buf, sizeof(buf))))
		tap_diag("why: %s", why);
}

/* Expect fn to reject s with a message containing want, and to cope with a
 * NULL why. */
static void bad(check_fn fn, const char *name, const char *s, const char *want)
{
	char why[512] = "", buf[512];
	bool accepted = fn(s, why, sizeof(why));

	if (!tap_ok(!accepted && why[0] != '\0' && strstr(why, want) != NULL && !fn(s, NULL, 0),
	            "%s rejects \"%s\"", name, shown(s, buf, sizeof(buf))))
		tap_diag("accepted: %d, why: '%s', want: '%s'", accepted, why, want);
}

#define GOOD(fn, s) good(fn, #fn, s)
#define BAD(fn, s, want) bad(fn, #fn, s, want)

/* Expect fn to reject s with exactly the sentence want. */
static void bad_exact(check_fn fn, const char *name, const char *s, const char *want)
{
	char why[512] = "";

	tap_ok(!fn(s, why, sizeof(why)), "%s rejects \"%s\"", name, s);
	tap_is(why, want, "%s explains \"%s\"", name, s);
}

static bool have_tzdata(void)
{
	struct stat st;

	return stat("/usr/share/zoneinfo/Asia/Seoul", &st) == 0 &&
	       stat("/usr/share/zoneinfo/Europe/Berlin", &st) == 0;
}

static void skip(const char *what, const char *reason)
{
	tap_ok(1, "%s # SKIP %s", what, reason);
}

static void test_country(void)
{
	char code[3] = "";
	int assigned = 0;

	GOOD(validate_country, "KR");
	GOOD(validate_country, "EU");
	GOOD(validate_country, "AX");
	GOOD(validate_country, "ZW");
	bad_exact(validate_country, "validate_country", "kr",
	          "\"kr\" is not an ISO 3166-1 alpha-2 code (codes are upper case: \"KR\")");
	BAD(validate_country, "Kr", "codes are upper case: \"KR\"");
	BAD(validate_country, "XK", "user-assigned");
	BAD(validate_country, "ZZ", "user-assigned");
	BAD(validate_country, "QM", "user-assigned");
	BAD(validate_country, "UK", "\"GB\"");
	BAD(validate_country, "ZY", "not an officially assigned");
	BAD(validate_country, "KOR", "two upper-case letters");
	BAD(validate_country, "K", "two upper-case letters");
	BAD(validate_country, "K1", "two upper-case letters");
	BAD(validate_country, "", "required");
	BAD(validate_country, NULL, "required");
	BAD(validate_country, "zz", "upper case");

	/* The whole table: 249 assigned codes plus EU, all found by bsearch
	 * (an unsorted table would lose some). */
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			code[0] = a;
			code[1] = b;
			if (validate_country(code, NULL, 0) && validate_country_name(code) != NULL)
				assigned++;
		}
	tap_ok(assigned == 250, "250 codes are accepted (found %d)", assigned);
	tap_is(validate_country_name("KR"), "Korea, Republic of", "name of KR");
	tap_is(validate_country_name("EU"), "European Union", "name of EU");
	tap_is(validate_country_name("DE"), "Germany", "name of DE");
	tap_is(validate_country_name("XK"), NULL, "XK has no name");
	tap_is(validate_country_name("kr"), NULL, "kr has no name");
	tap_is(validate_country_name("KRX"), NULL, "KRX has no name");
	tap_is(validate_country_name(NULL), NULL, "NULL has no name");
}

static void test_phone(void)
{
	GOOD(validate_phone, "+82 2 0000 0100");
	GOOD(validate_phone, "+1-202-555-0100");
	GOOD(validate_phone, "+6834002");
	GOOD(validate_phone, "+123456789012345");
	bad_exact(validate_phone, "validate_phone", "+82 2",
	          "\"+82 2\" is not an E.164 number: expected \"+\" and 7 to 15 digits, found 3");
	BAD(validate_phone, "+1234567890123456", "found 16");
	BAD(validate_phone, "+683400", "found 6");
	BAD(validate_phone, "0082 2 0000 0100", "expected \"+\"");
	BAD(validate_phone, "+0 123 4567", "do not start with 0");
	BAD(validate_phone, "+82  2 0000 0100", "between digits");
	BAD(validate_phone, "+82--2 0000 0100", "between digits");
	BAD(validate_phone, "+ 82 2 0000 0100", "between digits");
	BAD(validate_phone, "+82 2 0000 0100 ", "ends with a separator");
	BAD(validate_phone, "+82 (2) 0000 0100", "unexpected '('");
	BAD(validate_phone, "+82 2 0000 0100 ext 5", "unexpected 'e'");
	BAD(validate_phone, "+82\t2 0000 0100", "byte 0x09");
	BAD(validate_phone, "", "required");
	BAD(validate_phone, "+", "found 0");
}

static void test_email(void)
{
	char big[400];

	GOOD(validate_email, "cert@krcert.kr.example");
	GOOD(validate_email, "first.last+tag@x-y.example.org");
	GOOD(validate_email, "!#$%&'*+-/=?^_`{|}~@example.org");
	GOOD(validate_email, "a@b.co");
	BAD(validate_email, "cert.krcert.kr", "local-part@domain");
	BAD(validate_email, "@example.org", "nothing before");
	BAD(validate_email, "a..b@example.org", "dot");
	BAD(validate_email, ".a@example.org", "dot");
	BAD(validate_email, "a.@example.org", "dot");
	BAD(validate_email, "a b@example.org", "dot-atom");
	BAD(validate_email, "a@b@example.org", "dot-atom");
	BAD(validate_email, "\"a b\"@example.org", "dot-atom");
	BAD(validate_email, "a@localhost", "no dot");
	BAD(validate_email, "a@-x.example", "starts with '-'");
	BAD(validate_email, "a@x-.example", "ends with '-'");
	BAD(validate_email, "a@x..example", "empty label");
	BAD(validate_email, "a@example.org.", "ends with a dot");
	BAD(validate_email, "a@exa_mple.org", "letters, digits");
	BAD(validate_email, "a@192.0.2.1", "all digits");
	BAD(validate_email, "a@b\xc3\xbc.example", "A-labels");
	BAD(validate_email, "a@", "empty");
	BAD(validate_email, "", "required");

	/* RFC 5321 limits: 64 before '@', 63 per label, 254 in all. */
	memset(big, 'a', 64);
	strcpy(big + 64, "@example.org");
	GOOD(validate_email, big);
	memset(big, 'a', 65);
	strcpy(big + 65, "@example.org");
	BAD(validate_email, big, "longer than 64");
	strcpy(big, "a@");
	memset(big + 2, 'b', 63);
	strcpy(big + 65, ".example");
	GOOD(validate_email, big);
	strcpy(big, "a@");
	memset(big + 2, 'b', 64);
	strcpy(big + 66, ".example");
	BAD(validate_email, big, "longer than 63");
	strcpy(big, "a@");
	for (int i = 0; i < 5; i++) /* 2 + 5 * 50 + 3 = 255 */
		memset(big + 2 + i * 50, 'c', 49), big[2 + i * 50 + 49] = '.';
	strcpy(big + 252, "org");
	BAD(validate_email, big, "longer than 254");
}

static void test_timezone(void)
{
	if (!have_tzdata()) {
		skip("zone names", "no tzdata in /usr/share/zoneinfo");
	} else {
		GOOD(validate_timezone, "Asia/Seoul");
		GOOD(validate_timezone, "Europe/Berlin");
		GOOD(validate_timezone, "America/Argentina/Buenos_Aires");
		GOOD(validate_timezone, "Etc/GMT+9");
		bad_exact(validate_timezone, "validate_timezone", "Asia/Seol",
		          "\"Asia/Seol\" is not a time zone in the system's tzdata");
		BAD(validate_timezone, "Asia", "not a time zone in the system's tzdata");
		BAD(validate_timezone, "asia/seoul", "not a time zone");
	}
	GOOD(validate_timezone, "UTC");
	BAD(validate_timezone, "../etc/passwd", "\"..\" is not allowed");
	BAD(validate_timezone, "Asia/../../../etc/passwd", "\"..\" is not allowed");
	BAD(validate_timezone, "/etc/passwd", "a path");
	BAD(validate_timezone, "Asia//Seoul", "empty component");
	BAD(validate_timezone, "Asia/Seoul/", "empty component");
	BAD(validate_timezone, "zone.tab", "only letters");
	BAD(validate_timezone, "Asia/Seoul\n", "only letters");
	BAD(validate_timezone, "Asia/Seoul ", "only letters");
	BAD(validate_timezone, "localtime", "not an IANA zone name");
	BAD(validate_timezone, "posix/Asia/Seoul", "not an IANA zone name");
	BAD(validate_timezone, "", "required");
}

static void test_language(void)
{
	GOOD(validate_language, "en");
	GOOD(validate_language, "ko");
	GOOD(validate_language, "zh-Hant-TW");
	GOOD(validate_language, "EN-us");
	GOOD(validate_language, "es-419");
	GOOD(validate_language, "de-CH-1901");
	GOOD(validate_language, "sl-rozaj-biske");
	GOOD(validate_language, "zh-min-nan");
	GOOD(validate_language, "zh-yue-HK");
	GOOD(validate_language, "en-US-u-ca-gregory");
	GOOD(validate_language, "en-a-bbb-x-a-ccc");
	GOOD(validate_language, "x-whatever");
	GOOD(validate_language, "i-klingon");
	GOOD(validate_language, "en-GB-oed");
	GOOD(validate_language, "ast");
	BAD(validate_language, "", "required");
	BAD(validate_language, "e", "language subtag");
	BAD(validate_language, "123", "language subtag");
	BAD(validate_language, "englishes", "1 to 8");
	BAD(validate_language, "en--US", "1 to 8");
	BAD(validate_language, "en-", "1 to 8");
	BAD(validate_language, "en_US", "letters and digits");
	BAD(validate_language, "en-US-Latn", "\"Latn\" is in the wrong place");
	BAD(validate_language, "en-a", "extension 'a'");
	BAD(validate_language, "en-a-bb-a-cc", "appears twice");
	BAD(validate_language, "de-1901-1901", "appears twice");
	BAD(validate_language, "x", "private-use");
	BAD(validate_language, "en-x", "private-use");
	BAD(validate_language, "abcdefg-abc", "wrong place");
}

static void test_dates(void)
{
	GOOD(validate_date, "2026-11-22");
	GOOD(validate_date, "2024-02-29");
	GOOD(validate_date, "2000-02-29");
	GOOD(validate_date, "2026-12-31");
	bad_exact(validate_date, "validate_date", "2026-02-29",
	          "\"2026-02-29\" is not a date: 2026 is not a leap year, February has 28 days");
	BAD(validate_date, "1900-02-29", "1900 is not a leap year");
	BAD(validate_date, "2026-04-31", "April has 30 days");
	BAD(validate_date, "2026-13-01", "no month 13");
	BAD(validate_date, "2026-00-10", "no month 00");
	BAD(validate_date, "2026-01-00", "January has 31 days");
	BAD(validate_date, "2026-1-1", "YYYY-MM-DD");
	BAD(validate_date, "2026/11/22", "YYYY-MM-DD");
	BAD(validate_date, "2026-11-22x", "YYYY-MM-DD");
	BAD(validate_date, "2026-11-22T00:00:00Z", "YYYY-MM-DD");
	BAD(validate_date, "", "required");

	GOOD(validate_timestamp, "2026-11-22T09:00:00Z");
	GOOD(validate_timestamp, "2026-11-22");
	GOOD(validate_timestamp, "2016-12-31T23:59:60Z");
	GOOD(validate_timestamp, "2024-02-29T23:59:59Z");
	BAD(validate_timestamp, "2026-11-22T24:00:00Z", "out of range");
	BAD(validate_timestamp, "2026-11-22T09:60:00Z", "out of range");
	BAD(validate_timestamp, "2026-02-29T09:00:00Z", "not a leap year");
	BAD(validate_timestamp, "2026-11-22 09:00:00Z", "YYYY-MM-DDTHH:MM:SSZ");
	BAD(validate_timestamp, "2026-11-22T09:00:00+09:00", "YYYY-MM-DDTHH:MM:SSZ");
	BAD(validate_timestamp, "2026-11-22T09:00Z", "YYYY-MM-DDTHH:MM:SSZ");
	BAD(validate_timestamp, "2026-11-22T09-00-00Z", "HH:MM:SS");
	BAD(validate_timestamp, "2026-02-30", "February has 28 days");
	BAD(validate_timestamp, "", "required");
}

static void test_pgp(void)
{
	GOOD(validate_pgp_fingerprint, "0123456789ABCDEF0123456789abcdef01234567");
	GOOD(validate_pgp_fingerprint, "0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567");
	GOOD(validate_pgp_fingerprint, "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567");
	BAD(validate_pgp_fingerprint, "0123456789ABCDEF0123456789abcdef0123456", "found 39");
	BAD(validate_pgp_fingerprint, "0123456789ABCDEF0123456789abcdef012345678", "more than 40");
	BAD(validate_pgp_fingerprint, "0123  4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567",
	    "single spaces");
	BAD(validate_pgp_fingerprint, "01 23 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567",
	    "groups of 4");
	BAD(validate_pgp_fingerprint, " 0123456789ABCDEF0123456789abcdef01234567", "groups of 4");
	BAD(validate_pgp_fingerprint, "0123456789ABCDEF0123456789abcdef01234567 ", "groups of 4");
	BAD(validate_pgp_fingerprint, "0123456789ABCDEF0123456789abcdef0123456g", "hexadecimal");
	BAD(validate_pgp_fingerprint, "", "required");
}

static void test_words(void)
{
	char big[80];

	GOOD(validate_role, "technical");
	GOOD(validate_role, "24x7");
	GOOD(validate_role, "incident-response");
	GOOD(validate_role, "x-cyber-diplomacy");
	BAD(validate_role, "Technical", "is not a role: expected policy, diplomatic");
	BAD(validate_role, "hacker", "or media");
	BAD(validate_role, "x-", "\"x-...\"");
	BAD(validate_role, "x-Foo", "\"x-...\"");
	BAD(validate_role, NULL, "(nothing)");

	GOOD(validate_agency_type, "national-cert");
	GOOD(validate_agency_type, "ministry");
	GOOD(validate_agency_type, "other");
	BAD(validate_agency_type, "cert", "expected foreign-affairs, national-cert");
	BAD(validate_agency_type, "", "or other");

	GOOD(validate_id, "mofa-policy");
	GOOD(validate_id, "krcert");
	GOOD(validate_id, "0day.team_1");
	BAD(validate_id, "", "required");
	BAD(validate_id, "-x", "must start");
	BAD(validate_id, "Mofa", "must start");
	BAD(validate_id, "mofa policy", "only lower-case");
	BAD(validate_id, "mofa/policy", "only lower-case");
	memset(big, 'a', 64);
	big[64] = '\0';
	GOOD(validate_id, big);
	big[64] = 'a';
	big[65] = '\0';
	BAD(validate_id, big, "longer than 64");
}

static void test_url(void)
{
	GOOD(validate_url, "https://www.krcert.or.kr/");
	GOOD(validate_url, "http://example.org");
	GOOD(validate_url, "https://example.org:8443/path/a%20b?q=1&r=2#frag");
	GOOD(validate_url, "https://[2001:db8::1]/contact");
	GOOD(validate_url, "HTTPS://EXAMPLE.ORG");
	GOOD(validate_url, "http://localhost:8080");
	BAD(validate_url, "ftp://example.org/", "http:// or https://");
	BAD(validate_url, "www.example.org", "http:// or https://");
	BAD(validate_url, "https://", "http:// or https://");
	BAD(validate_url, "https:///path", "empty");
	BAD(validate_url, "https://exa mple.org/", "escaped");
	BAD(validate_url, "https://example.org/a b", "escaped");
	BAD(validate_url, "https://example.org/%zz", "two hexadecimal digits");
	BAD(validate_url, "https://user@example.org/", "user names");
	BAD(validate_url, "https://[zz]/", "not an IPv6 address");
	BAD(validate_url, "https://[::1/", "[...]");
	BAD(validate_url, "https://example.org:0/", "1 to 65535");
	BAD(validate_url, "https://example.org:99999999999/", "1 to 65535");
	BAD(validate_url, "https://example.org:/", "no port");
	BAD(validate_url, "https://-x.org", "starts with '-'");
	BAD(validate_url, "https://exa_mple.org", "letters, digits");
	BAD(validate_url, "", "required");
}

static void test_hours(void)
{
	GOOD(validate_hours, "24/7");
	GOOD(validate_hours, "Mo-Fr 09:00-18:00");
	GOOD(validate_hours, "Mo-Th 08:30-17:00, Fr 08:30-12:00");
	GOOD(validate_hours, "Mo-Fr 09:00-18:00; Sa 10:00-14:00");
	GOOD(validate_hours, "Mo,We 09:00-12:00");
	GOOD(validate_hours, "Mo-We,Fr 09:00-12:00");
	GOOD(validate_hours, "Mo-Fr 09:00-12:00,13:00-17:00");
	GOOD(validate_hours, "Mo-Fr 09:00-12:00, 13:00-17:00, Sa 10:00-12:00");
	GOOD(validate_hours, "Sa 00:00-24:00");
	GOOD(validate_hours, "Fr-Mo 10:00-12:00");
	BAD(validate_hours, "Mo-Fr 18:00-09:00", "does not end after it starts");
	BAD(validate_hours, "Mo-Fr 09:00-09:00", "does not end after it starts");
	BAD(validate_hours, "Mo-Fr 09:00-24:30", "00:00 to 24:00");
	BAD(validate_hours, "Mo-Fr 25:00-26:00", "HH:MM-HH:MM");
	BAD(validate_hours, "Mo-Fr 09:60-10:00", "HH:MM-HH:MM");
	BAD(validate_hours, "Mo-Fr 9:00-18:00", "at position 7");
	BAD(validate_hours, "Mon-Fri 09:00-18:00", "two letters");
	BAD(validate_hours, "Mo-Fri 09:00-18:00", "two letters");
	BAD(validate_hours, "Mo-Xy 09:00-18:00", "expected a day after '-'");
	BAD(validate_hours, "mo-fr 09:00-18:00", "expected a day");
	BAD(validate_hours, "Mo-Fr", "expected a space");
	BAD(validate_hours, "Mo-Fr 09:00-18:00,", "expected a day");
	BAD(validate_hours, "Mo-Fr 09:00-18:00 Sa", "found a space");
	BAD(validate_hours, "Mo-Fr 09:00-18:00.", "found '.'");
	BAD(validate_hours, "Mo-Fr 09:00-18:00;09:00-10:00", "expected a day");
	BAD(validate_hours, "24/7 ", "expected a day");
	BAD(validate_hours, "", "required");
}

/* --- opening hours against real zones -------------------------------- */

static long long utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = s};

	return (long long)timegm(&tm);
}

static void open_is(const char *hours, const char *tz, long long now, int want,
                    const char *want_local)
{
	char local[32] = "unset";
	int got = validate_hours_open(hours, tz, now, local, sizeof(local));

	tap_ok(got == want, "\"%s\" in %s at %lld: %d (want %d)", hours, tz ? tz : "(null)", now,
	       got, want);
	if (want_local != NULL)
		tap_is(local, want_local, "local time in %s at %lld", tz, now);
}

static void test_hours_open(void)
{
	const char *office = "Mo-Fr 09:00-18:00";

	open_is(office, "UTC", utc(2026, 11, 23, 9, 0, 0), 1, "09:00 Mon");
	open_is(office, "UTC", utc(2026, 11, 23, 18, 0, 0), 0, "18:00 Mon");
	open_is("24/7", "UTC", utc(2026, 11, 22, 3, 4, 5), 1, "03:04 Sun");
	open_is("Sa 00:00-24:00", "UTC", utc(2026, 11, 21, 23, 59, 59), 1, "23:59 Sat");
	open_is("Sa 00:00-24:00", "UTC", utc(2026, 11, 22, 0, 0, 0), 0, "00:00 Sun");
	open_is("Fr-Mo 10:00-12:00", "UTC", utc(2026, 11, 22, 11, 0, 0), 1, "11:00 Sun");
	open_is("Fr-Mo 10:00-12:00", "UTC", utc(2026, 11, 25, 11, 0, 0), 0, "11:00 Wed");
	open_is("Mo-Fr 09:00-12:00,13:00-17:00", "UTC", utc(2026, 11, 23, 12, 30, 0), 0, NULL);
	open_is("Mo-Fr 09:00-12:00,13:00-17:00", "UTC", utc(2026, 11, 23, 13, 0, 0), 1, NULL);
	open_is(office, "UTC", utc(1969, 12, 31, 23, 59, 0), 0, "23:59 Wed");
	open_is(office, "UTC", utc(1969, 12, 31, 10, 0, 0), 1, "10:00 Wed");
	/* Unreadable input: -1 and an empty local time. */
	open_is("Mo-Fr 18:00-09:00", "UTC", 0, -1, "");
	open_is(office, "Asia/Seol", 0, -1, "");
	open_is(office, "../etc/passwd", 0, -1, "");
	open_is(office, "/etc/passwd", 0, -1, "");
	open_is(office, NULL, 0, -1, "");
	open_is(NULL, "UTC", 0, -1, "");
	open_is(office, "UTC", 9000000000000000000LL, -1, "");
	tap_ok(validate_hours_open(office, "UTC", utc(2026, 11, 23, 10, 0, 0), NULL, 0) == 1,
	       "local may be NULL");
	{
		char tiny[4] = "xyz";

		tap_ok(validate_hours_open(office, "UTC", 0, tiny, sizeof(tiny)) == 0 &&
		           strcmp(tiny, "00:") == 0,
		       "a short local buffer is cut, not overrun (%s)", tiny);
	}

	if (!have_tzdata()) {
		skip("hours in Asia/Seoul and Europe/Berlin", "no tzdata in /usr/share/zoneinfo");
		return;
	}
	/* KST is UTC+9 all year. */
	open_is(office, "Asia/Seoul", utc(2026, 11, 23, 0, 14, 0), 1, "09:14 Mon");
	open_is(office, "Asia/Seoul", utc(2026, 11, 22, 0, 14, 0), 0, "09:14 Sun");
	open_is(office, "Asia/Seoul", utc(2026, 11, 22, 23, 59, 0), 0, "08:59 Mon");
	open_is(office, "Asia/Seoul", utc(2026, 11, 23, 8, 59, 59), 1, "17:59 Mon");
	open_is(office, "Asia/Seoul", utc(2026, 11, 23, 9, 0, 0), 0, "18:00 Mon");
	/* Berlin: CET (UTC+1) in winter, CEST (UTC+2) in summer. */
	open_is(office, "Europe/Berlin", utc(2026, 1, 15, 8, 30, 0), 1, "09:30 Thu");
	open_is(office, "Europe/Berlin", utc(2026, 1, 15, 7, 30, 0), 0, "08:30 Thu");
	open_is(office, "Europe/Berlin", utc(2026, 1, 15, 16, 59, 0), 1, "17:59 Thu");
	open_is(office, "Europe/Berlin", utc(2026, 1, 15, 17, 0, 0), 0, "18:00 Thu");
	open_is(office, "Europe/Berlin", utc(2026, 7, 15, 7, 30, 0), 1, "09:30 Wed");
	open_is(office, "Europe/Berlin", utc(2026, 7, 15, 6, 30, 0), 0, "08:30 Wed");
	/* The 2026 change: last Sunday of March, 01:00 UTC. */
	open_is("Su 01:00-02:00", "Europe/Berlin", utc(2026, 3, 29, 0, 59, 0), 1, "01:59 Sun");
	open_is("Su 01:00-02:00", "Europe/Berlin", utc(2026, 3, 29, 1, 0, 0), 0, "03:00 Sun");
	/* Beyond the transitions a fat file lists (2037): the footer rule. */
	open_is(office, "Europe/Berlin", utc(2050, 1, 14, 8, 30, 0), 1, "09:30 Fri");
	open_is(office, "Europe/Berlin", utc(2050, 7, 15, 7, 30, 0), 1, "09:30 Fri");
}

/* --- cross-check with the C library ---------------------------------- */

/* The C library's local time of now in zone, as "HH:MM Dy". Only the test
 * sets TZ; the library under test must not need to. */
static void libc_local(const char *zone, long long now, char *buf, size_t size)
{
	static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	time_t t = (time_t)now;
	struct tm tm;

	localtime_r(&t, &tm);
	(void)zone;
	snprintf(buf, size, "%02d:%02d %s", tm.tm_hour, tm.tm_min, days[tm.tm_wday]);
}

static void test_against_libc(void)
{
	static const char *const zones[] = {
	    "Asia/Seoul",
	    "Europe/Berlin",
	    "Europe/Dublin",
	    "Europe/London",
	    "America/New_York",
	    "America/Santiago",
	    "America/Nuuk",
	    "America/St_Johns",
	    "Australia/Sydney",
	    "Australia/Lord_Howe",
	    "Pacific/Auckland",
	    "Pacific/Chatham",
	    "Asia/Tehran",
	    "Asia/Kolkata",
	    "Africa/Casablanca",
	    "Asia/Jerusalem",
	    "Pacific/Kiritimati",
	    "America/Sao_Paulo",
	    NULL,
	};
	char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	if (!have_tzdata()) {
		skip("local times agree with the C library", "no tzdata in /usr/share/zoneinfo");
		free(saved);
		return;
	}
	for (size_t z = 0; zones[z] != NULL; z++) {
		char want[32], got[32], tzvar[64];
		long long first_bad = 0, samples = 0, mismatches = 0;
		struct stat st;
		char path[256];

		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zones[z]);
		if (stat(path, &st) == -1) {
			skip(zones[z], "zone not installed");
			continue;
		}
		snprintf(tzvar, sizeof(tzvar), ":%s", zones[z]);
		setenv("TZ", tzvar, 1);
		tzset();
		/* 1900-2100 in odd steps, then every 5h17m of 2026 (in the file's
		 * transitions) and of 2045 (after them: the footer rule); the exact
		 * moments of change are tested above and with Test/Rule. */
		for (int pass = 0; pass < 3; pass++) {
			long long from = pass == 0   ? utc(1900, 1, 1, 0, 0, 0)
			                 : pass == 1 ? utc(2026, 1, 1, 0, 0, 0)
			                             : utc(2045, 1, 1, 0, 0, 0);
			long long to = pass == 0 ? utc(2100, 1, 1, 0, 0, 0) : from + 365LL * 86400;
			long long step =
			    pass == 0 ? 29 * 86400 + 7 * 3600 + 13 * 60 + 17 : 5 * 3600 + 17 * 60;

			for (long long t = from; t < to; t += step) {
				libc_local(zones[z], t, want, sizeof(want));
				validate_hours_open("24/7", zones[z], t, got, sizeof(got));
				samples++;
				if (strcmp(want, got) != 0 && mismatches++ == 0)
					first_bad = t;
			}
		}
		if (!tap_ok(mismatches == 0, "%s agrees with the C library at %lld moments",
		            zones[z], samples)) {
			libc_local(zones[z], first_bad, want, sizeof(want));
			validate_hours_open("24/7", zones[z], first_bad, got, sizeof(got));
			tap_diag("%lld mismatches; first at %lld: libc '%s', ours '%s'", mismatches,
			         first_bad, want, got);
		}
		tap_ok(strcmp(getenv("TZ"), tzvar) == 0, "TZ is left alone");
	}
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* --- hand-made TZif files -------------------------------------------- */

struct tt {
	int32_t utoff;
	unsigned char isdst;
};

static void put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	fwrite(b, 1, 4, f);
}

static void put64(FILE *f, int64_t v)
{
	put32(f, (uint32_t)((uint64_t)v >> 32));
	put32(f, (uint32_t)v);
}

static void tzif_part(FILE *f, char version, int timesize, const int64_t *times,
                      const unsigned char *idx, uint32_t n, const struct tt *types, uint32_t ntypes)
{
	static const char pad[15];

	fwrite("TZif", 1, 4, f);
	fputc(version, f);
	fwrite(pad, 1, 15, f);
	put32(f, 0);      /* isutcnt */
	put32(f, 0);      /* isstdcnt */
	put32(f, 0);      /* leapcnt */
	put32(f, n);      /* timecnt */
	put32(f, ntypes); /* typecnt */
	put32(f, 4);      /* charcnt */
	for (uint32_t i = 0; i < n; i++)
		timesize == 8 ? put64(f, times[i]) : put32(f, (uint32_t)times[i]);
	if (n > 0)
		fwrite(idx, 1, n, f);
	for (uint32_t i = 0; i < ntypes; i++) {
		put32(f, (uint32_t)types[i].utoff);
		fputc(types[i].isdst, f);
		fputc(0, f);
	}
	fwrite("ZZZ", 1, 4, f);
}

/* Write a TZif file: version 0 (32-bit only) or '2' with a footer. */
static void tzif_write(const char *dir, const char *name, char version, const int64_t *times,
                       const unsigned char *idx, uint32_t n, const struct tt *types,
                       uint32_t ntypes, const char *footer)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		tap_ok(0, "create %s: %s", path, strerror(errno));
		return;
	}
	tzif_part(f, version, 4, times, idx, n, types, ntypes);
	if (version != 0) {
		tzif_part(f, version, 8, times, idx, n, types, ntypes);
		fprintf(f, "\n%s\n", footer);
	}
	fclose(f);
}

static void raw_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		tap_ok(0, "write %s", path);
}

static void test_tzif_files(void)
{
	char dir[] = "/tmp/t_validate.XXXXXX", path[512], why[512];
	const struct tt kst[] = {{32400, 0}};
	const struct tt cet[] = {{3600, 0}};
	const struct tt three[] = {{0, 0}, {3600, 0}, {7200, 1}};
	const int64_t times[] = {0, 1000000000};
	const unsigned char idx[] = {1, 2};
	const unsigned char bad_idx[] = {1, 7};
	unsigned char huge[44 + 16] = "TZif2";
	unsigned char *big;
	static const char *const names[] = {"Fixed",  "KST",   "Rule",     "V1",   "Trans",
	                                    "NoRule", "Huge",  "BadIndex", "Text", "Big",
	                                    "Fifo",   "Short", NULL};

	if (mkdtemp(dir) == NULL) {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/Test", dir);
	mkdir(path, 0700);
	setenv("TZDIR", dir, 1);

	/* Footer-only zones, as a "slim" zic writes them. */
	tzif_write(dir, "Test/Fixed", '2', NULL, NULL, 0, kst, 1, "<+09>-9");
	tzif_write(dir, "Test/KST", '2', NULL, NULL, 0, kst, 1, "KST-9");
	tzif_write(dir, "Test/Rule", '2', NULL, NULL, 0, cet, 1, "CET-1CEST,M3.5.0,M10.5.0/3");
	/* Version 1 only: 32-bit times, no footer. */
	tzif_write(dir, "Test/V1", 0, times, idx, 2, three, 3, NULL);
	/* Transitions and a footer that disagrees, to see which one is used. */
	tzif_write(dir, "Test/Trans", '2', times, idx, 2, three, 3, "<+03>-3");
	tzif_write(dir, "Test/NoRule", '2', times, idx, 2, three, 3, "");
	tzif_write(dir, "Test/BadIndex", '2', times, bad_idx, 2, three, 3, "");
	/* A header that claims 2^31 transitions in a 60-byte file. */
	huge[32] = 0x7f, huge[33] = 0xff, huge[34] = 0xff, huge[35] = 0xff;
	huge[39] = 1, huge[43] = 4;
	raw_write(dir, "Test/Huge", huge, sizeof(huge));
	raw_write(dir, "Test/Short", "TZif2", 5);
	raw_write(dir, "Test/Text", "not a zone\n", 11);
	big = calloc(1, 300 * 1024);
	if (big != NULL) {
		memcpy(big, "TZif2", 5);
		raw_write(dir, "Test/Big", big, 300 * 1024);
		free(big);
	}
	snprintf(path, sizeof(path), "%s/Test/Fifo", dir);
	mkfifo(path, 0600);

	GOOD(validate_timezone, "Test/Fixed");
	GOOD(validate_timezone, "Test/V1");
	BAD(validate_timezone, "Test/Text", "not a TZif file");
	BAD(validate_timezone, "Test/Fifo", "not a time zone in the system's tzdata");
	BAD(validate_timezone, "Test", "not a time zone in the system's tzdata");
	BAD(validate_timezone, "Asia/Seoul", "not a time zone in the system's tzdata");
	tap_ok(validate_timezone("UTC", why, sizeof(why)), "UTC needs no file");

	open_is("Mo-Fr 09:00-18:00", "Test/Fixed", utc(2026, 11, 23, 0, 14, 0), 1, "09:14 Mon");
	open_is("Mo-Fr 09:00-18:00", "Test/KST", utc(2026, 11, 23, 0, 14, 0), 1, "09:14 Mon");
	open_is("24/7", "Test/KST", utc(1850, 1, 1, 0, 0, 0), 1, "09:00 Tue");
	/* Footer rules: EU change 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC. */
	open_is("24/7", "Test/Rule", utc(2026, 1, 15, 8, 30, 0), 1, "09:30 Thu");
	open_is("24/7", "Test/Rule", utc(2026, 3, 29, 0, 59, 59), 1, "01:59 Sun");
	open_is("24/7", "Test/Rule", utc(2026, 3, 29, 1, 0, 0), 1, "03:00 Sun");
	open_is("24/7", "Test/Rule", utc(2026, 10, 25, 0, 59, 59), 1, "02:59 Sun");
	open_is("24/7", "Test/Rule", utc(2026, 10, 25, 1, 0, 0), 1, "02:00 Sun");
	open_is("24/7", "Test/Rule", utc(2027, 3, 28, 1, 0, 0), 1, "03:00 Sun");
	open_is("24/7", "Test/Rule", utc(1999, 12, 31, 23, 30, 0), 1, "00:30 Sat");
	/* Type 0 before the first transition, then the types in order. */
	open_is("24/7", "Test/V1", -100, 1, "23:58 Wed");
	open_is("24/7", "Test/V1", 500, 1, "01:08 Thu");
	open_is("24/7", "Test/V1", 2000000000, 1, "05:33 Wed");
	/* After the last transition the footer wins, or without one the last type. */
	open_is("24/7", "Test/Trans", 500, 1, "01:08 Thu");
	open_is("24/7", "Test/Trans", 2000000000, 1, "06:33 Wed");
	open_is("24/7", "Test/NoRule", 2000000000, 1, "05:33 Wed");
	/* Hostile and broken files are unreadable, not a crash or a hang. */
	open_is("24/7", "Test/BadIndex", 500, -1, "");
	open_is("24/7", "Test/Huge", 500, -1, "");
	open_is("24/7", "Test/Short", 500, -1, "");
	open_is("24/7", "Test/Text", 500, -1, "");
	open_is("24/7", "Test/Big", 500, -1, "");
	open_is("24/7", "Test/Fifo", 500, -1, "");
	open_is("24/7", "Test/Missing", 500, -1, "");

	for (size_t i = 0; names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/Test/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("TZDIR");
}

/* --- threads ---------------------------------------------------------- */

struct job {
	const char *zone;
	long long now;
	char want[32];
	int failures;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	char got[32];

	for (int i = 0; i < 2000; i++) {
		validate_hours_open("Mo-Fr 09:00-18:00", j->zone, j->now, got, sizeof(got));
		if (strcmp(got, j->want) != 0)
			j->failures++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct job jobs[4] = {
	    {"Asia/Seoul", 0, "", 0},
	    {"Europe/Berlin", 0, "", 0},
	    {"America/New_York", 0, "", 0},
	    {"UTC", 0, "", 0},
	};
	pthread_t th[4];
	int failures = 0;

	if (!have_tzdata()) {
		skip("many threads at once", "no tzdata in /usr/share/zoneinfo");
		return;
	}
	for (int i = 0; i < 4; i++) {
		jobs[i].now = utc(2026, 7, 1, 12, 0, 0) + i * 3600;
		validate_hours_open("Mo-Fr 09:00-18:00", jobs[i].zone, jobs[i].now, jobs[i].want,
		                    sizeof(jobs[i].want));
	}
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		failures += jobs[i].failures;
	}
	tap_ok(failures == 0 && strcmp(jobs[0].want, "21:00 Wed") == 0 &&
	           strcmp(jobs[1].want, "15:00 Wed") == 0 &&
	           strcmp(jobs[2].want, "10:00 Wed") == 0 && strcmp(jobs[3].want, "15:00 Wed") == 0,
	       "four threads in four zones agree (%d failures)", failures);
}

int main(void)
{
	unsetenv("TZDIR");
	test_country();
	test_phone();
	test_email();
	test_timezone();
	test_language();
	test_dates();
	test_pgp();
	test_words();
	test_url();
	test_hours();
	test_hours_open();
	test_against_libc();
	test_tzif_files();
	test_threads();
	return tap_done();
}
