/* load.c - reads origin files: yamldoc reads a file into a bounded tree,
 * the tree is checked key by key, and valid sets become entries. Every
 * problem is reported with file:line:col and a sentence saying what was
 * expected; a file with any problem yields nothing. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "arena.h"
#include "dn.h"
#include "load.h"
#include "util.h"
#include "validate.h"
#include "yamldoc.h"

/* What one file's check needs: where to report, and the entry being built. */
struct loader {
	const char *file;
	const char *base_dn; /* RFC 4514 form (dn_pretty), for entry DNs */
	char *base_norm;     /* dn_normalize'd, for entry keys */
	pocdir_diag_fn fn;
	void *ctx;
	unsigned errors;
	pocdir_error *err;
	struct load_scratch *tree; /* the file's tree, emptied after the check */
	struct load_scratch own;   /* the tree, when the caller keeps none */
	struct arena *data;        /* entries, handed to the origin set */
	/* values per attribute of the entry being built */
	const char *vals[ATTR_COUNT][LOAD_MAX_VALUES];
	size_t nvals[ATTR_COUNT];
	unsigned long vline[ATTR_COUNT][LOAD_MAX_VALUES];
	unsigned long vcol[ATTR_COUNT][LOAD_MAX_VALUES];
	/* the entry's values as stored and their prepared forms, and whether
	 * every one of an attribute's values is its own prepared form */
	const char *sraw[ATTR_COUNT][LOAD_MAX_VALUES];
	const char *snorm[ATTR_COUNT][LOAD_MAX_VALUES];
	bool same[ATTR_COUNT];
	struct extension ext[LOAD_MAX_VALUES];
	size_t next;
	/* interned strings of this origin (in data) */
	struct interned *intern_table;
	size_t intern_size, interned;
	struct entry_attr shared[3];
	bool have_shared;
	/* the last time zone that passed its check: zones repeat */
	char tz_ok[64];
};

/* Report one problem. Formats "file:line:col: message" for err, hands the
 * parts to the caller's callback, and counts it. */
static void problem(struct loader *l, unsigned long line, unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(struct loader *l, unsigned long line, unsigned long col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	l->errors++;
	if (l->errors > LOAD_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->errors == LOAD_MAX_ERRORS)
		snprintf(msg, sizeof(msg), "too many errors (%d); stopping here", LOAD_MAX_ERRORS);
	if (l->fn != NULL) {
		pocdir_diag d = {l->file, line, col, msg};

		l->fn(&d, l->ctx);
	}
	if (l->errors == 1 && l->err != NULL) {
		if (line > 0)
			error_set(l->err, POCDIR_ERR_INVALID, "%s:%lu:%lu: %s", l->file, line, col,
			          msg);
		else
			error_set(l->err, POCDIR_ERR_INVALID, "%s: %s", l->file, msg);
	}
}

/* The tree is yamldoc's, libyaml's document type. The walk reads it
 * through these: a mapping's items are its keys and values alternating, as
 * they are written. */
static const yaml_node_t *node(const struct loader *l, int id)
{
	return &l->tree->doc.nodes.start[id - 1];
}

static unsigned long line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static unsigned long col_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.column + 1;
}

/* A scalar's value, NUL-terminated. */
static const char *text_of(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t len_of(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

static size_t count_of(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	case YAML_MAPPING_NODE:
		return 2 * (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	default:
		return 0;
	}
}

static const yaml_node_t *item(const struct loader *l, const yaml_node_t *n, size_t i)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return node(l, n->data.sequence.items.start[i]);
	return node(l, i % 2 ? n->data.mapping.pairs.start[i / 2].value
	                     : n->data.mapping.pairs.start[i / 2].key);
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "?";
	}
}

/* What an origin file may hold. Sequences are bounded by the node count
 * only: the entries list is checked below, with its own message. */
static const struct yamldoc_limits origin_limits = {
    .max_depth = LOAD_MAX_DEPTH,
    .max_nodes = LOAD_MAX_FILE_BYTES / 2,
    .max_items = LOAD_MAX_FILE_BYTES / 2,
    /* Bounds the duplicate check and what a peer's signed set can make
     * every node that syncs it do: an entry has a few dozen keys. */
    .max_keys = LOAD_MAX_KEYS,
    .max_scalar = LOAD_MAX_SCALAR_BYTES,
    .plain_text = true,
};

const struct yamldoc_limits *load_yaml_limits(void)
{
	return &origin_limits;
}

/* yamldoc's problems are the file's: every one is said and counted. */
static void yaml_problem(void *ctx, unsigned long line, unsigned long column, const char *msg)
{
	problem(ctx, line, column, "%s", msg);
}

/* ---- checking the tree ------------------------------------------------ */

static const char *const origin_keys[] = {"origin",  "name",    "scope", "serial",
                                          "updated", "entries", NULL};
static const char *const entry_keys[] = {
    "id",          "country",      "countries",  "agency",      "agency-type",
    "roles",       "name",         "given-name", "surname",     "title",
    "email",       "email-24x7",   "phone",      "phone-24x7",  "mobile",
    "fax",         "address",      "street",     "locality",    "region",
    "postal-code", "website",      "hours",      "timezone",    "languages",
    "pgp",         "constituency", "valid-from", "valid-until", "verified",
    "changed",     "notes",        NULL};

const char *const *load_entry_keys(void)
{
	return entry_keys;
}

/* Levenshtein distance, for "did you mean" hints on short keys. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32];

	if (la >= 31 || lb >= 31)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Words people write for an entry key, with the key they mean. */
static const struct {
	const char *word, *key;
} key_synonyms[] = {
    {"tz", "timezone"},         {"time-zone", "timezone"},  {"zone", "timezone"},
    {"telephone", "phone"},     {"tel", "phone"},           {"phones", "phone"},
    {"mail", "email"},          {"e-mail", "email"},        {"emails", "email"},
    {"language", "languages"},  {"lang", "languages"},      {"role", "roles"},
    {"organisation", "agency"}, {"organization", "agency"}, {"org", "agency"},
    {"url", "website"},         {"web", "website"},         {"note", "notes"},
    {"comment", "notes"},       {"cc", "country"},          {"fingerprint", "pgp"},
    {"last-name", "surname"},   {"family-name", "surname"}, {"first-name", "given-name"},
    {"zip", "postal-code"},     {"city", "locality"},
};

