/* query.c - questions as a person types them: a country by code or name,
 * a role with a suggestion, free text that ignores case and accents, and
 * narrowing a result to the entries a caller keeps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "api.h"
#include "attr.h"
#include "filter.h"
#include "util.h"
#include "validate.h"

/* s folded for comparison as a person reads it; NULL when out of memory.
 * The caller frees it. */
static char *query_fold(const char *s)
{
	size_t n = 0, i, o = 0;
	uint8_t *f;
	char *out;

	if (s == NULL)
		return NULL;
	/* Compatibility decomposition, then full case folding (Unicode 3.13):
	 * "É" becomes "e" + U+0301 and "ﬁ" "fi"; dropping the combining
	 * marks leaves what a person types without accents. */
	f = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFKD, NULL, &n);
	if (f == NULL)
		return NULL;
	out = malloc(n + 1);
	if (out == NULL) {
		free(f);
		return NULL;
	}
	for (i = 0; i < n;) {
		ucs4_t uc;
		int k = u8_mbtouc(&uc, f + i, n - i);

		if (k <= 0)
			break;
		if (!uc_is_general_category(uc, UC_CATEGORY_M)) {
			memcpy(out + o, f + i, (size_t)k);
			o += (size_t)k;
		}
		i += (size_t)k;
	}
	out[o] = '\0';
	free(f);
	return out;
}

/* Names people use that are not ISO's short names nor a part of one. */
static const struct {
	const char *name, *code;
} country_aliases[] = {
    {"south korea", "KR"},
    {"republic of korea", "KR"},
    {"north korea", "KP"},
    {"usa", "US"},
    {"united states of america", "US"},
    {"america", "US"},
    {"great britain", "GB"},
    {"britain", "GB"},
    {"england", "GB"},
    {"vietnam", "VN"},
    {"laos", "LA"},
    {"turkey", "TR"},
    {"czech republic", "CZ"},
    {"burma", "MM"},
    {"holland", "NL"},
    {"east timor", "TL"},
    {"ivory coast", "CI"},
};

/* Every assigned code, in order: AA..ZZ through the ISO table. */
static const char *country_next(char code[3], size_t *i)
{
	for (; *i < 26 * 26; (*i)++) {
		const char *name;

		code[0] = (char)('A' + *i / 26);
		code[1] = (char)('A' + *i % 26);
		code[2] = '\0';
		if ((name = validate_country_name(code)) != NULL) {
			(*i)++;
			return name;
		}
	}
	return NULL;
}

/* Append "CC (Name)" to buf for a list of candidates. */
static void candidate_add(char *buf, size_t size, unsigned *n, const char *code, const char *name)
{
	size_t len = strlen(buf);

	if (*n < 6 && len < size)
		snprintf(buf + len, size - len, "%s%s (%s)", *n > 0 ? ", " : "", code, name);
	else if (*n == 6 && len < size)
		snprintf(buf + len, size - len, ", ...");
	(*n)++;
}

int pocdir_country_code(const char *text, char code[3], pocdir_error *err)
{
	char cc[3], why[256], matches[512] = "", *folded = NULL;
	unsigned exact = 0, partial = 0;
	const char *name;
	size_t len, i;

	error_clear(err);
	if (text == NULL || *text == '\0')
		return error_set(err, POCDIR_ERR_USAGE, "no country given");
	len = strlen(text);
	if (len > 200)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "a country is a code or a name, not %zu bytes", len);
	if (len == 2) {
		cc[0] = (char)(text[0] >= 'a' && text[0] <= 'z' ? text[0] - 32 : text[0]);
		cc[1] = (char)(text[1] >= 'a' && text[1] <= 'z' ? text[1] - 32 : text[1]);
		cc[2] = '\0';
		if (validate_country(cc, why, sizeof(why))) {
			memcpy(code, cc, 3);
			return 0;
		}
		return error_set(err, POCDIR_ERR_USAGE, "%s", why);
	}
	folded = query_fold(text);
	if (folded == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	for (i = 0; i < sizeof(country_aliases) / sizeof(country_aliases[0]); i++)
		if (strcmp(folded, country_aliases[i].name) == 0) {
			memcpy(code, country_aliases[i].code, 3);
			free(folded);
			return 0;
		}
	/* A whole name wins over names it is part of ("Congo"); else one name
	 * holding the text is enough ("Japan", "Russia", "korea, republic"). */
	for (i = 0; (name = country_next(cc, &i)) != NULL;) {
		char *fn = query_fold(name);

		if (fn == NULL) {
			free(folded);
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		}
		if (strcmp(fn, folded) == 0) {
			memcpy(code, cc, 3);
			exact++;
		} else if (strstr(fn, folded) != NULL) {
			if (exact == 0 && partial == 0)
				memcpy(code, cc, 3);
			candidate_add(matches, sizeof(matches), &partial, cc, name);
		}
		free(fn);
		if (exact > 0)
			break;
	}
	if (exact > 0 || partial == 1) {
		free(folded);
		return 0;
	}
	if (partial > 1) {
		error_set(err, POCDIR_ERR_USAGE,
		          "\"%s\" is more than one country: %s; give the code", text, matches);
		free(folded);
		return -1;
	}
	free(folded);
	/* An alpha-3 code ("JPN", "DEU"): its alpha-2 code is almost always
	 * two of its letters in order, starting with the first. */
	if (len == 3) {
		for (i = 0; (name = country_next(cc, &i)) != NULL;) {
			char a = (char)(text[0] & ~0x20), b = (char)(text[1] & ~0x20),
			     c = (char)(text[2] & ~0x20);

			if (cc[0] == a && (cc[1] == b || cc[1] == c))
				candidate_add(matches, sizeof(matches), &partial, cc, name);
		}
		if (partial > 0)
			return error_set(
			    err, POCDIR_ERR_USAGE,
			    "\"%s\" is not a country code: codes have two letters (ISO "
			    "3166-1 alpha-2); did you mean %s?",
			    text, matches);
	}
	return error_set(err, POCDIR_ERR_USAGE,
	                 "\"%s\" is neither an ISO 3166-1 alpha-2 code (e.g. JP) nor the name of a "
	                 "country (e.g. Japan)",
	                 text);
}

