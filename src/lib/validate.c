/* validate.c - checks of single field values (country, phone, e-mail, zone,
 * language tag, dates, PGP fingerprint, role, agency type, id, URL, hours)
 * and "are these hours open now"; the zone's clock is tzclock.c's. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "tzclock.h"
#include "validate.h"

/* Case-insensitive ASCII comparison of n bytes. */
static bool ascii_casematch(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* Write a sentence into why (may be NULL); returns false so that a check can
 * end with `return reject(...)`. */
static bool reject(char *why, size_t whysize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool reject(char *why, size_t whysize, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysize == 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, whysize, fmt, ap);
	va_end(ap);
	return false;
}

/* Values come from files written by people and peers: quote them for a
 * message with control and non-ASCII bytes escaped and long ones cut, so a
 * message stays one readable line. */
#define QUOTE_KEEP 60
#define QUOTE_SIZE (QUOTE_KEEP * 4 + 8)

static const char *quote(const char *s, char *buf, size_t size)
{
	size_t o = 0, i;

	if (size < QUOTE_SIZE)
		return "(value)";
	buf[o++] = '"';
	for (i = 0; s[i] != '\0' && i < QUOTE_KEEP; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	if (s[i] != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* One character for a message: 'x', or its byte value when unprintable. */
static const char *describe_char(unsigned char c, char *buf, size_t size)
{
	if (c == '\0')
		snprintf(buf, size, "the end");
	else if (c == ' ')
		snprintf(buf, size, "a space");
	else if (c < 0x20 || c >= 0x7f)
		snprintf(buf, size, "byte 0x%02x", c);
	else
		snprintf(buf, size, "'%c'", c);
	return buf;
}

/* Match s against a NULL-terminated word list. */
static bool word_in(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/* Join a word list for a message: "a, b or c". */
static void word_list(const char *const *words, char *buf, size_t size)
{
	size_t o = 0, n = 0;

	while (words[n] != NULL)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + o, size - o, "%s%s", sep, words[i]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* --- ISO 3166-1 ------------------------------------------------------- */

struct country {
	char code[3];
	const char *name;
};

/* ISO 3166-1 alpha-2: the officially assigned codes with their English
 * short names, generated at build time from Debian's iso-codes data (which
 * tracks the ISO Online Browsing Platform) by gen-iso3166.c, plus the
 * exceptionally reserved "EU". Sorted by code for bsearch(). Not read from
 * tzdata's iso3166.tab: that file lists the zones' territories. */
#include "src/lib/iso3166.inc"

static int country_compare(const void *key, const void *element)
{
	return strcmp(key, ((const struct country *)element)->code);
}

static const struct country *country_find(const char *code)
{
	if (code == NULL || strnlen(code, 3) != 2)
		return NULL;
	return bsearch(code, countries, sizeof(countries) / sizeof(countries[0]),
	               sizeof(countries[0]), country_compare);
}

const char *validate_country_name(const char *code)
{
	const struct country *c = country_find(code);

	return c != NULL ? c->name : NULL;
}

/* ISO 3166-1 §7.5 leaves AA, QM-QZ, XA-XZ and ZZ to users (XK for Kosovo is
 * one of them): they mean different things to different people. */
static bool country_user_assigned(const char *code)
{
	return strcmp(code, "AA") == 0 || strcmp(code, "ZZ") == 0 ||
	       (code[0] == 'Q' && code[1] >= 'M') || code[0] == 'X';
}

bool validate_country(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], up[3];

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a country code is required: two upper-case letters (ISO 3166-1 "
		              "alpha-2), e.g. \"KR\"");
	if (strnlen(s, 3) != 2 || !is_alpha((unsigned char)s[0]) || !is_alpha((unsigned char)s[1]))
		return reject(why, whysize,
		              "%s is not an ISO 3166-1 alpha-2 code: expected two upper-case "
		              "letters, e.g. \"KR\"",
		              quote(s, q, sizeof(q)));
	up[0] = (char)to_upper((unsigned char)s[0]);
	up[1] = (char)to_upper((unsigned char)s[1]);
	up[2] = '\0';
	if (strcmp(up, s) != 0) {
		if (country_find(up) != NULL)
			return reject(why, whysize,
			              "%s is not an ISO 3166-1 alpha-2 code (codes are upper case: "
			              "\"%s\")",
			              quote(s, q, sizeof(q)), up);
		return reject(why, whysize,
		              "%s is not an ISO 3166-1 alpha-2 code (codes are upper case, and "
		              "\"%s\" is not assigned either)",
		              quote(s, q, sizeof(q)), up);
	}
	if (country_find(s) != NULL)
		return true;
	if (country_user_assigned(s))
		return reject(why, whysize,
		              "\"%s\" is not an ISO 3166-1 alpha-2 code: it is a user-assigned "
		              "code, not an officially assigned one",
		              s);
	/* ISO 3166-1 exceptional reservations that people type by habit. */
	if (strcmp(s, "UK") == 0)
		return reject(why, whysize,
		              "\"UK\" is not an ISO 3166-1 alpha-2 code: the United Kingdom is "
		              "\"GB\"");
	if (strcmp(s, "EL") == 0)
		return reject(why, whysize,
		              "\"EL\" is not an ISO 3166-1 alpha-2 code: Greece is \"GR\"");
	return reject(why, whysize, "\"%s\" is not an officially assigned ISO 3166-1 alpha-2 code",
	              s);
}

/* --- E.164 ------------------------------------------------------------ */

/* ITU-T E.164 §6.1: at most 15 digits with the country code. The shortest
 * international numbers in use have 7 (Niue, Tokelau: 3-digit country code
 * and 4-digit subscriber number); anything shorter lacks its area or
 * subscriber part, as in "+82 2". */
#define PHONE_MIN_DIGITS 7
#define PHONE_MAX_DIGITS 15
#define PHONE_MAX_LENGTH 40

bool validate_phone(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], c[24];
	size_t digits = 0, i;
	bool after_digit = false;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a phone number is required: \"+\" and the country code, e.g. "
		              "\"+82 2 0000 0100\" (E.164)");
	if (strnlen(s, PHONE_MAX_LENGTH + 1) > PHONE_MAX_LENGTH)
		return reject(why, whysize, "%s is not an E.164 number: longer than %d characters",
		              quote(s, q, sizeof(q)), PHONE_MAX_LENGTH);
	if (s[0] != '+')
		return reject(why, whysize,
		              "%s is not an E.164 number: expected \"+\" and the country code "
		              "first, e.g. \"+82 2 0000 0100\"",
		              quote(s, q, sizeof(q)));
	if (s[1] == '0')
		return reject(why, whysize,
		              "%s is not an E.164 number: country codes do not start with 0",
		              quote(s, q, sizeof(q)));
	for (i = 1; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (is_digit(ch)) {
			digits++;
			after_digit = true;
		} else if (ch == ' ' || ch == '-') {
			if (!after_digit)
				return reject(why, whysize,
				              "%s is not an E.164 number: %s at position %zu; a "
				              "single space or '-' may only stand between digits",
				              quote(s, q, sizeof(q)),
				              describe_char(ch, c, sizeof(c)), i + 1);
			after_digit = false;
		} else {
			return reject(why, whysize,
			              "%s is not an E.164 number: unexpected %s at position %zu; "
			              "only digits, spaces and '-' may follow \"+\"",
			              quote(s, q, sizeof(q)), describe_char(ch, c, sizeof(c)),
			              i + 1);
		}
	}
	if (!after_digit && digits > 0)
		return reject(why, whysize, "%s is not an E.164 number: it ends with a separator",
		              quote(s, q, sizeof(q)));
	if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS)
		return reject(why, whysize,
		              "%s is not an E.164 number: expected \"+\" and %d to %d digits, "
		              "found %zu",
		              quote(s, q, sizeof(q)), PHONE_MIN_DIGITS, PHONE_MAX_DIGITS, digits);
	return true;
}

/* --- host names ------------------------------------------------------- */

/* RFC 1123 §2.1 host name of LDH labels, each 1-63 (RFC 1035 §2.3.4), at
 * most 253 in all. Returns NULL when fine, else what is wrong. */
static const char *hostname_problem(const char *d, size_t len, bool need_dot)
{
	size_t label = 0, dots = 0;
	bool numeric = true;

	if (len == 0)
		return "the host name is empty";
	if (len > 253)
		return "the host name is longer than 253 characters";
	for (size_t i = 0; i <= len; i++) {
		int c = i < len ? (unsigned char)d[i] : '.';

		if (c == '.') {
			if (label == 0)
				return i == len ? "the host name ends with a dot"
				                : "the host name has an empty label";
			if (label > 63)
				return "a label of the host name is longer than 63 characters";
			if (d[i - 1] == '-')
				return "a label of the host name ends with '-'";
			if (i < len) {
				dots++;
				numeric = true;
			}
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return c >= 0x80
			           ? "the host name is not ASCII (write IDNs as A-labels, "
			             "\"xn--...\")"
			           : "the host name may only hold letters, digits, '-' and dots";
		if (c == '-' && label == 0)
			return "a label of the host name starts with '-'";
		if (!is_digit(c))
			numeric = false;
		label++;
	}
	if (need_dot && dots == 0)
		return "the domain has no dot";
	/* RFC 3696 §2: a top-level domain is never all-numeric. */
	if (need_dot && numeric)
		return "the top-level domain is all digits";
	return NULL;
}

/* --- e-mail ----------------------------------------------------------- */

/* RFC 5322 §3.2.3 atext. */
static bool is_atext(int c)
{
	return c != '\0' && (is_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool validate_email(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	const char *at, *problem;
	size_t len, local;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "an e-mail address is required: local-part@domain, e.g. "
		              "\"cert@example.org\"");
	len = strnlen(s, 255);
	/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle
	 * brackets, so an address at most 254. */
	if (len > 254)
		return reject(why, whysize,
		              "%s is not an e-mail address: longer than 254 characters",
		              quote(s, q, sizeof(q)));
	at = strrchr(s, '@');
	if (at == NULL)
		return reject(why, whysize,
		              "%s is not an e-mail address: expected local-part@domain",
		              quote(s, q, sizeof(q)));
	local = (size_t)(at - s);
	if (local == 0)
		return reject(why, whysize, "%s is not an e-mail address: nothing before \"@\"",
		              quote(s, q, sizeof(q)));
	/* RFC 5321 §4.5.3.1.1. */
	if (local > 64)
		return reject(why, whysize,
		              "%s is not an e-mail address: the part before \"@\" is longer than "
		              "64 characters",
		              quote(s, q, sizeof(q)));
	/* RFC 5322 §3.4.1 dot-atom: atext runs joined by single dots; the
	 * quoted-string form is legal but no directory needs it. */
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && (i == 0 || i + 1 == local || s[i + 1] == '.'))
			return reject(why, whysize,
			              "%s is not an e-mail address: a dot before \"@\" may not "
			              "start, end or double (RFC 5322 dot-atom)",
			              quote(s, q, sizeof(q)));
		if (c != '.' && !is_atext(c))
			return reject(why, whysize,
			              "%s is not an e-mail address: the part before \"@\" may only "
			              "hold letters, digits, dots and !#$%%&'*+-/=?^_`{|}~ "
			              "(RFC 5322 dot-atom)",
			              quote(s, q, sizeof(q)));
	}
	problem = hostname_problem(at + 1, len - local - 1, true);
	if (problem != NULL)
		return reject(why, whysize, "%s is not an e-mail address: %s",
		              quote(s, q, sizeof(q)), problem);
	return true;
}

/* --- time zones ------------------------------------------------------- */

bool validate_timezone(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	const char *problem;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a time zone is required: an IANA zone name, e.g. \"Asia/Seoul\"");
	switch (tz_find(s, &problem)) {
	case TZ_FOUND:
		return true;
	case TZ_BAD_NAME:
		return reject(why, whysize, "%s is not a time zone name: %s",
		              quote(s, q, sizeof(q)), problem);
	case TZ_MISSING:
		return reject(why, whysize, "%s is not a time zone in the system's tzdata",
		              quote(s, q, sizeof(q)));
	case TZ_NOT_TZIF:
		break;
	}
	return reject(why, whysize,
	              "%s is not a time zone in the system's tzdata (the file there is "
	              "not a TZif file)",
	              quote(s, q, sizeof(q)));
}

/* --- BCP 47 ----------------------------------------------------------- */

#define LANGUAGE_MAX 128

/* RFC 5646 §2.2.8: irregular grandfathered tags that the langtag production
 * does not match (the regular ones, like "zh-min-nan", match it anyway). */
static const char *const language_irregular[] = {
    "en-GB-oed", "i-ami", "i-bnn",     "i-default", "i-enochian", "i-hak",
    "i-klingon", "i-lux", "i-mingo",   "i-navajo",  "i-pwn",      "i-tao",
    "i-tay",     "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE",  NULL,
};

struct subtag {
	const char *p;
	size_t len;
};

static bool subtag_all(const struct subtag *t, bool (*class)(int))
{
	for (size_t i = 0; i < t->len; i++)
		if (!class((unsigned char)t->p[i]))
			return false;
	return true;
}

static bool subtag_alpha(const struct subtag *t, size_t min, size_t max)
{
	return t->len >= min && t->len <= max && subtag_all(t, is_alpha);
}

/* RFC 5646 §2.1 variant = 5*8alphanum / (DIGIT 3alphanum). */
static bool subtag_variant(const struct subtag *t)
{
	return (t->len >= 5 && t->len <= 8) || (t->len == 4 && is_digit((unsigned char)t->p[0]));
}

/* Country codes that people write for a language, which ISO 639-1 leaves
 * unassigned (so no tag starts with them): "jp" for Japanese is "ja". */
static const struct {
	const char *country, *language, *name;
} language_not_country[] = {
    {"cn", "zh", "Chinese"}, {"cz", "cs", "Czech"},      {"dk", "da", "Danish"},
    {"gb", "en", "English"}, {"gr", "el", "Greek"},      {"il", "he", "Hebrew"},
    {"ir", "fa", "Persian"}, {"jp", "ja", "Japanese"},   {"ua", "uk", "Ukrainian"},
    {"us", "en", "English"}, {"vn", "vi", "Vietnamese"},
};

bool validate_language(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	struct subtag tag[LANGUAGE_MAX / 2 + 1];
	size_t n = 0, i = 0, len, start = 0;
	char singletons[40] = "";
	size_t nsingletons = 0;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a language tag is required: BCP 47, e.g. \"en\" or \"zh-Hant-TW\"");
	len = strnlen(s, LANGUAGE_MAX + 1);
	if (len > LANGUAGE_MAX)
		return reject(why, whysize,
		              "%s is not a BCP 47 language tag: longer than %d characters",
		              quote(s, q, sizeof(q)), LANGUAGE_MAX);
	for (size_t k = 0; language_irregular[k] != NULL; k++)
		if (strlen(language_irregular[k]) == len &&
		    ascii_casematch(s, language_irregular[k], len))
			return true;
	/* Split into subtags: 1-8 letters or digits, separated by '-'. */
	for (size_t k = 0; k <= len; k++) {
		if (k < len && s[k] != '-') {
			if (!is_alnum((unsigned char)s[k]))
				return reject(why, whysize,
				              "%s is not a BCP 47 language tag: subtags hold only "
				              "letters and digits, separated by '-'",
				              quote(s, q, sizeof(q)));
			continue;
		}
		if (k == start || k - start > 8)
			return reject(why, whysize,
			              "%s is not a BCP 47 language tag: each subtag has 1 to 8 "
			              "characters",
			              quote(s, q, sizeof(q)));
		tag[n].p = s + start;
		tag[n].len = k - start;
		n++;
		start = k + 1;
	}
	/* RFC 5646 §2.1: privateuse = "x" 1*("-" (1*8alphanum)), alone or at
	 * the end; the position decides what each subtag is. */
	if (!(tag[0].len == 1 && to_lower((unsigned char)tag[0].p[0]) == 'x')) {
		/* language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA */
		if (!subtag_alpha(&tag[0], 2, 8))
			return reject(why, whysize,
			              "%s is not a BCP 47 language tag: it must start with a "
			              "language subtag of 2 to 8 letters, e.g. \"en\"",
			              quote(s, q, sizeof(q)));
		for (size_t k = 0; tag[0].len == 2 && k < sizeof(language_not_country) /
		                                              sizeof(language_not_country[0]);
		     k++)
			if (ascii_casematch(tag[0].p, language_not_country[k].country, 2))
				return reject(
				    why, whysize,
				    "%s is not a language: \"%s\" is a country code, and "
				    "ISO 639-1 has no such language; %s is \"%s\"",
				    quote(s, q, sizeof(q)), language_not_country[k].country,
				    language_not_country[k].name, language_not_country[k].language);
		i = 1;
		if (tag[0].len <= 3) /* extlang = 3ALPHA *2("-" 3ALPHA) */
			for (size_t k = 0; k < 3 && i < n && subtag_alpha(&tag[i], 3, 3); k++)
				i++;
		if (i < n && subtag_alpha(&tag[i], 4, 4)) /* script */
			i++;
		if (i < n && (subtag_alpha(&tag[i], 2, 2) ||
		              (tag[i].len == 3 && subtag_all(&tag[i], is_digit)))) /* region */
			i++;
		for (size_t first = i; i < n && subtag_variant(&tag[i]); i++)
			for (size_t k = first; k < i; k++) /* §2.2.5: no repeats */
				if (tag[k].len == tag[i].len &&
				    ascii_casematch(tag[k].p, tag[i].p, tag[i].len))
					return reject(why, whysize,
					              "%s is not a BCP 47 language tag: variant "
					              "\"%.*s\" appears twice",
					              quote(s, q, sizeof(q)), (int)tag[i].len,
					              tag[i].p);
		/* extension = singleton 1*("-" (2*8alphanum)) */
		while (i < n && tag[i].len == 1 && to_lower((unsigned char)tag[i].p[0]) != 'x') {
			char single = (char)to_lower((unsigned char)tag[i].p[0]);
			size_t k = i + 1;

			if (memchr(singletons, single, nsingletons) != NULL)
				return reject(why, whysize,
				              "%s is not a BCP 47 language tag: extension '%c' "
				              "appears twice",
				              quote(s, q, sizeof(q)), single);
			if (nsingletons < sizeof(singletons))
				singletons[nsingletons++] = single;
			while (k < n && tag[k].len >= 2)
				k++;
			if (k == i + 1)
				return reject(
				    why, whysize,
				    "%s is not a BCP 47 language tag: extension '%c' needs "
				    "subtags of 2 to 8 characters after it",
				    quote(s, q, sizeof(q)), single);
			i = k;
		}
		if (i == n)
			return true;
		if (!(tag[i].len == 1 && to_lower((unsigned char)tag[i].p[0]) == 'x'))
			return reject(
			    why, whysize,
			    "%s is not a BCP 47 language tag: \"%.*s\" is in the wrong "
			    "place or malformed; expected "
			    "language[-script][-region][-variant][-extension][-x-private]",
			    quote(s, q, sizeof(q)), (int)tag[i].len, tag[i].p);
	}
	if (i + 1 == n)
		return reject(why, whysize,
		              "%s is not a BCP 47 language tag: \"x\" needs private-use subtags "
		              "after it",
		              quote(s, q, sizeof(q)));
	return true;
}