static void unknown_key(struct loader *l, const yaml_node_t *k, const char *const *known,
                        const char *where)
{
	const char *best = NULL;
	/* A hint only when the key is close to its length: "tz" is two edits
	 * from "id" too, which would mislead. */
	size_t bestd = strlen(text_of(k)) / 2 + 1 < 3 ? strlen(text_of(k)) / 2 + 1 : 3;

	for (size_t i = 0;
	     known == entry_keys && i < sizeof(key_synonyms) / sizeof(key_synonyms[0]); i++)
		if (strcmp(text_of(k), key_synonyms[i].word) == 0) {
			best = key_synonyms[i].key;
			bestd = 0;
		}
	for (size_t i = 0; known[i] != NULL && bestd > 0; i++) {
		size_t d = distance(text_of(k), known[i]);

		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	if (best != NULL)
		problem(l, line_of(k), col_of(k),
		        "unknown key \"%s\" in %s: did you mean \"%s\"? (extension keys start "
		        "with \"x-\")",
		        text_of(k), where, best);
	else
		problem(l, line_of(k), col_of(k),
		        "unknown key \"%s\" in %s (extension keys start with \"x-\"; see "
		        "pocdir-directory(5) for the known keys)",
		        text_of(k), where);
}

static const yaml_node_t *map_get(const struct loader *l, const yaml_node_t *map, const char *key)
{
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp(text_of(k), key) == 0)
			return node(l, p->value);
	}
	return NULL;
}

/* A scalar value or a report that one was expected. */
static const char *want_scalar(struct loader *l, const yaml_node_t *v, const char *key)
{
	if (v->type != YAML_SCALAR_NODE) {
		problem(l, line_of(v), col_of(v), "%s: expected a single value, found %s", key,
		        node_kind(v));
		return NULL;
	}
	if (len_of(v) == 0) {
		problem(l, line_of(v), col_of(v), "%s: value is empty", key);
		return NULL;
	}
	return text_of(v);
}

/* Render a node as YAML flow text, for "x-" keys kept as they were. */
static void render_flow(const struct loader *l, const yaml_node_t *n, char *out, size_t size,
                        size_t *used)
{
	if (n->type == YAML_SCALAR_NODE) {
		int quote = strpbrk(text_of(n), ",[]{}:#\"") != NULL || len_of(n) == 0;
		int w = snprintf(out + *used, size - *used, quote ? "\"%s\"" : "%s", text_of(n));

		if (w > 0)
			*used = *used + (size_t)w < size ? *used + (size_t)w : size - 1;
		return;
	}
	int w = snprintf(out + *used, size - *used, n->type == YAML_SEQUENCE_NODE ? "[" : "{");
	if (w > 0 && *used + 1 < size)
		*used += 1;
	for (size_t i = 0; i < count_of(n); i++) {
		const char *sep = i == 0                                    ? ""
		                  : (n->type == YAML_MAPPING_NODE && i % 2) ? ": "
		                                                            : ", ";

		w = snprintf(out + *used, size - *used, "%s", sep);
		if (w > 0)
			*used = *used + (size_t)w < size ? *used + (size_t)w : size - 1;
		render_flow(l, item(l, n, i), out, size, used);
	}
	w = snprintf(out + *used, size - *used, n->type == YAML_SEQUENCE_NODE ? "]" : "}");
	if (w > 0 && *used + 1 < size)
		*used += 1;
}

static int add_value(struct loader *l, enum attr_id id, const char *text, const yaml_node_t *at)
{
	size_t n = l->nvals[id];

	if (n >= LOAD_MAX_VALUES) {
		problem(l, line_of(at), col_of(at), "%s: more than %d values", attr_by_id(id)->name,
		        LOAD_MAX_VALUES);
		return -1;
	}
	l->vals[id][n] = text;
	l->vline[id][n] = line_of(at);
	l->vcol[id][n] = col_of(at);
	l->nvals[id] = n + 1;
	return 0;
}

typedef bool (*check_fn)(const char *s, char *why, size_t whysize);

/* One value (or, for multi-valued keys, a list or a single value) checked
 * with check and stored as attribute id. */
static void take(struct loader *l, const yaml_node_t *v, const char *key, enum attr_id id,
                 check_fn check, bool multi)
{
	char why[512];

	if (multi && v->type == YAML_SEQUENCE_NODE) {
		if (count_of(v) == 0)
			problem(l, line_of(v), col_of(v), "%s: the list is empty", key);
		for (size_t i = 0; i < count_of(v); i++)
			take(l, item(l, v, i), key, id, check, false);
		return;
	}
	const char *s = want_scalar(l, v, key);
	if (s == NULL)
		return;
	if (check != NULL && !check(s, why, sizeof(why))) {
		problem(l, line_of(v), col_of(v), "%s: %s", key, why);
		return;
	}
	add_value(l, id, s, v);
}

static bool in_scope(const struct origin *o, const char *cc)
{
	/* No scope: already reported at the top; the entries are checked
	 * anyway, and none is said to be outside a scope that is not there. */
	if (o->nscope == 0)
		return true;
	for (size_t i = 0; i < o->nscope; i++)
		if (strcmp(o->scope[i], cc) == 0)
			return true;
	return false;
}

/* RFC 4517 3.3.28: PostalAddress lines are separated by "$", and "\" and
 * "$" inside a line are escaped as \5C and \24. Empty lines are dropped. */