const char *pocdir_country_name(const char *code)
{
	return validate_country_name(code);
}

int pocdir_role_check(const char *role, pocdir_error *err)
{
	char why[768];

	error_clear(err);
	if (role == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no role given");
	if (validate_role(role, why, sizeof(why)))
		return 0;
	return error_set(err, POCDIR_ERR_USAGE, "%s", why);
}

const char *const *pocdir_role_words(void)
{
	return validate_role_words();
}

/* The attributes free text is looked for in when the caller names none. */
static const char *const text_attrs_default[] = {"cn",    "givenName", "sn",  "displayName",
                                                 "title", "o",         "uid", NULL};

int pocdir_entry_matches_text(const pocdir_entry *e, const char *text, const char *const *attrs)
{
	char *needle;
	size_t a, j;
	int found = 0;

	if (e == NULL || text == NULL)
		return 0;
	needle = query_fold(text);
	if (needle == NULL)
		return -1;
	if (attrs == NULL)
		attrs = text_attrs_default;
	for (a = 0; attrs[a] != NULL && found == 0; a++) {
		const char *const *v;
		size_t n = pocdir_entry_get(e, attrs[a], &v);

		for (j = 0; j < n && found == 0; j++) {
			char *hay = query_fold(v[j]);

			found = hay == NULL ? -1 : strstr(hay, needle) != NULL;
			free(hay);
		}
	}
	free(needle);
	return found;
}

int pocdir_result_filter(const pocdir_result *res, int (*keep)(const pocdir_entry *e, void *ctx),
                         void *ctx, pocdir_result **out, pocdir_error *err)
{
	pocdir_result *r;
	size_t i;

	error_clear(err);
	if (out == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "pocdir_result_filter: no output");
	*out = NULL;
	if (res == NULL || keep == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "pocdir_result_filter: no result or test");
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->items = malloc((res->count + 1) * sizeof(*r->items))) == NULL) {
		free(r);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (i = 0; i < res->count; i++) {
		int k = keep(res->items[i], ctx);

		if (k < 0) {
			free(r->items);
			free(r);
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		}
		if (k > 0)
			r->items[r->count++] = res->items[i];
	}
	r->snapshot = store_ref(res->snapshot);
	*out = r;
	return 0;
}

int pocdir_text_contains(const char *haystack, const char *needle)
{
	char *h, *n;
	int found;

	if (haystack == NULL || needle == NULL)
		return 0;
	h = query_fold(haystack);
	n = query_fold(needle);
	found = h != NULL && n != NULL ? strstr(h, n) != NULL : -1;
	free(h);
	free(n);
	return found;
}

int pocdir_attribute_known(const char *name)
{
	static const char *const pseudo[] = {"dn", "id", "country", "origin", NULL};

	if (name == NULL)
		return 0;
	for (size_t i = 0; pseudo[i] != NULL; i++)
		if (strcasecmp(name, pseudo[i]) == 0)
			return 1;
	return attr_lookup(name, strlen(name)) != NULL;
}

/* Report every item of f whose attribute pocdir does not know. */
static void filter_unknown(const struct filter *f, void (*warn)(const char *, void *), void *ctx)
{
	char msg[512];

	switch (f->choice) {
	case FILTER_AND:
	case FILTER_OR:
		for (size_t i = 0; i < f->u.set.count; i++)
			filter_unknown(f->u.set.children[i], warn, ctx);
		return;
	case FILTER_NOT:
		filter_unknown(f->u.not, warn, ctx);
		return;
	default:
		if (f->attr != NULL || f->attr_name == NULL || warn == NULL)
			return;
		/* RFC 4511 4.5.1.7: such an item is Undefined, never TRUE. */
		snprintf(msg, sizeof(msg),
		         "\"%.64s\" is not an attribute pocdir knows: an item with it matches "
		         "nothing (see pocdir-directory(5) for the attributes)",
		         f->attr_name);
		warn(msg, ctx);
	}
}

int pocdir_filter_check(const char *text, void (*warn)(const char *message, void *ctx), void *ctx,
                        pocdir_error *err)
{
	struct filter *f;

	error_clear(err);
	f = filter_parse(text, NULL, err);
	if (f == NULL)
		return -1;
	filter_unknown(f, warn, ctx);
	filter_free(&f);
	return 0;
}