/* --- dates ------------------------------------------------------------ */

static bool digits_at(const char *s, size_t n, int *value)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* Check the YYYY-MM-DD at s (which has at least 10 characters). */
static bool date_check(const char *s, const char *what, const char *value, char *why,
                       size_t whysize)
{
	char q[QUOTE_SIZE];
	int y, m, d;

	if (!digits_at(s, 4, &y) || s[4] != '-' || !digits_at(s + 5, 2, &m) || s[7] != '-' ||
	    !digits_at(s + 8, 2, &d))
		return reject(why, whysize, "%s is not %s: expected %s", quote(value, q, sizeof(q)),
		              what,
		              strcmp(what, "a date") == 0 ? "YYYY-MM-DD, e.g. \"2026-11-22\""
		                                          : "YYYY-MM-DDTHH:MM:SSZ, e.g. "
		                                            "\"2026-11-22T09:00:00Z\"");
	if (m < 1 || m > 12)
		return reject(why, whysize, "%s is not %s: there is no month %02d",
		              quote(value, q, sizeof(q)), what, m);
	if (d < 1 || d > civil_month_days(y, m)) {
		if (m == 2 && d == 29)
			return reject(why, whysize,
			              "%s is not %s: %04d is not a leap year, February has 28 "
			              "days",
			              quote(value, q, sizeof(q)), what, y);
		return reject(why, whysize, "%s is not %s: %s has %d days",
		              quote(value, q, sizeof(q)), what, month_names[m - 1],
		              civil_month_days(y, m));
	}
	return true;
}