static char *postal_from_text(struct arena *a, const char *text)
{
	/* Escaping may triple the text: it is built on the stack and only its
	 * length kept (a scalar is at most LOAD_MAX_SCALAR_BYTES). */
	char stack[3 * LOAD_MAX_SCALAR_BYTES + 1];
	size_t len = strlen(text), o = 0;
	char *out = len <= LOAD_MAX_SCALAR_BYTES ? stack : arena_alloc(a, len * 3 + 1);
	int line_has_text = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			if (line_has_text) {
				while (o > 0 && out[o - 1] == ' ')
					o--;
				out[o++] = '$';
			}
			line_has_text = 0;
			continue;
		}
		if (!line_has_text && (c == ' ' || c == '\t'))
			continue;
		line_has_text = 1;
		if (c == '\\' || c == '$') {
			memcpy(out + o, c == '\\' ? "\\5C" : "\\24", 3);
			o += 3;
		} else {
			out[o++] = c;
		}
	}
	while (o > 0 && (out[o - 1] == '$' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
	return out == stack ? arena_strndup(a, stack, o) : out;
}

static const char *const contact_classes[] = {"top", "person", "organizationalPerson",
                                              "inetOrgPerson", "pocContact"};

/* Interning: directory values repeat a lot (time zones, hours, roles,
 * agencies, dates), so each distinct short string is stored once per origin.
 * This is most of what keeps a 100k-entry directory small. */
#define INTERN_MAX_LEN 96

static uint32_t intern_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* An interned string, and its prepared form under the last rule a value
 * of it was prepared for: the same value (a time zone, a role) in the next
 * entry then costs a look-up instead of a preparation. */
struct interned {
	const char *s;
	const char *norm; /* may be NULL: the value does not prepare */
	uint32_t hash;
	uint8_t rule; /* 1 + the enum attr_match norm is for; 0: none yet */
};

/* The interned copy of the n bytes of s (n <= INTERN_MAX_LEN), made when
 * it is new; NULL when memory ran out. */
static struct interned *intern_slot(struct loader *l, const char *s, size_t n)
{
	uint32_t h = intern_hash(s, n);
	size_t mask, i;

	if ((l->interned + 1) * 2 > l->intern_size) {
		size_t nsize = l->intern_size ? l->intern_size * 2 : 4096;
		struct interned *nt = calloc(nsize, sizeof(*nt));

		if (nt == NULL)
			return NULL;
		for (size_t j = 0; j < l->intern_size; j++) {
			if (l->intern_table[j].s == NULL)
				continue;
			for (i = l->intern_table[j].hash & (nsize - 1); nt[i].s != NULL;
			     i = (i + 1) & (nsize - 1))
				;
			nt[i] = l->intern_table[j];
		}
		free(l->intern_table);
		l->intern_table = nt;
		l->intern_size = nsize;
	}
	mask = l->intern_size - 1;
	for (i = h & mask; l->intern_table[i].s != NULL; i = (i + 1) & mask) {
		struct interned *k = &l->intern_table[i];

		if (k->hash == h && strncmp(k->s, s, n) == 0 && k->s[n] == '\0')
			return k;
	}
	if ((l->intern_table[i].s = arena_strndup(l->data, s, n)) == NULL)
		return NULL;
	l->intern_table[i].hash = h;
	l->interned++;
	return &l->intern_table[i];
}

static const char *intern(struct loader *l, const char *s, size_t n)
{
	struct interned *k;

	if (n > INTERN_MAX_LEN)
		return arena_strndup(l->data, s, n);
	k = intern_slot(l, s, n);
	return k != NULL ? k->s : NULL;
}

/* Values that are nearly always different from entry to entry: interning
 * them would only cost a hash and a table slot each. */
static bool unique_values(size_t id)
{
	switch (id) {
	case ATTR_UID:
	case ATTR_MAIL:
	case ATTR_TELEPHONE:
	case ATTR_MOBILE:
	case ATTR_FAX:
	case ATTR_EMERGENCYPHONE:
	case ATTR_PGPFINGERPRINT:
	case ATTR_DESCRIPTION:
		return true;
	default:
		return false;
	}
}

/* A copy of s in the origin's arena, interned unless attribute id's values
 * rarely repeat; NULL when memory ran out. */
static const char *value_keep(struct loader *l, enum attr_id id, const char *s)
{
	return unique_values(id) ? arena_strdup(l->data, s) : intern(l, s, strlen(s));
}

/* The attributes every contact of an origin shares (objectClass, pocOrigin,
 * pocSerial) are built once per origin and pointed to by every entry. */
static int shared_make(struct loader *l, const struct origin *o, const char *serial_text)
{
	static const enum attr_id ids[3] = {ATTR_OBJECTCLASS, ATTR_ORIGIN, ATTR_SERIAL};

	for (int k = 0; k < 3; k++) {
		const struct attr_type *t = attr_by_id(ids[k]);
		struct entry_attr *a = &l->shared[k];
		size_t n = k == 0 ? 5 : 1;

		a->id = (uint8_t)ids[k];
		a->count = (uint32_t)n;
		a->raw = arena_alloc(l->data, 2 * n * sizeof(*a->raw));
		if (a->raw == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const char *src = k == 0   ? contact_classes[i]
			                  : k == 1 ? o->id
			                           : serial_text;
			char *norm = attr_normalize(t->equality, src, strlen(src), NULL);

			if (norm == NULL)
				return -1;
			a->raw[i] = src;
			a->raw[n + i] = intern(l, norm, strlen(norm));
			free(norm);
			if (a->raw[n + i] == NULL)
				return -1;
		}
	}
	l->have_shared = true;
	return 0;
}

/* RFC 4512 2.3: value i of attribute id equals an earlier one. */
static void value_given_twice(struct loader *l, size_t id, size_t i)
{
	const struct attr_type *t = attr_by_id((enum attr_id)id);

	problem(l, l->vline[id][i], l->vcol[id][i], "%s: \"%s\" is given twice",
	        t->yaml_key ? t->yaml_key : t->name, l->vals[id][i]);
}

/* Values given twice in an entry that other mistakes keep from being built
 * (entry_make finds them in the others), so that one run of validate says
 * every mistake of the entry. Compared in their prepared form, as there. */
static void duplicate_values(struct loader *l)
{
	for (size_t id = 0; id < ATTR_COUNT; id++) {
		const struct attr_type *t = attr_by_id((enum attr_id)id);
		size_t n = l->nvals[id];
		char **norm;

		if (n < 2 || id == ATTR_POSTAL || (norm = calloc(n, sizeof(*norm))) == NULL)
			continue;
		for (size_t i = 0; i < n; i++) {
			bool invalid;

			norm[i] = attr_normalize(t->equality, l->vals[id][i],
			                         strlen(l->vals[id][i]), &invalid);
			for (size_t j = 0; j < i && norm[i] != NULL; j++)
				if (norm[j] != NULL && strcmp(norm[j], norm[i]) == 0) {
					value_given_twice(l, id, i);
					break;
				}
		}
		for (size_t i = 0; i < n; i++)
			free(norm[i]);
		free(norm);
	}
}

/* Attributes that often hold another's values (sn, displayName and o the
 * name, cn the agency, preferredLanguage the first language), with that
 * other: the values are then stored and prepared once, and the pointer
 * array is shared. Both have the same equality rule (caseIgnoreMatch). */
static const enum attr_id derived[][2] = {
    {ATTR_SN, ATTR_CN},
    {ATTR_DISPLAYNAME, ATTR_CN},
    {ATTR_O, ATTR_CN},
    {ATTR_PREFLANG, ATTR_LANGUAGE},
};

/* Into *norm, raw (a value of attribute id, in the arena) prepared for
 * id's equality rule: raw itself when that changes nothing, NULL when it
 * does not prepare. -1 when memory ran out. */
static int value_norm(struct loader *l, enum attr_id id, const char *raw, const char **norm)
{
	const struct attr_type *t = attr_by_id(id);
	char normbuf[LOAD_MAX_SCALAR_BYTES * 3 + 1];
	size_t rawlen = strlen(raw);
	bool invalid;
	char *big;

	*norm = NULL;
	if (attr_normalize_into(t->equality, raw, rawlen, normbuf, sizeof(normbuf), &invalid) ==
	    0) {
		*norm = strcmp(normbuf, raw) == 0 ? raw : value_keep(l, id, normbuf);
		return *norm != NULL ? 0 : -1;
	}
	if (invalid)
		return 0;
	/* Longer once prepared than the buffer (NFKC expands some characters
	 * many times). */
	if ((big = attr_normalize(t->equality, raw, rawlen, &invalid)) == NULL)
		return invalid ? 0 : -1;
	*norm = arena_strdup(l->data, big);
	free(big);
	return *norm != NULL ? 0 : -1;
}

/* The values of attribute id stored (interned where they repeat) and
 * prepared, into l->sraw and l->snorm; -1 when memory ran out. Equal
 * values are reported, as RFC 4512 2.3 forbids them in one attribute (and
 * slapd refuses them on import). */
static int value_prepare(struct loader *l, enum attr_id id)
{
	const struct attr_type *t = attr_by_id(id);
	size_t n = l->nvals[id];

	/* The same YAML scalars as a lower id's, prepared already. */
	for (size_t f = 0; f < sizeof(derived) / sizeof(derived[0]); f++) {
		enum attr_id o = derived[f][1];

		if (derived[f][0] == id && o < id && l->nvals[o] == n &&
		    memcmp(l->vals[id], l->vals[o], n * sizeof(char *)) == 0) {
			memcpy(l->sraw[id], l->sraw[o], n * sizeof(char *));
			memcpy(l->snorm[id], l->snorm[o], n * sizeof(char *));
			l->same[id] = l->same[o];
			return 0;
		}
	}
	l->same[id] = true;
	for (size_t i = 0; i < n; i++) {
		const char *src = l->vals[id][i], *raw, *norm = NULL;
		size_t srclen = strlen(src);
		bool interned = id != ATTR_POSTAL && !unique_values(id) && srclen <= INTERN_MAX_LEN;
		struct interned *k = NULL;

		if (interned) {
			if ((k = intern_slot(l, src, srclen)) == NULL)
				return -1;
			raw = k->s;
		} else {
			raw = id == ATTR_POSTAL ? postal_from_text(l->data, src)
			                        : arena_strndup(l->data, src, srclen);
			if (raw == NULL)
				return -1;
		}
		if (k != NULL && k->rule == t->equality + 1) {
			norm = k->norm;
		} else {
			if (value_norm(l, id, raw, &norm) == -1)
				return -1;
			/* Interning the prepared form may have moved the
			 * table: find the raw value's place again. */
			if (interned) {
				if ((k = intern_slot(l, raw, srclen)) == NULL)
					return -1;
				k->norm = norm;
				k->rule = (uint8_t)(t->equality + 1);
			}
		}
		l->sraw[id][i] = raw;
		l->snorm[id][i] = norm;
		l->same[id] = l->same[id] && norm == raw;
		for (size_t j = 0; j < i && norm != NULL; j++)
			if (l->snorm[id][j] != NULL && strcmp(l->snorm[id][j], norm) == 0)
				value_given_twice(l, id, i);
	}
	return 0;
}

/* The attribute whose pointer array attribute id reads as its own, or -1:
 * one of derived[] with the same values, or beginning with them when both
 * are their own prepared forms (the array then holds no prepared half).
 * Values are interned per origin, so equal ones are one pointer. */
static int share_source(const struct loader *l, enum attr_id id)
{
	size_t n = l->nvals[id];

	for (size_t f = 0; f < sizeof(derived) / sizeof(derived[0]); f++) {
		enum attr_id o = derived[f][1];

		if (derived[f][0] != id || l->nvals[o] < n || l->same[id] != l->same[o] ||
		    (l->nvals[o] != n && !l->same[id]))
			continue;
		if (memcmp(l->sraw[id], l->sraw[o], n * sizeof(char *)) == 0 &&
		    (l->same[id] || memcmp(l->snorm[id], l->snorm[o], n * sizeof(char *)) == 0))
			return (int)o;
	}
	return -1;
}

/* Build an entry from the values collected in l; NULL on allocation
 * failure. Values already passed their checks. */
static entry_t *entry_make(struct loader *l, const struct origin *o, const char *serial_text,
                           unsigned long line)
{
	entry_t *e = arena_alloc(l->data, sizeof(*e));
	size_t nattrs = 0, k = 0, nptrs = 0;
	int src[ATTR_COUNT];
	const char **ptrs;

	if (e == NULL)
		return NULL;
	if (!l->have_shared && shared_make(l, o, serial_text) == -1)
		return NULL;
	/* Derived values: sn, cn and preferredLanguage (inetOrgPerson makes it
	 * single-valued); objectClass, pocOrigin and pocSerial are shared. */
	l->nvals[ATTR_OBJECTCLASS] = 1;
	l->nvals[ATTR_ORIGIN] = 1;
	l->nvals[ATTR_SERIAL] = 1;
	if (l->nvals[ATTR_CN] == 0 && l->nvals[ATTR_O] > 0) {
		l->vals[ATTR_CN][0] = l->vals[ATTR_O][0];
		l->nvals[ATTR_CN] = 1;
	}
	/* person requires sn (RFC 4519): the surname when the YAML gives
	 * one, else the whole name; displayName (RFC 2798) is the name. */
	if (l->nvals[ATTR_SN] == 0 && l->nvals[ATTR_CN] > 0) {
		l->vals[ATTR_SN][0] = l->vals[ATTR_CN][0];
		l->nvals[ATTR_SN] = 1;
	}
	l->nvals[ATTR_DISPLAYNAME] = 0;
	if (l->nvals[ATTR_CN] > 0) {
		l->vals[ATTR_DISPLAYNAME][0] = l->vals[ATTR_CN][0];
		l->nvals[ATTR_DISPLAYNAME] = 1;
	}
	l->nvals[ATTR_PREFLANG] = 0;
	if (l->nvals[ATTR_LANGUAGE] > 0) {
		l->vals[ATTR_PREFLANG][0] = l->vals[ATTR_LANGUAGE][0];
		l->nvals[ATTR_PREFLANG] = 1;
	}

	/* Each value as stored and prepared, before anything of the entry is
	 * laid out: how many pointers the entry needs depends on them. */
	for (size_t id = 0; id < ATTR_COUNT; id++) {
		size_t n = l->nvals[id];

		if (n == 0)
			continue;
		nattrs++;
		if (id == ATTR_OBJECTCLASS || id == ATTR_ORIGIN || id == ATTR_SERIAL)
			continue;
		if (value_prepare(l, (enum attr_id)id) == -1)
			return NULL;
	}
	/* One pointer array for the whole entry; an attribute whose values
	 * begin another's (sn, displayName and cn from one name, the first
	 * language as preferredLanguage) reads that one's. */
	for (size_t id = 0; id < ATTR_COUNT; id++) {
		size_t n = l->nvals[id];

		src[id] = -1;
		if (n == 0 || id == ATTR_OBJECTCLASS || id == ATTR_ORIGIN || id == ATTR_SERIAL)
			continue;
		src[id] = share_source(l, (enum attr_id)id);
		if (src[id] == -1)
			nptrs += l->same[id] ? n : 2 * n;
	}
	e->attrs = arena_alloc(l->data, nattrs * sizeof(*e->attrs));
	ptrs = arena_alloc(l->data, nptrs * sizeof(*ptrs));
	if (e->attrs == NULL || ptrs == NULL)
		return NULL;
	for (size_t id = 0; id < ATTR_COUNT; id++) {
		size_t n = l->nvals[id];
		struct entry_attr *a;

		if (n == 0)
			continue;
		a = &e->attrs[k++];
		if (id == ATTR_OBJECTCLASS || id == ATTR_ORIGIN || id == ATTR_SERIAL) {
			*a = l->shared[id == ATTR_OBJECTCLASS ? 0 : id == ATTR_ORIGIN ? 1 : 2];
			continue;
		}
		a->id = (uint8_t)id;
		a->count = (uint32_t)n;
		a->same_norm = l->same[id];
		if (src[id] == -1) {
			a->raw = ptrs;
			memcpy(ptrs, l->sraw[id], n * sizeof(*ptrs));
			ptrs += n;
			if (!a->same_norm) {
				memcpy(ptrs, l->snorm[id], n * sizeof(*ptrs));
				ptrs += n;
			}
		}
	}
	/* The sources of shared arrays are never shared themselves. */
	e->nattrs = nattrs;
	for (size_t i = 0; i < nattrs; i++)
		if (src[e->attrs[i].id] >= 0)
			e->attrs[i].raw = entry_attr(e, (enum attr_id)src[e->attrs[i].id])->raw;
	e->kind = ENTRY_CONTACT;
	e->id = (char *)entry_attr(e, ATTR_UID)->raw[0];
	e->country = (char *)entry_attr(e, ATTR_C)->raw[0];
	e->origin = o->id;
	e->serial = o->serial;
	e->file = o->path;
	e->line = line;
	{
		/* Packed as strings are (no alignment), through a buffer big
		 * enough for either form. */
		size_t base = strlen(l->base_dn) > strlen(l->base_norm) ? strlen(l->base_dn)
		                                                        : strlen(l->base_norm);
		size_t size = strlen(e->id) + strlen(e->country) + base + sizeof("uid=,c=,");
		char stack[256], *dn = size <= sizeof(stack) ? stack : malloc(size);
		int n;

		if (dn == NULL)
			return NULL;
		n = snprintf(dn, size, "uid=%s,c=%s,%s", e->id, e->country, l->base_dn);
		e->dn = arena_strndup(l->data, dn, (size_t)n);
		/* The key is dn_normalize(dn), composed: ids and country codes
		 * need no escaping, and the base is normalised once per file. */
		n = snprintf(dn, size, "uid=%s,c=%s,%s", e->id, e->country, l->base_norm);
		e->dn_norm = arena_strndup(l->data, dn, (size_t)n);
		if (dn != stack)
			free(dn);
		if (e->dn == NULL || e->dn_norm == NULL)
			return NULL;
		dn_fold(e->dn_norm);
	}
	if (l->next > 0) {
		e->ext = arena_alloc(l->data, l->next * sizeof(*e->ext));
		if (e->ext == NULL)
			return NULL;
		memcpy(e->ext, l->ext, l->next * sizeof(*e->ext));
		e->next = l->next;
	}
	return e;
}

/* Keys that map to one attribute with one check, sorted for bsearch:
 * entries have some twenty keys each, so a chain of strcmp would cost. */
struct simple_key {
	const char *key;
	enum attr_id id;
	check_fn check;
	bool multi;
};

static const struct simple_key simple_keys[] = {
    {"address", ATTR_POSTAL, NULL, false},
    {"agency", ATTR_O, NULL, false},
    {"agency-type", ATTR_AGENCYTYPE, validate_agency_type, false},
    {"changed", ATTR_CHANGED, validate_date, false},
    {"constituency", ATTR_CONSTITUENCY, NULL, false},
    {"email", ATTR_MAIL, validate_email, true},
    {"email-24x7", ATTR_EMERGENCYMAIL, validate_email, true},
    {"fax", ATTR_FAX, validate_phone, true},
    {"given-name", ATTR_GIVENNAME, NULL, false},
    {"hours", ATTR_HOURS, validate_hours, false},
    {"id", ATTR_UID, validate_id, false},
    {"languages", ATTR_LANGUAGE, validate_language, true},
    {"locality", ATTR_LOCALITY, NULL, false},
    {"mobile", ATTR_MOBILE, validate_phone, true},
    {"name", ATTR_CN, NULL, false},
    {"notes", ATTR_DESCRIPTION, NULL, false},
    {"phone", ATTR_TELEPHONE, validate_phone, true},
    {"phone-24x7", ATTR_EMERGENCYPHONE, validate_phone, true},
    {"postal-code", ATTR_POSTALCODE, NULL, false},
    {"region", ATTR_REGION, NULL, false},
    {"roles", ATTR_ROLE, validate_role, true},
    {"street", ATTR_STREET, NULL, false},
    {"surname", ATTR_SN, NULL, false},
    {"title", ATTR_TITLE, NULL, false},
    {"valid-from", ATTR_VALIDFROM, validate_date, false},
    {"valid-until", ATTR_VALIDUNTIL, validate_date, false},
    {"verified", ATTR_VERIFIED, validate_date, false},
    {"website", ATTR_URI, validate_url, true},
};

static int simple_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct simple_key *)elem)->key);
}

