/* pocdir.h - public interface of libpocdir, a directory of national and CERT
 * points of contact (PoCs) for ICT-security incidents.
 *
 * Walkthrough: open a directory, ask a question, read the answers, free.
 *
 *	#include <pocdir.h>
 *
 *	pocdir_error err;
 *	pocdir *dir = pocdir_open("/usr/share/pocdir/directory", &err);
 *	if (dir == NULL) {
 *		fprintf(stderr, "%s\n", err.message);
 *		return 2;
 *	}
 *	pocdir_query q = { .country = "KR", .role = "technical" };
 *	pocdir_result *res;
 *	if (pocdir_lookup(dir, &q, &res, &err) == -1) { ... }
 *	for (size_t i = 0; i < pocdir_result_count(res); i++) {
 *		const pocdir_entry *e = pocdir_result_entry(res, i);
 *		const char *const *mail;
 *		size_t n = pocdir_entry_get(e, "mail", &mail);
 *		printf("%s %s\n", pocdir_entry_dn(e), n ? mail[0] : "-");
 *	}
 *	pocdir_result_free(&res);
 *	pocdir_free(&dir);
 *
 * Build with: cc prog.c $(pkg-config --cflags --libs pocdir)
 *
 * Conventions:
 * - Functions that can fail return 0 (or a count, or a pointer) on success and
 *   -1 (or NULL) on failure, and then fill the caller's pocdir_error.
 * - Every object from a _open/_new/_lookup/_search function is freed with the
 *   matching _free, which takes the address of the pointer, accepts NULL and
 *   sets the pointer to NULL.
 * - Strings returned by accessors belong to the object they came from and live
 *   as long as it does.
 * - A pocdir handle may be used by many threads at once. A result keeps the
 *   version of the directory it was computed on alive, so a reload never
 *   changes or frees an answer being read.
 * - The library never exits and never prints.
 */
#ifndef POCDIR_H
#define POCDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POCDIR_VERSION_STRING "0.1.0"

/* Error codes, stored in pocdir_error.code. */
enum pocdir_status {
	POCDIR_OK = 0,
	POCDIR_ERR_SYSTEM = 1,  /* I/O or allocation failure; errno-style cause in message */
	POCDIR_ERR_INVALID = 2, /* the directory data failed validation */
	POCDIR_ERR_FILTER = 3,  /* a search filter could not be parsed */
	POCDIR_ERR_USAGE = 4,   /* an argument was out of range or malformed */
	POCDIR_ERR_LIMIT = 5,   /* a configured limit was exceeded */
	POCDIR_ERR_NOTFOUND = 6 /* a named object does not exist */
};

/* What went wrong, where and why: "origins/kr.yaml:14:5: phone ... is not an
 * E.164 number". For a directory with several errors, message holds the first
 * and count says how many there were. */
typedef struct pocdir_error {
	int code;
	unsigned count;
	char message[1024];
} pocdir_error;

/* One diagnostic of validation, handed to a pocdir_diag_fn. file is the path
 * as given, line and column count from 1 (0 when not known). */
typedef struct pocdir_diag {
	const char *file;
	unsigned long line;
	unsigned long column;
	const char *message;
} pocdir_diag;

typedef void (*pocdir_diag_fn)(const pocdir_diag *diag, void *ctx);

typedef struct pocdir pocdir;
typedef struct pocdir_result pocdir_result;
typedef struct pocdir_entry pocdir_entry;

/* Open a directory: a folder holding origins/<id>.yaml (or *.yaml directly),
 * or one origin file. Returns NULL and fills err when anything fails to load
 * or validate; nothing is half-loaded. Free with pocdir_free. */
pocdir *pocdir_open(const char *path, pocdir_error *err);

/* Options for pocdir_open_options; members left NULL take their defaults. */
typedef struct pocdir_options {
	const char *path;    /* directory folder or file (required) */
	const char *base_dn; /* DN the tree hangs under; default "dc=pocdir" */
} pocdir_options;

/* As pocdir_open, with options. */
pocdir *pocdir_open_options(const pocdir_options *opts, pocdir_error *err);

/* Free a handle and set *dir to NULL. Results still held stay valid. */
void pocdir_free(pocdir **dir);

/* Load path again (or the path given to pocdir_open when path is NULL) and
 * swap it in. On failure the loaded version stays in service. */
int pocdir_reload(pocdir *dir, const char *path, pocdir_error *err);