bool validate_date(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize, "a date is required: YYYY-MM-DD, e.g. \"2026-11-22\"");
	if (strnlen(s, 11) != 10)
		return reject(why, whysize,
		              "%s is not a date: expected YYYY-MM-DD, e.g. \"2026-11-22\"",
		              quote(s, q, sizeof(q)));
	return date_check(s, "a date", s, why, whysize);
}

bool validate_timestamp(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	int h, mi, sec;
	size_t len;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a timestamp is required: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD");
	len = strnlen(s, 21);
	if (len == 10)
		return date_check(s, "a date", s, why, whysize);
	if (len != 20 || s[10] != 'T' || s[19] != 'Z')
		return reject(why, whysize,
		              "%s is not a timestamp: expected YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. "
		              "\"2026-11-22T09:00:00Z\", or a date YYYY-MM-DD",
		              quote(s, q, sizeof(q)));
	if (!date_check(s, "a timestamp", s, why, whysize))
		return false;
	if (!digits_at(s + 11, 2, &h) || s[13] != ':' || !digits_at(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits_at(s + 17, 2, &sec))
		return reject(why, whysize,
		              "%s is not a timestamp: expected HH:MM:SS after the 'T'",
		              quote(s, q, sizeof(q)));
	/* RFC 3339 §5.7: second 60 exists at the end of a leap-second day. */
	if (h > 23 || mi > 59 || sec > 60)
		return reject(why, whysize,
		              "%s is not a timestamp: the time of day is out of range (hours "
		              "00-23, minutes 00-59, seconds 00-60)",
		              quote(s, q, sizeof(q)));
	return true;
}

/* --- PGP -------------------------------------------------------------- */

bool validate_pgp_fingerprint(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	size_t hex = 0;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize, "a PGP fingerprint is required: 40 hexadecimal digits");
	for (size_t i = 0; s[i] != '\0'; i++) {
		if (is_hex((unsigned char)s[i])) {
			if (++hex > 40)
				break;
			continue;
		}
		/* Spaces only between groups of 4: one, or two between the 5th
		 * and 6th group as "gpg --fingerprint" prints them. */
		if (s[i] == ' ' && hex % 4 == 0 && hex > 0 && hex < 40 && s[i + 1] != '\0') {
			if (s[i + 1] == ' ' && hex == 20 && s[i + 2] != ' ') {
				i++;
				continue;
			}
			if (s[i + 1] != ' ')
				continue;
		}
		return reject(why, whysize,
		              "%s is not a PGP fingerprint: expected 40 hexadecimal digits, "
		              "optionally in groups of 4 separated by single spaces",
		              quote(s, q, sizeof(q)));
	}
	if (hex != 40)
		return reject(why, whysize,
		              "%s is not a PGP fingerprint: expected 40 hexadecimal digits, found "
		              "%s%zu",
		              quote(s, q, sizeof(q)), hex > 40 ? "more than " : "",
		              hex > 40 ? (size_t)40 : hex);
	return true;
}

