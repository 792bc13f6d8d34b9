/* pocdir.h - public interface of libpocdir, a directory of national and CERT
 * points of contact (PoCs) for ICT-security incidents.
 *
 * Walkthrough: open a directory, ask a question, read the answers, free.
 *
 *	#include <pocdir.h>
 *
 *	pocdir_error err = {0};
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
 * - ABI room: the structs a caller allocates and hands in to be read
 *   (pocdir_options, pocdir_query, pocdir_import_options,
 *   pocdir_write_options, pocdir_notice) or filled (pocdir_sign_info,
 *   pocdir_sync_report, pocdir_mail_report, pocdir_ioc) begin with
 *   `size`. Set it to 0 (the struct's first version) or to sizeof the
 *   struct, e.g. `pocdir_sync_report rep = {.size = sizeof(rep)};` -- never leave
 *   it uninitialised, since it is read first: the library reads and writes only the
 *   members that existed at that size, so a program built against this
 *   header keeps working when later versions add members at the end.
 *   No struct is passed by value.
 * - Fixed layouts: pocdir_error, and the structs the library hands out in
 *   arrays that a caller steps through with its own sizeof
 *   (pocdir_version_info, which pocdir_diff_write also takes in;
 *   pocdir_peer_status, pocdir_exchange, pocdir_ping_status,
 *   pocdir_notify_message), never change size: more fields come with new
 *   functions. The library's own single structs (pocdir_notification, and
 *   those passed to callbacks) may gain members at their end; take them
 *   only from the library.
 * - Callbacks: what they are handed (pocdir_diag, pocdir_change,
 *   pocdir_sync_event, pocdir_mail_event, the message of
 *   pocdir_filter_check's warn, and every string in them) lives only
 *   during the call; copy what you keep. The entry pocdir_result_filter's
 *   keep is given lives as long as the result it came from.
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
	POCDIR_ERR_SYSTEM = 1,    /* I/O or allocation failure; errno-style cause in message */
	POCDIR_ERR_INVALID = 2,   /* the directory data failed validation */
	POCDIR_ERR_FILTER = 3,    /* a search filter could not be parsed */
	POCDIR_ERR_USAGE = 4,     /* an argument was out of range or malformed */
	POCDIR_ERR_LIMIT = 5,     /* a configured limit was exceeded */
	POCDIR_ERR_NOTFOUND = 6,  /* a named object does not exist */
	POCDIR_ERR_PASSPHRASE = 7 /* an encrypted secret key was given no passphrase */
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

/* diag and its strings live during the call only. */
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
	size_t size;         /* 0 or sizeof(pocdir_options): see "ABI room" above */
	const char *path;    /* directory folder or file (required) */
	const char *base_dn; /* DN the tree hangs under; default "dc=pocdir" */
} pocdir_options;

/* As pocdir_open, with options. */
pocdir *pocdir_open_options(const pocdir_options *opts, pocdir_error *err);

/* Free a handle and set *dir to NULL. Results still held stay valid. */
void pocdir_free(pocdir **dir);

/* Load the directory again the way it was opened, from path instead of the
 * folder it was opened with when path is not NULL, and swap it in: a handle
 * from pocdir_open_at keeps its state directory, its "as of" and its base
 * DN. Reloads from several threads are done one at a time and a reader
 * never sees an older version after a newer one. On failure the loaded
 * version stays in service. */
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
	size_t size; /* 0 or sizeof(pocdir_query): see "ABI room" above */
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
 * case-insensitive, the operational ones the daemon serves included
 * ("entryDN", "structuralObjectClass", "hasSubordinates",
 * "subschemaSubentry"). Returns the number of values; *values (if not NULL)
 * points at an array that lives as long as the entry. 0 when the entry has
 * no such attribute. */
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

/* The local time in an IANA time zone ("Asia/Seoul") at now, in seconds
 * since the epoch (UTC), read from the system's tzdata without touching TZ,
 * so it is safe from many threads. *wday counts from 0 = Sunday, as in
 * struct tm. Returns 0, or -1 when the zone is unknown. */
int pocdir_local_time(const char *zone, long long now, int *wday, int *hour, int *minute);

/* Are business hours as pocdir-directory(5) writes them ("Mo-Fr 09:00-18:00",
 * "Mo-Th 08:30-17:00, Fr 08:30-12:00", "24/7") open at a local weekday
 * (0 = Sunday) and time? 1 open, 0 closed, -1 when hours cannot be read. */
int pocdir_hours_open(const char *hours, int wday, int hour, int minute);

/* ==== Asking as a person does ===========================================
 *
 * What an operator types is rarely an ISO code or an LDAP filter: these turn
 * it into one, or say why not, and judge whether an answer is still good. */