int load_check_value(const char *key, const char *value, bool *multi, char *why, size_t whysize)
{
	const struct simple_key *sk;

	*multi = false;
	if (strcmp(key, "country") == 0 || strcmp(key, "countries") == 0) {
		*multi = strcmp(key, "countries") == 0;
		return validate_country(value, why, whysize) ? 0 : -1;
	}
	if (strcmp(key, "pgp.fingerprint") == 0)
		return validate_pgp_fingerprint(value, why, whysize) ? 0 : -1;
	if (strcmp(key, "pgp.expires") == 0)
		return validate_date(value, why, whysize) ? 0 : -1;
	if (strcmp(key, "timezone") == 0)
		return validate_timezone(value, why, whysize) ? 0 : -1;
	sk = bsearch(key, simple_keys, sizeof(simple_keys) / sizeof(simple_keys[0]),
	             sizeof(simple_keys[0]), simple_key_cmp);
	if (sk == NULL) {
		snprintf(why, whysize, "\"%s\" is not an entry key", key);
		return -2;
	}
	*multi = sk->multi;
	if (sk->check == NULL)
		return 0;
	return sk->check(value, why, whysize) ? 0 : -1;
}

/* Check one entry mapping and, when it is valid, build it. */
static entry_t *check_entry(struct loader *l, const yaml_node_t *map, const struct origin *o,
                            const char *serial_text)
{
	unsigned before = l->errors;
	if (map->type != YAML_MAPPING_NODE) {
		problem(l, line_of(map), col_of(map),
		        "entries: each entry is a mapping (id, country, agency, roles, ...), found "
		        "%s",
		        node_kind(map));
		return NULL;
	}
	memset(l->nvals, 0, sizeof(l->nvals));
	l->next = 0;
	for (size_t i = 0; i + 1 < count_of(map); i += 2) {
		const yaml_node_t *k = item(l, map, i), *v = item(l, map, i + 1);
		const char *key = text_of(k);

		if (k->type != YAML_SCALAR_NODE) {
			problem(l, line_of(k), col_of(k), "keys must be plain words");
			continue;
		}
		const struct simple_key *sk =
		    bsearch(key, simple_keys, sizeof(simple_keys) / sizeof(simple_keys[0]),
		            sizeof(simple_keys[0]), simple_key_cmp);

		if (sk != NULL) {
			take(l, v, key, sk->id, sk->check, sk->multi);
		} else if (strncmp(key, "x-", 2) == 0) {
			char text[LOAD_MAX_SCALAR_BYTES + 1];
			size_t used = 0;

			if (l->next >= LOAD_MAX_VALUES) {
				problem(l, line_of(k), col_of(k), "too many extension keys");
				continue;
			}
			text[0] = '\0';
			if (v->type == YAML_SCALAR_NODE)
				snprintf(text, sizeof(text), "%s", text_of(v));
			else
				render_flow(l, v, text, sizeof(text), &used);
			l->ext[l->next].key = arena_strdup(l->data, key);
			l->ext[l->next].value = arena_strdup(l->data, text);
			l->next++;
		} else if (strcmp(key, "country") == 0 || strcmp(key, "countries") == 0) {
			bool multi = strcmp(key, "countries") == 0;
			enum attr_id id = multi ? ATTR_COUNTRYSERVED : ATTR_C;
			size_t first = l->nvals[id];

			take(l, v, key, id, validate_country, multi);
			for (size_t j = first; j < l->nvals[id]; j++)
				if (!in_scope(o, l->vals[id][j]))
					problem(l, l->vline[id][j], l->vcol[id][j],
					        "%s: %s is outside the scope of origin \"%s\" "
					        "(scope: %s%s)",
					        key, l->vals[id][j], o->id, o->scope[0],
					        o->nscope > 1 ? ", ..." : "");
		} else if (strcmp(key, "timezone") == 0) {
			/* The check reads tzdata from disk; zones repeat, so
			 * the last good one is remembered. */
			if (v->type == YAML_SCALAR_NODE && len_of(v) < sizeof(l->tz_ok) &&
			    strcmp(text_of(v), l->tz_ok) == 0) {
				take(l, v, key, ATTR_TIMEZONE, NULL, false);
			} else {
				size_t before_tz = l->nvals[ATTR_TIMEZONE];

				take(l, v, key, ATTR_TIMEZONE, validate_timezone, false);
				if (l->nvals[ATTR_TIMEZONE] > before_tz &&
				    len_of(v) < sizeof(l->tz_ok))
					memcpy(l->tz_ok, text_of(v), len_of(v) + 1);
			}
		} else if (strcmp(key, "pgp") == 0) {
			static const char *const pgp_keys[] = {"fingerprint", "expires", NULL};
			const yaml_node_t *fp, *ex;

			if (v->type != YAML_MAPPING_NODE) {
				problem(l, line_of(v), col_of(v),
				        "pgp: expected a mapping { fingerprint: ..., expires: "
				        "YYYY-MM-DD }, found %s",
				        node_kind(v));
				continue;
			}
			for (size_t j = 0; j + 1 < count_of(v); j += 2) {
				const yaml_node_t *pk = item(l, v, j);

				if (pk->type == YAML_SCALAR_NODE &&
				    strcmp(text_of(pk), "fingerprint") != 0 &&
				    strcmp(text_of(pk), "expires") != 0 &&
				    strncmp(text_of(pk), "x-", 2) != 0)
					unknown_key(l, pk, pgp_keys, "pgp");
			}
			fp = map_get(l, v, "fingerprint");
			ex = map_get(l, v, "expires");
			if (fp == NULL)
				problem(l, line_of(v), col_of(v),
				        "pgp: the fingerprint is missing");
			else
				take(l, fp, "pgp.fingerprint", ATTR_PGPFINGERPRINT,
				     validate_pgp_fingerprint, false);
			if (ex != NULL)
				take(l, ex, "pgp.expires", ATTR_PGPEXPIRES, validate_date, false);
		} else {
			unknown_key(l, k, entry_keys, "an entry");
		}
	}
	if (l->nvals[ATTR_UID] == 0)
		problem(l, line_of(map), col_of(map),
		        "entry has no \"id\": expected a short name "
		        "unique within its country, e.g. id: krcert");
	if (l->nvals[ATTR_C] == 0)
		problem(l, line_of(map), col_of(map),
		        "entry has no \"country\": expected an ISO 3166-1 code, e.g. country: KR");
	if (l->nvals[ATTR_O] == 0)
		problem(l, line_of(map), col_of(map), "entry has no \"agency\"");
	/* A key given with bad values has been reported already: saying it
	 * is missing too would repeat the first error. */
	if (l->nvals[ATTR_ROLE] == 0 && map_get(l, map, "roles") == NULL)
		problem(l, line_of(map), col_of(map),
		        "entry has no \"roles\": expected a list such as [technical, 24x7]");
	if (l->nvals[ATTR_MAIL] + l->nvals[ATTR_TELEPHONE] + l->nvals[ATTR_EMERGENCYPHONE] +
	            l->nvals[ATTR_EMERGENCYMAIL] + l->nvals[ATTR_MOBILE] ==
	        0 &&
	    map_get(l, map, "email") == NULL && map_get(l, map, "phone") == NULL &&
	    map_get(l, map, "phone-24x7") == NULL && map_get(l, map, "email-24x7") == NULL &&
	    map_get(l, map, "mobile") == NULL)
		problem(l, line_of(map), col_of(map),
		        "entry has no way to reach it: give at least an email or a phone");
	if (l->nvals[ATTR_VALIDFROM] && l->nvals[ATTR_VALIDUNTIL] &&
	    strcmp(l->vals[ATTR_VALIDFROM][0], l->vals[ATTR_VALIDUNTIL][0]) > 0)
		problem(l, l->vline[ATTR_VALIDUNTIL][0], l->vcol[ATTR_VALIDUNTIL][0],
		        "valid-until %s is before valid-from %s", l->vals[ATTR_VALIDUNTIL][0],
		        l->vals[ATTR_VALIDFROM][0]);
	if (l->nvals[ATTR_HOURS] && !l->nvals[ATTR_TIMEZONE] &&
	    strcmp(l->vals[ATTR_HOURS][0], "24/7") != 0)
		problem(l, l->vline[ATTR_HOURS][0], l->vcol[ATTR_HOURS][0],
		        "hours need a timezone to be read: add e.g. timezone: Asia/Seoul");
	if (l->errors != before) {
		duplicate_values(l);
		return NULL;
	}
	return entry_make(l, o, serial_text, line_of(map));
}