/* --- words ------------------------------------------------------------ */

static const char *const roles[] = {
    "policy",          "diplomatic", "technical", "incident-response",
    "law-enforcement", "senior",     "24x7",      "coordination",
    "legal",           "media",      NULL,
};

const char *const *validate_role_words(void)
{
	return roles;
}

static const char *const agency_types[] = {
    "foreign-affairs", "national-cert", "csirt",        "law-enforcement", "defence",
    "regulator",       "ministry",      "intelligence", "other",           NULL,
};

/* An "x-" extension word: x- then lower-case letters, digits and '-'. */
static bool extension_word(const char *s)
{
	size_t len = strnlen(s, 65);

	if (len < 3 || len > 64 || strncmp(s, "x-", 2) != 0)
		return false;
	for (size_t i = 2; i < len; i++)
		if (!is_lower((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return s[len - 1] != '-';
}

bool validate_role(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], list[256];

	char hint[256] = "";
	size_t n = 0, len;

	if (s != NULL && (word_in(s, roles) || extension_word(s)))
		return true;
	word_list(roles, list, sizeof(list));
	/* The roles the text begins, or that hold it: "tech", "response". */
	len = s != NULL ? strlen(s) : 0;
	for (size_t i = 0; len > 0 && roles[i] != NULL; i++)
		if (ascii_casematch(roles[i], s,
		                    len < strlen(roles[i]) ? len : strlen(roles[i]) + 1) ||
		    (len >= 3 && strstr(roles[i], s) != NULL)) {
			size_t h = strlen(hint);

			snprintf(hint + h, sizeof(hint) - h, "%s%s",
			         n++ > 0 ? " or " : "; did you mean ", roles[i]);
		}
	return reject(why, whysize,
	              "%s is not a role: expected %s, or an extension word \"x-...\" (lower "
	              "case)%s%s",
	              s != NULL ? quote(s, q, sizeof(q)) : "(nothing)", list, hint,
	              n > 0 ? "?" : "");
}

bool validate_agency_type(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], list[256];

	if (s != NULL && word_in(s, agency_types))
		return true;
	word_list(agency_types, list, sizeof(list));
	return reject(why, whysize, "%s is not an agency type: expected %s",
	              s != NULL ? quote(s, q, sizeof(q)) : "(nothing)", list);
}

bool validate_id(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE];
	size_t len;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize, "an id is required: 1 to 64 of a-z 0-9 . _ -");
	len = strnlen(s, 65);
	if (len > 64)
		return reject(why, whysize, "%s is not an id: longer than 64 characters",
		              quote(s, q, sizeof(q)));
	if (!is_lower((unsigned char)s[0]) && !is_digit((unsigned char)s[0]))
		return reject(why, whysize,
		              "%s is not an id: it must start with a lower-case letter or a digit",
		              quote(s, q, sizeof(q)));
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_lower(c) && !is_digit(c) && c != '.' && c != '_' && c != '-')
			return reject(why, whysize,
			              "%s is not an id: only lower-case letters, digits, '.', '_' "
			              "and '-' are allowed",
			              quote(s, q, sizeof(q)));
	}
	return true;
}