/* A country as typed: an ISO 3166-1 alpha-2 code in any case ("kr"), an
 * English short name or a part of one matching a single country ("Japan",
 * "russia"), or a common name ("South Korea"); case and accents are
 * ignored. Writes the code to code. Returns 0, or -1 with
 * POCDIR_ERR_USAGE and a message with candidates ("Korea" names two
 * countries; "JPN" suggests JP; "UK" says GB). */
int pocdir_country_code(const char *text, char code[3], pocdir_error *err);

/* The English short name of an assigned code ("KR" -> "Korea, Republic
 * of"), or NULL. The string is static. */
const char *pocdir_country_name(const char *code);

/* Is role a known role (or an "x-" extension word)? 0, or -1 with
 * POCDIR_ERR_USAGE, the list of roles and the likely ones ("tech" ->
 * "technical"). */
int pocdir_role_check(const char *role, pocdir_error *err);

/* The documented role words (policy, diplomatic, technical, ...),
 * NULL-terminated, for pickers and help; "x-" extension words are roles
 * too. The array is static. */
const char *const *pocdir_role_words(void);

/* Does text occur in one of the entry's attributes named in attrs (NULL:
 * cn, givenName, sn, displayName, title, o and uid), ignoring case and
 * accents (Unicode NFKD and case folding, combining marks dropped:
 * "elodie" finds "Élodie")? 1 yes, 0 no, -1 out of memory. */
int pocdir_entry_matches_text(const pocdir_entry *e, const char *text, const char *const *attrs);

/* Does needle occur in haystack, compared as pocdir_entry_matches_text
 * does? 1 yes, 0 no, -1 out of memory. */
int pocdir_text_contains(const char *haystack, const char *needle);

/* Is name an attribute (or alias) pocdir serves, or one of the entry's own
 * fields dn, id, country, origin? 1 or 0. */
int pocdir_attribute_known(const char *name);

/* Parse an RFC 4515 filter as pocdir_search would, without searching:
 * 0 when it parses (warn, which may be NULL, hears of every attribute
 * pocdir does not know, whose items match nothing; message lives during
 * the call only), or -1 with err saying where and why it does not. */
int pocdir_filter_check(const char *text, void (*warn)(const char *message, void *ctx), void *ctx,
                        pocdir_error *err);

/* A new result (free with pocdir_result_free) holding the entries of res
 * for which keep returns 1, in order; keep returns -1 to fail the call.
 * res stays valid, and so does each entry keep is given while res lives. */
int pocdir_result_filter(const pocdir_result *res, int (*keep)(const pocdir_entry *e, void *ctx),
                         void *ctx, pocdir_result **out, pocdir_error *err);

/* How an entry stands on a day: bits of pocdir_validity's answer. */
enum pocdir_status_flag {
	POCDIR_STATUS_NOT_YET_VALID = 1 << 0, /* before its valid-from day */
	POCDIR_STATUS_ENDED = 1 << 1,         /* after its valid-until day */
	POCDIR_STATUS_PGP_EXPIRED = 1 << 2,   /* after its PGP key's expiry day */
	POCDIR_STATUS_STALE = 1 << 3          /* verified more than POCDIR_STALE_DAYS ago */
};
/* Outside its validity: hidden from lookups unless asked for. */
#define POCDIR_STATUS_OUT_OF_VALIDITY (POCDIR_STATUS_NOT_YET_VALID | POCDIR_STATUS_ENDED)
/* A contact not verified (ping-tested) for a year is stale. */
#define POCDIR_STALE_DAYS 365

/* The status bits for the dates as the format writes them (YYYY-MM-DD; any
 * may be NULL, meaning not given) on the UTC day of now (seconds since
 * the epoch). The one rule for the tool, the exports and validate. */
unsigned pocdir_validity(const char *valid_from, const char *valid_until, const char *pgp_expires,
                         const char *verified, long long now);

/* pocdir_validity over the entry's pocValidFrom, pocValidUntil,
 * pocPGPExpires and pocVerified. */
unsigned pocdir_entry_status(const pocdir_entry *e, long long now);

/* What a maintainer is warned about, by pocdir validate and by pocdird when
 * it loads a directory: a PGP key expired or expiring within
 * POCDIR_PGP_WARN_DAYS, a contact not verified for more than
 * POCDIR_VERIFY_WARN_DAYS, a valid-until in the past (pocdir_validity's rule
 * with these margins). */
#define POCDIR_PGP_WARN_DAYS 30
#define POCDIR_VERIFY_WARN_DAYS 180

/* Pass each such warning about the loaded directory on the UTC day of now
 * to fn (may be NULL), as a diagnostic at the entry's file and line whose
 * message starts "warning: CC/id: ". Returns how many there were, or -1. */
int pocdir_warnings(pocdir *dir, long long now, pocdir_diag_fn fn, void *ctx, pocdir_error *err);