/* Validate path without opening it. Every problem (up to a limit) is passed to
 * fn, which may be NULL. Returns the number of problems found (0 = valid), or
 * -1 when the path cannot be read at all. */
int pocdir_validate(const char *path, pocdir_diag_fn fn, void *ctx, pocdir_error *err);

/* Everyday question. Every member may be NULL (meaning "any"):
 * country is an ISO 3166-1 alpha-2 code (case-insensitive), agency a
 * case-insensitive substring of the agency name, role one role name, id an
 * entry id. Answered from indexes. */
typedef struct pocdir_query {
	const char *country;
	const char *agency;
	const char *role;
	const char *id;
} pocdir_query;

/* Run q; *out receives a result (possibly empty) to free with
 * pocdir_result_free. Entries come sorted by country, then id. */
int pocdir_lookup(pocdir *dir, const pocdir_query *q, pocdir_result **out, pocdir_error *err);

/* Search contacts with an RFC 4515 filter string such as
 * "(&(c=KR)(pocRole=technical))". Entries the filter evaluates to TRUE for are
 * returned; FALSE and Undefined are left out (RFC 4511 4.5.1.7). */
int pocdir_search(pocdir *dir, const char *filter, pocdir_result **out, pocdir_error *err);

/* Find one entry by "CC/id", by id when unique, or by its DN
 * ("uid=krcert,c=KR,dc=pocdir"). Returns 0 with a result of one entry, or -1
 * with POCDIR_ERR_NOTFOUND (or POCDIR_ERR_USAGE when an id is ambiguous). */
int pocdir_show(pocdir *dir, const char *key, pocdir_result **out, pocdir_error *err);

/* Every contact in the directory, sorted by country then id. */
int pocdir_all(pocdir *dir, pocdir_result **out, pocdir_error *err);

size_t pocdir_result_count(const pocdir_result *res);
const pocdir_entry *pocdir_result_entry(const pocdir_result *res, size_t i);
void pocdir_result_free(pocdir_result **res);

/* The entry's id, its country code, its origin and its DN under the base DN
 * (default "dc=pocdir"). */
const char *pocdir_entry_id(const pocdir_entry *e);
const char *pocdir_entry_country(const pocdir_entry *e);
const char *pocdir_entry_origin(const pocdir_entry *e);
const char *pocdir_entry_dn(const pocdir_entry *e);

/* Values of an attribute by its LDAP name or alias ("mail", "cn", "role"...),
 * case-insensitive. Returns the number of values; *values (if not NULL) points
 * at an array owned by the entry. 0 when the entry has no such attribute. */
size_t pocdir_entry_get(const pocdir_entry *e, const char *attr, const char *const **values);

/* Iterate the attributes an entry carries, in schema order:
 * for (i = 0; (name = pocdir_entry_attr(e, i, &vals, &n)) != NULL; i++) */
const char *pocdir_entry_attr(const pocdir_entry *e, size_t i, const char *const **values,
			      size_t *count);

/* Extension keys ("x-...") as written in the YAML, in file order; the value is
 * the scalar text, or a flow rendering of a sequence or mapping. */
const char *pocdir_entry_extension(const pocdir_entry *e, size_t i, const char **value);

/* The directory's version: a hex SHA-256 over the sorted (origin, serial)
 * pairs. The string belongs to dir's current version; copy it if needed. */
int pocdir_version(pocdir *dir, char *digest, size_t size);

/* Output formats for pocdir_write. */
typedef enum pocdir_format {
	POCDIR_FORMAT_JSON,
	POCDIR_FORMAT_LDIF,
	POCDIR_FORMAT_VCARD,
	POCDIR_FORMAT_CSV
} pocdir_format;

/* Write res to out in fmt. For LDIF, the base and country entries are written
 * first when with_tree is non-zero, so the file loads into an empty slapd. */
int pocdir_write(const pocdir_result *res, pocdir_format fmt, int with_tree, FILE *out,
		 pocdir_error *err);

/* As pocdir_write, limited to the attributes named in attrs (a NULL-terminated
 * list of LDAP names or aliases; NULL means all): JSON keys, CSV columns and
 * LDIF attribute lines. id, dn, country and origin are always written; vCard
 * ignores attrs (a card needs its FN). */
int pocdir_write_attrs(const pocdir_result *res, pocdir_format fmt, const char *const *attrs,
		       int with_tree, FILE *out, pocdir_error *err);

/* Library version string. */
const char *pocdir_library_version(void);

#ifdef __cplusplus
}
#endif
#endif /* POCDIR_H */