/* --- URL -------------------------------------------------------------- */

#define URL_MAX 2048

/* RFC 3986 §2.2-2.3 unreserved and reserved characters, which with '%'
 * escapes make up the rest of a URI. */
static bool is_uri_char(int c)
{
	return c != '\0' && (is_alnum(c) || strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

bool validate_url(const char *s, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], host[256];
	const char *p, *end, *problem;
	size_t len, hostlen;

	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "a web address is required: http:// or https:// and a host");
	len = strnlen(s, URL_MAX + 1);
	if (len > URL_MAX)
		return reject(why, whysize, "%s is not a web address: longer than %d characters",
		              quote(s, q, sizeof(q)), URL_MAX);
	/* RFC 3986 §3.1: the scheme is case-insensitive. */
	if (len > 7 && ascii_casematch(s, "http://", 7))
		p = s + 7;
	else if (len > 8 && ascii_casematch(s, "https://", 8))
		p = s + 8;
	else
		return reject(why, whysize,
		              "%s is not a web address: expected http:// or https:// and a host",
		              quote(s, q, sizeof(q)));
	for (const char *r = p; *r != '\0'; r++) {
		if (!is_uri_char((unsigned char)*r))
			return reject(why, whysize,
			              "%s is not a web address: characters outside RFC 3986 "
			              "(spaces, quotes, non-ASCII) must be %%-escaped",
			              quote(s, q, sizeof(q)));
		if (*r == '%' && (!is_hex((unsigned char)r[1]) || !is_hex((unsigned char)r[2])))
			return reject(why, whysize,
			              "%s is not a web address: '%%' must start an escape of two "
			              "hexadecimal digits",
			              quote(s, q, sizeof(q)));
	}
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return reject(why, whysize,
		              "%s is not a web address: user names in web addresses are not "
		              "accepted",
		              quote(s, q, sizeof(q)));
	if (*p == '[') { /* RFC 3986 §3.2.2 IP-literal */
		const char *close = memchr(p, ']', (size_t)(end - p));
		struct in6_addr a6;

		hostlen = close != NULL ? (size_t)(close - p - 1) : 0;
		if (close == NULL || hostlen == 0 || hostlen >= sizeof(host))
			return reject(why, whysize,
			              "%s is not a web address: an IPv6 host needs \"[...]\"",
			              quote(s, q, sizeof(q)));
		memcpy(host, p + 1, hostlen);
		host[hostlen] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return reject(why, whysize,
			              "%s is not a web address: \"%s\" is not an IPv6 address",
			              quote(s, q, sizeof(q)), host);
		p = close + 1;
	} else {
		hostlen = strcspn(p, ":/?#");
		problem = hostname_problem(p, hostlen, false);
		if (problem != NULL)
			return reject(why, whysize, "%s is not a web address: %s",
			              quote(s, q, sizeof(q)), problem);
		p += hostlen;
	}
	if (*p == ':') { /* RFC 3986 §3.2.3 port */
		long port = 0;

		p++;
		if (!is_digit((unsigned char)*p))
			return reject(why, whysize, "%s is not a web address: no port after ':'",
			              quote(s, q, sizeof(q)));
		while (is_digit((unsigned char)*p) && port <= 65535)
			port = port * 10 + (*p++ - '0');
		if (port < 1 || port > 65535)
			return reject(why, whysize,
			              "%s is not a web address: the port must be 1 to 65535",
			              quote(s, q, sizeof(q)));
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return reject(why, whysize,
		              "%s is not a web address: expected '/', '?' or '#' after the host",
		              quote(s, q, sizeof(q)));
	return true;
}

/* --- opening hours ---------------------------------------------------- */

#define HOURS_MAX_LENGTH 256
#define HOURS_MAX_SPANS 32

/* One opening span: the days it applies to (bit 0 Monday ... bit 6 Sunday)
 * and the minutes of the day [start, end), end at most 24:00. */
struct hours_span {
	unsigned char days;
	unsigned short start, end;
};

struct hours {
	bool always;
	size_t count;
	struct hours_span span[HOURS_MAX_SPANS];
};

static const char *const day_abbrev[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
static const char *const day_short[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* The day (0 Monday) at p, or -1. */
static int hours_day(const char *p)
{
	for (int d = 0; d < 7; d++)
		if (p[0] == day_abbrev[d][0] && p[0] != '\0' && p[1] == day_abbrev[d][1])
			return d;
	return -1;
}

/* HH:MM at p, 00:00 to 24:00, in minutes; -1 when malformed. */
static int hours_time(const char *p)
{
	int h, m;

	if (!digits_at(p, 2, &h) || p[2] != ':' || !digits_at(p + 3, 2, &m))
		return -1;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/* Parse the hours grammar:
 *	hours = "24/7" / rule *(("," / ";") *SP rule)
 *	rule  = days 1*SP span *("," *SP span)
 *	days  = dayset *("," dayset)      ; "Mo,We" - no spaces inside
 *	dayset = day ["-" day]            ; ranges may wrap: "Fr-Mo"
 *	span  = HH:MM "-" HH:MM           ; end after start, 24:00 allowed
 * A span across midnight is written as two: "Fr 22:00-24:00, Sa 00:00-06:00". */
static bool hours_parse(const char *s, struct hours *h, char *why, size_t whysize)
{
	char q[QUOTE_SIZE], c[24];
	const char *p = s;

	memset(h, 0, sizeof(*h));
	if (s == NULL || s[0] == '\0')
		return reject(why, whysize,
		              "opening hours are required, e.g. \"Mo-Fr 09:00-18:00\" or \"24/7\"");
	if (strnlen(s, HOURS_MAX_LENGTH + 1) > HOURS_MAX_LENGTH)
		return reject(why, whysize, "%s are not opening hours: longer than %d characters",
		              quote(s, q, sizeof(q)), HOURS_MAX_LENGTH);
	if (strcmp(s, "24/7") == 0) {
		h->always = true;
		return true;
	}
	for (;;) {
		unsigned char days = 0;

		for (;;) {
			int d1 = hours_day(p), d2;

			if (d1 == -1)
				return reject(
				    why, whysize,
				    "%s are not opening hours: expected a day (Mo Tu We Th "
				    "Fr Sa Su) at position %zu, found %s",
				    quote(s, q, sizeof(q)), (size_t)(p - s) + 1,
				    describe_char((unsigned char)*p, c, sizeof(c)));
			p += 2;
			if (is_alpha((unsigned char)*p))
				return reject(why, whysize,
				              "%s are not opening hours: days are written with two "
				              "letters, Mo Tu We Th Fr Sa Su",
				              quote(s, q, sizeof(q)));
			d2 = d1;
			if (*p == '-') {
				d2 = hours_day(p + 1);
				if (d2 == -1)
					return reject(
					    why, whysize,
					    "%s are not opening hours: expected a day after "
					    "'-' at position %zu",
					    quote(s, q, sizeof(q)), (size_t)(p - s) + 2);
				p += 3;
				if (is_alpha((unsigned char)*p))
					return reject(why, whysize,
					              "%s are not opening hours: days are written "
					              "with two letters, Mo Tu We Th Fr Sa Su",
					              quote(s, q, sizeof(q)));
			}
			for (int d = d1;; d = (d + 1) % 7) {
				days |= (unsigned char)(1u << d);
				if (d == d2)
					break;
			}
			if (*p == ',' && hours_day(p + 1) != -1) {
				p++;
				continue;
			}
			break;
		}
		if (*p != ' ')
			return reject(why, whysize,
			              "%s are not opening hours: expected a space and HH:MM-HH:MM "
			              "after the days at position %zu",
			              quote(s, q, sizeof(q)), (size_t)(p - s) + 1);
		while (*p == ' ')
			p++;
		for (;;) {
			int start = hours_time(p), end = -1;

			if (start != -1 && p[5] == '-')
				end = hours_time(p + 6);
			if (start == -1 || end == -1)
				return reject(
				    why, whysize,
				    "%s are not opening hours: expected HH:MM-HH:MM (00:00 "
				    "to 24:00) at position %zu",
				    quote(s, q, sizeof(q)), (size_t)(p - s) + 1);
			if (end <= start)
				return reject(
				    why, whysize,
				    "%s are not opening hours: %.5s does not end after it "
				    "starts (split a span across midnight in two: \"Fr "
				    "22:00-24:00, Sa 00:00-06:00\")",
				    quote(s, q, sizeof(q)), p);
			if (h->count == HOURS_MAX_SPANS)
				return reject(why, whysize,
				              "%s are not opening hours: more than %d spans",
				              quote(s, q, sizeof(q)), HOURS_MAX_SPANS);
			h->span[h->count].days = days;
			h->span[h->count].start = (unsigned short)start;
			h->span[h->count].end = (unsigned short)end;
			h->count++;
			p += 11;
			/* "Mo-Fr 09:00-12:00, 13:00-17:00": another span, same days. */
			if (*p == ',') {
				const char *r = p + 1;

				while (*r == ' ')
					r++;
				if (is_digit((unsigned char)*r)) {
					p = r;
					continue;
				}
			}
			break;
		}
		if (*p == '\0')
			return true;
		if (*p != ',' && *p != ';')
			return reject(why, whysize,
			              "%s are not opening hours: found %s at position %zu; "
			              "separate ranges with \", \" or \"; \"",
			              quote(s, q, sizeof(q)),
			              describe_char((unsigned char)*p, c, sizeof(c)),
			              (size_t)(p - s) + 1);
		p++;
		while (*p == ' ')
			p++;
	}
}

bool validate_hours(const char *s, char *why, size_t whysize)
{
	struct hours h;

	return hours_parse(s, &h, why, whysize);
}

int validate_hours_at(const char *hours, int wday, int minute)
{
	struct hours h;

	if (!hours_parse(hours, &h, NULL, 0) || wday < 0 || wday > 6)
		return -1;
	if (h.always)
		return 1;
	for (size_t i = 0; i < h.count; i++)
		if ((h.span[i].days & (1u << wday)) != 0 && minute >= h.span[i].start &&
		    minute < h.span[i].end)
			return 1;
	return 0;
}

int validate_hours_open(const char *hours, const char *tz, long long now, char *local,
                        size_t localsize)
{
	struct hours h;
	int minute, wday;

	if (local != NULL && localsize > 0)
		local[0] = '\0';
	if (!hours_parse(hours, &h, NULL, 0) || tz_local_time(tz, now, &wday, &minute) == -1)
		return -1;
	if (local != NULL && localsize > 0)
		snprintf(local, localsize, "%02d:%02d %s", minute / 60, minute % 60,
		         day_short[wday]);
	return validate_hours_at(hours, wday, minute);
}