/* The word for one status bit: "not-yet-valid", "expired", "pgp-expired",
 * "stale"; NULL for anything else. */
const char *pocdir_status_word(unsigned flag);

/* The entry's status at now for a person, e.g. "stale: last verified
 * 2025-01-01; pgp-expired: PGP key expired 2026-06-30", into buf (always
 * terminated when size > 0). Returns the length it needed, 0 when the
 * entry is in good standing. */
size_t pocdir_status_text(const pocdir_entry *e, long long now, char *buf, size_t size);

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

/* ==== Import =======================================================
 *
 * Other directories' listings become an origin file (then signed with
 * pocdir_sign_file as usual). Every value is checked with the loader's own
 * rules; one that does not fit its key (a phone that is not E.164, a time
 * zone that is not IANA) and every field pocdir has no key for is kept
 * under an "x-" key and reported through the diagnostic callback, never
 * dropped. The result is validated as a whole before it is written.
 */

typedef enum pocdir_import_format {
	POCDIR_IMPORT_FIRST,        /* FIRST teams API JSON ({"data": [team, ...]}) */
	POCDIR_IMPORT_TI,           /* Trusted Introducer team listing JSON */
	POCDIR_IMPORT_SECURITY_TXT, /* RFC 9116 security.txt: one entry */
	POCDIR_IMPORT_CSV           /* RFC 4180 CSV with a header row */
} pocdir_import_format;

/* The format named "first", "ti", "security.txt" (or "securitytxt") or
 * "csv"; -1 for any other name. */
int pocdir_import_format_parse(const char *name);

/* What to import and how; members left NULL / 0 take their defaults. */
typedef struct pocdir_import_options {
	size_t size; /* 0 or sizeof(pocdir_import_options): see "ABI room" above */
	pocdir_import_format format;
	const char *origin;      /* the origin id to write (required) */
	const char *name;        /* the participant's name; default from the source */
	const char *scope;       /* "KR,JP"; default: every country of the entries */
	const char *country;     /* country of entries that give none (security.txt) */
	const char *agency;      /* agency of entries that give none (security.txt) */
	const char *id;          /* id of entries that give none; default from the name */
	const char *roles;       /* "technical,24x7": roles of entries that give none;
	                          * default technical, incident-response (+ 24x7
	                          * when the entry has a 24x7 contact) */
	const char *agency_type; /* of entries that give none; default csirt */
	const char *columns;     /* CSV: "Header=key,Other Header=key": maps columns
	                          * to entry keys (or x-... ); headers not mapped are
	                          * taken as entry keys or LDAP names when they are
	                          * one, else kept as x- keys */
	const char *ca_file;     /* https: CA certificates instead of the system's */
	unsigned timeout;        /* URL: seconds; 0 = sync's default (30) */
	size_t max_size;         /* bytes read; 0 = 16 MiB */
	uint64_t serial;         /* serial to write; 0 = the existing file's, else
	                          * the day's (YYYYMMDD00, so pocdir sign makes 01) */
	long long now;           /* UTC seconds for "updated"; 0 = the clock */
} pocdir_import_options;

/* Convert data (len bytes of the source; name is what messages call it)
 * into an origin file's YAML. Warnings (fields kept as x- keys) and errors
 * go to fn (may be NULL). Returns the number of entries with *yaml (free()
 * it) and *yaml_len, or -1 when any record cannot become a valid entry
 * (err holds the first problem, err->count how many). */
int pocdir_import_buffer(const pocdir_import_options *opts, const char *name, const char *data,
                         size_t len, char **yaml, size_t *yaml_len, pocdir_diag_fn fn, void *ctx,
                         pocdir_error *err);

/* Read source (a file, or an http:// or https:// URL fetched with the limits
 * sync applies to a peer), convert it as pocdir_import_buffer, validate it,
 * and write it atomically to out_path (may be NULL) and/or give it back in
 * *yaml (may be NULL; free() it). An existing out_path must be an origin
 * file of the same origin; its serial is kept unless opts->serial is set.
 * Returns the number of entries, or -1 (nothing written). */
int pocdir_import(const pocdir_import_options *opts, const char *source, const char *out_path,
                  char **yaml, size_t *yaml_len, pocdir_diag_fn fn, void *ctx, pocdir_error *err);
/* How pocdir_write_with writes; members left 0 or NULL take the defaults. */
typedef struct pocdir_write_options {
	size_t size;              /* 0 or sizeof(pocdir_write_options): see "ABI room" above */
	const char *const *attrs; /* as pocdir_write_attrs; NULL: all */
	int with_tree;            /* LDIF: the base and country entries first */
	/* > 0 (seconds since the epoch): mark entries stale, expired or out of
	 * their validity as of then in every format (JSON "status", CSV
	 * column "status", an LDIF comment, a vCard NOTE), and give JSON each
	 * contact's "local-time" and "open-now". 0: no marks, no clock. */
	long long now;
	int vcard_version; /* 0 or 4: vCard 4.0 (RFC 6350); 3: vCard 3.0 (RFC 2426) */
} pocdir_write_options;