/* An entry's id and country as written, for the duplicate check. */
struct id_seen {
	const yaml_node_t *id, *country;
};

static int id_seen_compare(const void *pa, const void *pb)
{
	const struct id_seen *a = pa, *b = pb;
	int c = strcasecmp(text_of(a->country), text_of(b->country));

	if (c == 0)
		c = strcasecmp(text_of(a->id), text_of(b->id));
	if (c == 0)
		c = line_of(a->id) < line_of(b->id) ? -1 : line_of(a->id) > line_of(b->id);
	return c;
}

/* Ids are unique within a country: checked over every entry as written,
 * valid or not (an entry with a bad phone still takes its id), and
 * reported where the later id is. */
static void duplicate_ids(struct loader *l, const yaml_node_t *entries)
{
	struct id_seen *seen = malloc((count_of(entries) + 1) * sizeof(*seen));
	size_t n = 0;

	if (seen == NULL) {
		problem(l, 0, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < count_of(entries); i++) {
		const yaml_node_t *e = item(l, entries, i), *id, *cc;

		if (e->type != YAML_MAPPING_NODE || (id = map_get(l, e, "id")) == NULL ||
		    (cc = map_get(l, e, "country")) == NULL || id->type != YAML_SCALAR_NODE ||
		    cc->type != YAML_SCALAR_NODE)
			continue;
		seen[n++] = (struct id_seen){id, cc};
	}
	qsort(seen, n, sizeof(*seen), id_seen_compare);
	for (size_t i = 1; i < n; i++)
		if (strcasecmp(text_of(seen[i - 1].country), text_of(seen[i].country)) == 0 &&
		    strcasecmp(text_of(seen[i - 1].id), text_of(seen[i].id)) == 0) {
			size_t first = i - 1;

			while (first > 0 &&
			       strcasecmp(text_of(seen[first - 1].country),
			                  text_of(seen[i].country)) == 0 &&
			       strcasecmp(text_of(seen[first - 1].id), text_of(seen[i].id)) == 0)
				first--;
			problem(l, line_of(seen[i].id), col_of(seen[i].id),
			        "id \"%s\" is used twice in country %s (first at line %lu): ids "
			        "are unique within a country",
			        text_of(seen[i].id), text_of(seen[i].country),
			        line_of(seen[first].id));
		}
	free(seen);
}

static int check_origin(struct loader *l, const yaml_node_t *root, struct origin_set *out)
{
	struct origin *o = &out->origin;
	const yaml_node_t *v, *entries;
	char why[512];
	const char *serial_text = NULL;

	if (root->type != YAML_MAPPING_NODE) {
		problem(l, line_of(root), col_of(root),
		        "expected a mapping with origin, scope, serial and entries, found %s",
		        node_kind(root));
		return -1;
	}
	for (size_t i = 0; i + 1 < count_of(root); i += 2) {
		const yaml_node_t *k = item(l, root, i);
		int known = 0;

		if (k->type != YAML_SCALAR_NODE) {
			problem(l, line_of(k), col_of(k), "keys must be plain words");
			continue;
		}
		for (size_t j = 0; origin_keys[j] != NULL; j++)
			known |= strcmp(text_of(k), origin_keys[j]) == 0;
		if (!known && strncmp(text_of(k), "x-", 2) != 0)
			unknown_key(l, k, origin_keys, "the origin");
	}
	if ((v = map_get(l, root, "origin")) == NULL) {
		problem(l, line_of(root), col_of(root),
		        "no \"origin\": expected the participant's id, e.g. origin: kr");
	} else {
		const char *s = want_scalar(l, v, "origin");

		if (s != NULL && !validate_id(s, why, sizeof(why)))
			problem(l, line_of(v), col_of(v), "origin: %s", why);
		else if (s != NULL)
			o->id = arena_strdup(l->data, s);
	}
	if ((v = map_get(l, root, "name")) != NULL) {
		const char *s = want_scalar(l, v, "name");

		if (s != NULL)
			o->name = arena_strdup(l->data, s);
	}
	if ((v = map_get(l, root, "scope")) == NULL) {
		problem(l, line_of(root), col_of(root),
		        "no \"scope\": expected the countries this origin speaks for, e.g. "
		        "scope: [KR]");
	} else {
		const yaml_node_t *items[LOAD_MAX_VALUES];
		size_t n = 0;

		if (v->type == YAML_SEQUENCE_NODE) {
			if (count_of(v) == 0 || count_of(v) > LOAD_MAX_VALUES)
				problem(l, line_of(v), col_of(v),
				        "scope: expected 1 to %d country codes", LOAD_MAX_VALUES);
			for (size_t i = 0; i < count_of(v) && n < LOAD_MAX_VALUES; i++)
				items[n++] = item(l, v, i);
		} else {
			items[n++] = v;
		}
		o->scope = arena_alloc(l->data, (n + 1) * sizeof(char *));
		if (o->scope == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const char *s = want_scalar(l, items[i], "scope");

			if (s == NULL)
				continue;
			if (!validate_country(s, why, sizeof(why)))
				problem(l, line_of(items[i]), col_of(items[i]), "scope: %s", why);
			else
				o->scope[o->nscope++] = arena_strdup(l->data, s);
		}
	}
	if ((v = map_get(l, root, "serial")) == NULL) {
		problem(l, line_of(root), col_of(root),
		        "no \"serial\": expected a number that grows with each version, e.g. "
		        "serial: 2026112201");
	} else if ((serial_text = want_scalar(l, v, "serial")) != NULL) {
		char *end;
		uintmax_t n;

		errno = 0;
		n = strtoumax(serial_text, &end, 10);
		if (serial_text[0] < '0' || serial_text[0] > '9' || *end != '\0' || errno != 0 ||
		    n == 0 || n > INT64_MAX) {
			problem(l, line_of(v), col_of(v),
			        "serial: \"%s\" is not a positive whole number (e.g. 2026112201)",
			        serial_text);
			serial_text = NULL;
		} else {
			o->serial = (uint64_t)n;
			serial_text = arena_strdup(l->data, serial_text);
		}
	}
	if ((v = map_get(l, root, "updated")) != NULL) {
		const char *s = want_scalar(l, v, "updated");

		if (s != NULL && !validate_timestamp(s, why, sizeof(why)))
			problem(l, line_of(v), col_of(v), "updated: %s", why);
		else if (s != NULL)
			o->updated = arena_strdup(l->data, s);
	}
	entries = map_get(l, root, "entries");
	if (entries == NULL) {
		problem(l, line_of(root), col_of(root),
		        "no \"entries\": expected a list of contacts");
		return -1;
	}
	if (entries->type != YAML_SEQUENCE_NODE) {
		problem(l, line_of(entries), col_of(entries), "entries: expected a list, found %s",
		        node_kind(entries));
		return -1;
	}
	if (count_of(entries) > LOAD_MAX_ENTRIES) {
		problem(l, line_of(entries), col_of(entries), "entries: more than %d entries",
		        LOAD_MAX_ENTRIES);
		return -1;
	}
	/* A top that is wrong has been reported; the entries are still
	 * checked, so that one run of validate names every mistake. The set
	 * fails either way. */
	if (o->id == NULL && (o->id = arena_strdup(l->data, "unknown")) == NULL) {
		problem(l, 0, 0, "out of memory");
		return -1;
	}
	if (serial_text == NULL)
		serial_text = "1";
	o->path = arena_strdup(l->data, l->file);
	out->entries = malloc((count_of(entries) + 1) * sizeof(entry_t *));
	if (out->entries == NULL || o->path == NULL) {
		problem(l, 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count_of(entries) && l->errors < LOAD_MAX_ERRORS; i++) {
		entry_t *e = check_entry(l, item(l, entries, i), o, serial_text);

		if (e != NULL)
			out->entries[out->nentries++] = e;
	}
	qsort(out->entries, out->nentries, sizeof(entry_t *), entry_compare);
	duplicate_ids(l, entries);
	o->count = out->nentries;
	return l->errors == 0 ? 0 : -1;
}

int load_origin_buffer(const char *buf, size_t len, const char *name, const char *base_dn,
                       struct origin_set *out, pocdir_diag_fn fn, void *ctx, unsigned *nerrors,
                       pocdir_error *err)
{
	return load_origin_scratch(buf, len, name, base_dn, out, fn, ctx, nerrors, err, NULL);
}

int load_origin_scratch(const char *buf, size_t len, const char *name, const char *base_dn,
                        struct origin_set *out, pocdir_diag_fn fn, void *ctx, unsigned *nerrors,
                        pocdir_error *err, struct load_scratch *scratch)
{
	struct loader *l = calloc(1, sizeof(*l));
	yaml_node_t *root;
	char *pretty = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (nerrors != NULL)
		*nerrors = 0;
	if (l == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	l->file = name;
	l->tree = scratch != NULL ? scratch : &l->own;
	if (base_dn == NULL)
		base_dn = "dc=pocdir";
	/* A base that is not a DN is kept as written: store_build refuses it. */
	pretty = dn_pretty(base_dn, strlen(base_dn));
	l->base_norm = pretty != NULL ? dn_normalize(pretty, strlen(pretty)) : str_lower(base_dn);
	l->base_dn = pretty != NULL ? pretty : base_dn;
	l->fn = fn;
	l->ctx = ctx;
	l->err = err;
	l->data = arena_new();
	if (l->tree->pool == NULL)
		l->tree->pool = arena_new();
	if (l->data == NULL || l->tree->pool == NULL || l->base_norm == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto done;
	}
	if (len > LOAD_MAX_FILE_BYTES) {
		problem(l, 0, 0, "file of %zu bytes is larger than the limit of %u", len,
		        LOAD_MAX_FILE_BYTES);
		goto done;
	}
	if (yamldoc_load_each(name, buf, len, &origin_limits, yaml_problem, l, l->tree->pool,
	                      &l->tree->doc) == 0) {
		/* After a problem yamldoc read past, the rest is checked
		 * too, so that one run names every mistake. */
		if ((root = yaml_document_get_root_node(&l->tree->doc)) != NULL)
			rc = check_origin(l, root, out);
		else
			problem(l, 1, 1,
			        "the file is empty: expected a mapping with origin, scope, serial "
			        "and entries");
	}
	if (l->errors > 0)
		rc = -1;
done:
	if (scratch != NULL)
		arena_reset(scratch->pool);
	else
		load_scratch_free(&l->own);
	if (nerrors != NULL)
		*nerrors = l->errors;
	if (err != NULL && l->errors > 0)
		err->count = l->errors;
	free(l->intern_table);
	free(l->base_norm);
	free(pretty);
	out->origin.arena = l->data;
	if (rc != 0)
		origin_set_clear(out);
	free(l);
	return rc;
}

int load_origin_file(const char *path, const char *base_dn, struct origin_set *out,
                     pocdir_diag_fn fn, void *ctx, unsigned *nerrors, pocdir_error *err)
{
	return load_origin_file_scratch(path, base_dn, out, fn, ctx, nerrors, err, NULL);
}

int load_origin_file_scratch(const char *path, const char *base_dn, struct origin_set *out,
                             pocdir_diag_fn fn, void *ctx, unsigned *nerrors, pocdir_error *err,
                             struct load_scratch *scratch)
{
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (nerrors != NULL)
		*nerrors = 0;
	if (file_read(path, LOAD_MAX_FILE_BYTES, &buf, &len, err) == -1) {
		if (fn != NULL) {
			pocdir_diag d = {path, 0, 0, err != NULL ? err->message : "cannot read"};

			fn(&d, ctx);
		}
		if (nerrors != NULL)
			*nerrors = 1;
		return -1;
	}
	rc = load_origin_scratch(buf, len, path, base_dn, out, fn, ctx, nerrors, err, scratch);
	free(buf);
	return rc;
}

void load_scratch_free(struct load_scratch *scratch)
{
	yamldoc_pool_delete(&scratch->doc);
	arena_free(&scratch->pool);
}

void origin_set_clear(struct origin_set *set)
{
	if (set == NULL)
		return;
	free(set->entries);
	arena_free(&set->origin.arena);
	memset(set, 0, sizeof(*set));
}

static int name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int load_list_files(const char *path, char ***files, pocdir_error *err)
{
	struct stat st;
	char *dirpath = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char **list = NULL;
	size_t n = 0, cap = 0;

	*files = NULL;
	if (stat(path, &st) == -1)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		list = calloc(2, sizeof(char *));
		if (list == NULL || (list[0] = str_dup(path)) == NULL) {
			free(list);
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		}
		*files = list;
		return 1;
	}
	{
		size_t len = strlen(path) + 16;
		struct stat os;

		dirpath = malloc(len);
		if (dirpath == NULL)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		snprintf(dirpath, len, "%s/origins", path);
		if (stat(dirpath, &os) == -1 || !S_ISDIR(os.st_mode))
			snprintf(dirpath, len, "%s", path);
	}
	d = opendir(dirpath);
	if (d == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", dirpath, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *full;

		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0 || de->d_name[0] == '.')
			continue;
		if (n + 2 > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nl = realloc(list, ncap * sizeof(char *));

			if (nl == NULL)
				goto oom;
			list = nl;
			cap = ncap;
		}
		len += strlen(dirpath) + 2;
		full = malloc(len);
		if (full == NULL)
			goto oom;
		snprintf(full, len, "%s/%s", dirpath, de->d_name);
		list[n++] = full;
		list[n] = NULL;
	}
	closedir(d);
	d = NULL;
	if (n == 0) {
		error_set(err, POCDIR_ERR_INVALID,
		          "%s: no origin files (*.yaml) found: expected %s/origins/<id>.yaml", path,
		          path);
		goto fail;
	}
	qsort(list, n, sizeof(char *), name_order);
	free(dirpath);
	*files = list;
	return (int)n;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
fail:
	if (d != NULL)
		closedir(d);
	if (list != NULL) {
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		free(list);
	}
	free(dirpath);
	return -1;
}