/* pocdir_write with options (opts may be NULL: the defaults). */
int pocdir_write_with(const pocdir_result *res, pocdir_format fmt, const pocdir_write_options *opts,
                      FILE *out, pocdir_error *err);

/* ==== Signatures, history and sync ========================================
 *
 * Sets are signed by their origin in minisign's format (Ed25519 over
 * BLAKE2b-512 of the file), kept append-only in a state directory, published
 * as a feed (index.yaml + origins/<id>/<serial>.yaml[.minisig]) and fetched
 * from peers. The state directory is an argument (NULL: $POCDIR_STATE, else
 * /var/lib/pocdir).
 *
 *	pocdir_sync_config *cfg = pocdir_sync_config_load("/etc/pocdir/pocdird.conf", &err);
 *	pocdir_sync_report rep = {.size = sizeof(rep)};
 *	if (pocdir_sync_run(cfg, NULL, NULL, NULL, &rep, &err) == -1) ...
 *	pocdir_sync_config_free(&cfg);
 */

/* Write a key pair: pubkey_path (minisign .pub) and seckey_path (0600;
 * never overwritten). passphrase NULL writes an unencrypted key (as
 * minisign -W); otherwise the key is encrypted with scrypt. */
int pocdir_keygen(const char *pubkey_path, const char *seckey_path, const char *passphrase,
                  pocdir_error *err);

/* What pocdir_sign_file did. */
typedef struct pocdir_sign_info {
	size_t size; /* 0 or sizeof(pocdir_sign_info): see "ABI room" above */
	char origin[65];
	uint64_t old_serial;
	uint64_t serial;
	int changed;    /* 1: serial raised, "updated" set, file rewritten; 0: unchanged */
	char keyid[17]; /* key id as minisign prints it */
} pocdir_sign_info;

/* Sign the origin file path with the secret key at seckey_path, writing
 * path.minisig. When the file changed since its last signature (or has
 * none), serial becomes max(serial + 1, YYYYMMDD01 of now) and updated is
 * set to now (UTC seconds; 0 = the clock), edited in place so comments and
 * layout stay; the file is rewritten atomically. info may be NULL. */
int pocdir_sign_file(const char *path, const char *seckey_path, const char *passphrase,
                     long long now, pocdir_sign_info *info, pocdir_error *err);

/* Verify path against sig_path (NULL: path.minisig) with pubkey (a .pub
 * file or a base64 key). trusted, when not NULL, receives the signature's
 * trusted comment. 0 when valid, -1 with POCDIR_ERR_INVALID when not. */
int pocdir_verify_file(const char *path, const char *sig_path, const char *pubkey, char *trusted,
                       size_t size, pocdir_error *err);

/* One version of one origin held in the state directory. Fixed layout: see
 * "Fixed layouts" above. */
typedef struct pocdir_version_info {
	char origin[65];
	uint64_t serial;
	char updated[32];   /* the set's "updated" */
	char source[513];   /* peer URL or local file it came from */
	long long received; /* when it was committed, UTC seconds */
	char sha256[65];
} pocdir_version_info;

/* The versions held, of origin (NULL: all), sorted by origin then serial.
 * Returns the count and *out (free with pocdir_log_free), or -1. */
int pocdir_log(const char *state, const char *origin, pocdir_version_info **out, pocdir_error *err);
void pocdir_log_free(pocdir_version_info **out);

/* One difference between two versions of an origin. */
typedef enum pocdir_change_kind {
	POCDIR_CHANGE_ADDED,   /* entry only in the newer version */
	POCDIR_CHANGE_REMOVED, /* entry only in the older version */
	POCDIR_CHANGE_FIELD    /* attribute values differ */
} pocdir_change_kind;

typedef struct pocdir_change {
	pocdir_change_kind kind;
	const char *entry;     /* "CC/id" */
	const char *attr;      /* FIELD: LDAP attribute name */
	const char *old_value; /* FIELD: values joined by " | ", NULL when absent */
	const char *new_value; /* FIELD: likewise */
	/* The entries compared (NULL for the side that has none), valid only
	 * during the callback. */
	const pocdir_entry *old_entry;
	const pocdir_entry *new_entry;
} pocdir_change;

/* change, its strings and its entries live during the call only. */
typedef void (*pocdir_change_fn)(const pocdir_change *change, void *ctx);

/* Compare versions a and b of origin held in state: fn is called for each
 * change, entries in (country, id) order. Returns the number of changes, or
 * -1 (POCDIR_ERR_NOTFOUND when a version is not held). */
int pocdir_diff(const char *state, const char *origin, uint64_t a, uint64_t b, pocdir_change_fn fn,
                void *ctx, pocdir_error *err);

/* Write what turns version a of origin into version b as change records
 * in fmt (POCDIR_FORMAT_LDIF: RFC 2849 changetype add, modify, delete), for
 * ldapmodify to bring an LDAP copy of the directory (DNs under base_dn; NULL:
 * "dc=pocdir") from a to b. a may be 0 (no version yet: every entry is an
 * add). A modify record replaces each changed attribute, pocSerial
 * included. Country entries are added before the first contact of a new
 * country and deleted after the last one goes, unless another origin still
 * has contacts there in the versions the copy holds: held[] (nheld of them;
 * origin and serial are read, origin's own entry and serial 0 are skipped),
 * each of which must be in state. Returns the number of changes (0: nothing
 * to write), or -1. */
int pocdir_diff_write(const char *state, const char *origin, uint64_t a, uint64_t b,
                      pocdir_format fmt, const char *base_dn, const pocdir_version_info *held,
                      size_t nheld, FILE *out, pocdir_error *err);

/* Open the directory as of at: NULL or "" (newest), a serial (each origin's
 * newest version with serial <= it) or a date / UTC time (updated <= it; a
 * date means the end of that day). Sets come from the origin files under
 * directory (may be NULL) and the versions held in state, the highest
 * eligible serial of each origin winning. base_dn NULL: "dc=pocdir". */
pocdir *pocdir_open_at(const char *directory, const char *state, const char *at,
                       const char *base_dn, pocdir_error *err);

/* Publish a feed into out_dir: the newest held set of every origin (after
 * importing the signed origin files of directory, which may be NULL, into
 * state), with its signature, then index.yaml (publisher, generated, and per
 * origin serial, sha256, size, path), renamed into place last so a reader
 * never sees a half-written feed. Sets relayed from other origins are
 * published byte for byte as they arrived. Returns the number of origins in
 * the feed, or -1. */
int pocdir_publish(const char *directory, const char *state, const char *out_dir,
                   const char *publisher, pocdir_error *err);

/* Sync configuration: the "sync:" section of pocdird's YAML file (peers,
 * trusted origins with key and scope, state directory). */
typedef struct pocdir_sync_config pocdir_sync_config;

pocdir_sync_config *pocdir_sync_config_load(const char *path, pocdir_error *err);
void pocdir_sync_config_free(pocdir_sync_config **cfg);
/* The state directory the configuration names (or the default). */
const char *pocdir_sync_config_state(const pocdir_sync_config *cfg);

/* Progress of a sync run, for a display or a log. */
typedef enum pocdir_sync_event_kind {
	POCDIR_SYNC_PEER,         /* starting a peer */
	POCDIR_SYNC_NOT_MODIFIED, /* index unchanged (304) */
	POCDIR_SYNC_FETCH,        /* fetching an origin's set */
	POCDIR_SYNC_UPDATED,      /* origin committed at serial */
	POCDIR_SYNC_REJECTED,     /* origin refused: message says why; held kept */
	POCDIR_SYNC_IGNORED,      /* origin not trusted here, or peer has an older one */
	POCDIR_SYNC_PEER_FAILED   /* the peer could not be synced at all */
} pocdir_sync_event_kind;

typedef struct pocdir_sync_event {
	pocdir_sync_event_kind kind;
	const char *peer;
	const char *origin; /* NULL for peer events */
	uint64_t serial;
	const char *message; /* reason, for REJECTED / IGNORED / PEER_FAILED */
} pocdir_sync_event;

/* ev and its strings live during the call only. */
typedef void (*pocdir_sync_event_fn)(const pocdir_sync_event *ev, void *ctx);

typedef struct pocdir_sync_report {
	size_t size;           /* 0 or sizeof(pocdir_sync_report): see "ABI room" above */
	unsigned peers;        /* peers tried */
	unsigned peers_failed; /* peers that failed as a whole */
	unsigned checked;      /* origins checked against the held versions */
	unsigned updated;      /* origins committed */
	unsigned rejected;     /* origins refused */
	unsigned ignored;      /* origins not trusted or not newer */
} pocdir_sync_report;

/* Sync once from every configured peer (or only peer_url, which need not be
 * configured). Every check of DESIGN.md applies; a failure keeps the held
 * version. Returns 0 when nothing failed, -1 otherwise (err holds the first
 * failure; report and fn have them all). */
int pocdir_sync_run(const pocdir_sync_config *cfg, const char *peer_url, pocdir_sync_event_fn fn,
                    void *ctx, pocdir_sync_report *report, pocdir_error *err);

/* What the state directory records about a peer's last syncs (fixed
 * layout). */
typedef struct pocdir_peer_status {
	char url[513];
	long long last_attempt; /* UTC seconds, 0 = never */
	long long last_success;
	unsigned failures;    /* consecutive failed runs */
	char last_error[513]; /* "" after a success */
} pocdir_peer_status;

/* The peers synced into state (NULL: the default), sorted by URL. Returns
 * the count and *out (free with pocdir_peer_status_free), or -1. */
int pocdir_peer_status_list(const char *state, pocdir_peer_status **out, pocdir_error *err);
void pocdir_peer_status_free(pocdir_peer_status **out);

/* ==== end of signatures, history and sync ================================= */

/* ==== Exchanges: ping tests and notifications over mail ==================
 *
 * A node sends communication checks ("pings") and notifications to the PoCs
 * of the directory over SMTP and reads the replies from an IMAP mailbox,
 * both through libcurl. Every message carries a token (in its Message-ID and
 * its subject) that the reply is matched by. What was sent and what was
 * answered is recorded append-only in the state directory, under
 * STATE/exchanges; it is this node's observation and never changes the
 * origins' signed sets.
 *
 *	pocdir_mail_config *mc = pocdir_mail_config_load("/etc/pocdir/pocdird.conf", &err);
 *	pocdir_query q = { .country = "KR" };
 *	pocdir_mail_report rep = {.size = sizeof(rep)};
 *	pocdir_ping_send(mc, dir, &q, NULL, 0, NULL, NULL, &rep, &err);
 *	... later ...
 *	pocdir_mail_fetch(mc, 0, NULL, NULL, &rep, &err);
 *	pocdir_mail_config_free(&mc);
 */

/* The "mail:", "ping:", "notify:" and "routing:" sections of pocdird's YAML
 * file (and the state directory of its "sync:" section). */
typedef struct pocdir_mail_config pocdir_mail_config;

pocdir_mail_config *pocdir_mail_config_load(const char *path, pocdir_error *err);
void pocdir_mail_config_free(pocdir_mail_config **cfg);
/* The state directory the configuration names (or the default). */
const char *pocdir_mail_config_state(const pocdir_mail_config *cfg);
/* Seconds between ping rounds for pocdird ("ping: interval:"), 0 = off. */
unsigned pocdir_mail_config_ping_interval(const pocdir_mail_config *cfg);

typedef enum pocdir_exchange_kind {
	POCDIR_EXCHANGE_PING,
	POCDIR_EXCHANGE_NOTIFICATION
} pocdir_exchange_kind;

/* What sending or fetching did, one event per message, for a display or a
 * log. Strings belong to the library and live during the call only. */
typedef enum pocdir_mail_event_kind {
	POCDIR_MAIL_SENT,        /* sent and recorded */
	POCDIR_MAIL_SEND_FAILED, /* not sent (message says why); nothing recorded */
	POCDIR_MAIL_NO_ADDRESS,  /* the entry has no e-mail address */
	POCDIR_MAIL_ANSWER,      /* a reply matched an exchange and was recorded */
	POCDIR_MAIL_KNOWN,       /* a reply recorded before (fetching again) */
	POCDIR_MAIL_REFUSED      /* a message not taken as a reply: message says why */
} pocdir_mail_event_kind;

typedef struct pocdir_mail_event {
	pocdir_mail_event_kind kind;
	const char *entry;   /* "CC/id", NULL when not known */
	const char *address; /* recipient (sending) or sender (fetching) */
	const char *token;   /* the exchange's token, NULL when not known */
	unsigned long uid;   /* IMAP UID of the message (fetching), else 0 */
	const char *message; /* why, for SEND_FAILED and REFUSED */
} pocdir_mail_event;

/* ev and its strings live during the call only. */
typedef void (*pocdir_mail_event_fn)(const pocdir_mail_event *ev, void *ctx);

typedef struct pocdir_mail_report {
	size_t size;                       /* 0 or sizeof(pocdir_mail_report): "ABI room" */
	unsigned sent, failed, no_address; /* sending */
	unsigned messages;                 /* fetching: messages looked at */
	unsigned answers, known, refused;
} pocdir_mail_report;

/* Send a communication check to the first e-mail address of every entry q
 * selects (q NULL: every entry), of origin only when origin is not NULL.
 * now is UTC seconds (0: the clock). Each message sent is recorded; one
 * that fails is reported through fn and records nothing. Returns the number
 * sent, or -1 when nothing could be tried (configuration, no entry). */
int pocdir_ping_send(const pocdir_mail_config *cfg, pocdir *dir, const pocdir_query *q,
                     const char *origin, long long now, pocdir_mail_event_fn fn, void *ctx,
                     pocdir_mail_report *rep, pocdir_error *err);

/* Read the IMAP mailbox: every message since the oldest exchange still
 * open is matched by In-Reply-To / References or the subject's token; a
 * match is recorded as the exchange's answer (the first one wins). Huge
 * messages, bad headers or MIME, unknown or missing tokens and automatic
 * replies (RFC 3834) are refused through fn and change nothing. Returns 0,
 * or -1 when the mailbox could not be read (login, network). */
int pocdir_mail_fetch(const pocdir_mail_config *cfg, long long now, pocdir_mail_event_fn fn,
                      void *ctx, pocdir_mail_report *rep, pocdir_error *err);

/* One exchange recorded in the state directory (fixed layout). */
typedef struct pocdir_exchange {
	pocdir_exchange_kind kind;
	char token[32];
	char entry[80]; /* "CC/id" */
	char origin[65];
	char to[256];
	char subject[256];
	char type[48];      /* notification: incident-notification, request-for-assistance, ... */
	char urgency[16];   /* notification: low, medium, high, critical */
	char tlp[16];       /* notification: TLP:CLEAR ... TLP:RED */
	long long sent;     /* UTC seconds */
	long long due;      /* when an unanswered exchange becomes overdue */
	long long answered; /* when the answer was fetched; 0: no answer yet */
	long long answer_date; /* the answer's Date: header (clamped to sent..answered) */
	char answer_from[256];
	char answer_subject[256];
} pocdir_exchange;

/* The exchanges of kind held in state (NULL: the default), oldest first.
 * Returns the count and *out (free with pocdir_exchange_list_free), or -1. */
int pocdir_exchange_list(const char *state, pocdir_exchange_kind kind, pocdir_exchange **out,
                         pocdir_error *err);
void pocdir_exchange_list_free(pocdir_exchange **out);

/* Where each PoC stands in the ping tests (fixed layout). */
typedef struct pocdir_ping_status {
	char entry[80]; /* "CC/id" */
	char to[256];   /* address of the latest check */
	unsigned checks, answers;
	long long last_check;   /* when the latest check was sent */
	long long last_answer;  /* when the latest check was answered; 0: not (yet) */
	long long rtt;          /* seconds from the latest check to its answer; -1: none */
	long long last_success; /* when the newest answered check was answered; 0: never */
	int overdue;            /* the latest check is unanswered past its due time */
} pocdir_ping_status;

/* The ping tests recorded in state, one row per PoC sorted by entry, as of
 * now (0: the clock). Returns the count and *out (free with
 * pocdir_ping_status_free), or -1. */
int pocdir_ping_status_list(const char *state, long long now, pocdir_ping_status **out,
                            pocdir_error *err);
void pocdir_ping_status_free(pocdir_ping_status **out);

/* When this node last saw entry ("CC/id") answer a ping test: *when is UTC
 * seconds, 0 when never. This is the local "last verified", beside the
 * origin's own "verified" field, which it never changes. */
int pocdir_last_verified(const char *state, const char *entry, long long *when, pocdir_error *err);

/* ---- Indicators of compromise ---- */

typedef enum pocdir_ioc_type {
	POCDIR_IOC_IPV4,        /* 198.51.100.7 */
	POCDIR_IOC_IPV4_PREFIX, /* 198.51.100.0/24 (host bits zero) */
	POCDIR_IOC_IPV6,
	POCDIR_IOC_IPV6_PREFIX,
	POCDIR_IOC_DOMAIN, /* RFC 1035 host name, A-labels for IDNs */
	POCDIR_IOC_URL,    /* absolute URL with a host (libcurl's parser) */
	POCDIR_IOC_EMAIL,  /* addr-spec */
	POCDIR_IOC_HASH,   /* hex digest; algorithm in hash */
	POCDIR_IOC_MALWARE /* a malware (family) name */
} pocdir_ioc_type;

typedef struct pocdir_ioc {
	size_t size; /* 0 or sizeof(pocdir_ioc): see "ABI room" above */
	pocdir_ioc_type type;
	char hash[8];     /* HASH: "MD5", "SHA-1", "SHA-256" or "SHA-512" */
	char value[2049]; /* normalised: lower-case hex, domain, canonical address */
} pocdir_ioc;

/* Parse a typed indicator "TYPE:VALUE": ip (IPv4 or IPv6 address or
 * prefix), domain, url, email, md5, sha1, sha256, sha512 or malware. Every
 * value is checked; a bad one fails with POCDIR_ERR_USAGE and a message
 * naming it ("ip:300.1.2.3: not an IPv4 or IPv6 address"). out->size
 * (0, or sizeof(pocdir_ioc)) says which members out has: set it first. */
int pocdir_ioc_parse(const char *text, pocdir_ioc *out, pocdir_error *err);

/* The type's name as pocdir_ioc_parse takes it ("ip", "sha256", ...). */
const char *pocdir_ioc_type_name(const pocdir_ioc *ioc);

/* ---- Routing addresses to countries ---- */

/* A table of address blocks and the countries they are delegated to, read
 * from RIR "delegated-extended" statistics files (one or several
 * concatenated). */
typedef struct pocdir_routes pocdir_routes;

/* Load path; lines that are not ipv4/ipv6 records with a country are
 * skipped, a malformed one is an error naming file:line. Free with
 * pocdir_routes_free. */
pocdir_routes *pocdir_routes_load(const char *path, pocdir_error *err);
void pocdir_routes_free(pocdir_routes **routes);
/* How many IPv4 and IPv6 prefixes the table holds. */
size_t pocdir_routes_count(const pocdir_routes *routes, int family);

/* The country of address (or of the first address of a prefix) by longest
 * prefix match: 1 with cc filled ("KR"), 0 when no block holds it, -1 when
 * address is not an IPv4 or IPv6 address or prefix. */
int pocdir_route(const pocdir_routes *routes, const char *address, char cc[3]);

/* The routing table the configuration names ("routing: table:"), or NULL. */
const char *pocdir_mail_config_route_table(const pocdir_mail_config *cfg);

/* Fetch routing: url into routing: table when it changed (a conditional GET
 * as sync does, validators kept in STATE/routing.state); the new table is
 * parsed before it replaces the old one, atomically. Returns 1 updated,
 * 0 not modified, -1 with err (the old table kept). */
int pocdir_routes_refresh(const pocdir_mail_config *cfg, pocdir_error *err);

/* ---- Notifications ---- */

/* What the sender fills in: the fields of the UN OEWG communication
 * template. Members may be NULL unless said otherwise. */
typedef struct pocdir_notice {
	size_t size;         /* 0 or sizeof(pocdir_notice): see "ABI room" above */
	const char *type;    /* incident-notification (default), request-for-assistance,
	                      * request-for-information or response */
	const char *urgency; /* low, medium (default), high or critical */
	const char *tlp;     /* clear, green, amber (default), amber+strict or red */
	const char *summary; /* required: what happened */
	const char *action;  /* what the recipient is asked to do */
	const char *first_seen, *last_seen; /* "2026-12-01T10:00:00Z" or a date */
	const char *const *iocs;            /* "TYPE:VALUE" strings, NULL-terminated */
	const char *country;                /* recipient country (code or name); NULL: from the
	                                     * IP indicators through the routing table */
	const char *role;                   /* NULL: technical or incident-response */
	const char *refers_to;              /* token of an earlier case this one answers */
	const char *passphrase;             /* of the notify: key, when it is encrypted */
} pocdir_notice;

/* One message, ready to send: to whom, why them, and the exact bytes
 * (fixed layout: an array of them is in pocdir_notification). */
typedef struct pocdir_notify_message {
	char entry[80]; /* "CC/id" */
	char country[3];
	char address[256];
	char choice[512]; /* why this contact and address: open now, or 24x7 */
	char token[32];
	char subject[300];
	char *data; /* the RFC 5322 message, CRLF lines */
	size_t len;
	/* for the record */
	char type[48], urgency[16], tlp[16];
} pocdir_notify_message;

typedef struct pocdir_notification {
	pocdir_notify_message *messages; /* one per country */
	size_t count;
	char **unrouted; /* indicators no country was found for, with why */
	size_t nunrouted;
} pocdir_notification;

/* Build the notification: check every field and indicator, find the
 * country (given, or each IP's through the routing table: one message per
 * country), choose the contact (the role's PoCs in that country; an office
 * open now, else a 24x7 contact or address), and render each message: a
 * text part, a STIX 2.1 bundle (application/stix+json) and, with notify:
 * key, its minisign signature. now 0: the clock. *out is freed with
 * pocdir_notification_free. Fails (POCDIR_ERR_USAGE / NOTFOUND) with a
 * message on an unknown country, no PoC with the role, a bad indicator. */
int pocdir_notify_prepare(const pocdir_mail_config *cfg, pocdir *dir, const pocdir_notice *n,
                          long long now, pocdir_notification **out, pocdir_error *err);
void pocdir_notification_free(pocdir_notification **nt);

/* Send every message of nt (as pocdir_notify_prepare made it) and record
 * each as an open case. Events and
 * report as pocdir_ping_send; returns the number sent or -1. */
int pocdir_notify_send(const pocdir_mail_config *cfg, const pocdir_notification *nt, long long now,
                       pocdir_mail_event_fn fn, void *ctx, pocdir_mail_report *rep,
                       pocdir_error *err);

/* ==== end of exchanges ==================================================== */

/* Library version string. */
const char *pocdir_library_version(void);

#ifdef __cplusplus
}
#endif
#endif /* POCDIR_H */
