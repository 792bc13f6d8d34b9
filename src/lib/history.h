/* history.h - the state directory: every accepted origin set kept
 * append-only, with rollback protection, and the selection of the sets a
 * store is built from (newest, or as of a serial or a date).
 *
 * Layout under STATE:
 *	sets/<origin>/<serial>.yaml          the set, byte for byte as signed
 *	sets/<origin>/<serial>.yaml.minisig  the origin's signature (if any)
 *	sets/<origin>/<serial>.meta          source, received, updated, sha256
 *	peers/<hash of URL>.state            per-peer sync state (sync.c)
 *	lock                                 flock()ed while committing
 * The .yaml is renamed into place last, so its presence means the version
 * is complete. */
#ifndef POCDIR_HISTORY_H
#define POCDIR_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load.h"
#include "pocdir.h"
#include "store.h"

#define HISTORY_MAX_SOURCE 512
#define HISTORY_MAX_ORIGIN 64

/* One held version of one origin. */
struct history_version {
	char origin[HISTORY_MAX_ORIGIN + 1];
	uint64_t serial;
	char updated[32];                    /* the set's "updated", "" when unknown */
	char source[HISTORY_MAX_SOURCE + 1]; /* peer URL or local path it came from */
	long long received;                  /* UTC seconds it was committed */
	char sha256[65];                     /* hex SHA-256 of the .yaml */
};

/* The state directory to use: explicit when not NULL, else $POCDIR_STATE,
 * else the compiled-in default (LOCALSTATEDIR/lib/pocdir). */
const char *history_state_dir(const char *explicit_dir);

/* Path of a version's file: kind is ".yaml", ".yaml.minisig" or ".meta".
 * Returns a string to free(), NULL on allocation failure. */
char *history_path(const char *state, const char *origin, uint64_t serial, const char *kind);

/* Hex SHA-256 of data into hex (65 bytes). */
void history_sha256_hex(const void *data, size_t len, char hex[65]);

/* The newest serial held for origin (0 when none). Returns 0, or -1 with
 * err when the state cannot be read. */
int history_held(const char *state, const char *origin, uint64_t *serial, pocdir_error *err);

/* Every version held, of one origin (or all when origin is NULL), sorted by
 * origin then serial. *out is an array to free(). Returns the count or -1. */
int history_list(const char *state, const char *origin, struct history_version **out,
                 pocdir_error *err);

/* The newest version of every origin, sorted by origin, with only origin
 * and serial filled (no .meta is read: cheap enough to poll). */
int history_list_newest(const char *state, struct history_version **out, pocdir_error *err);

/* Hold an exclusive lock on STATE/lock; returns the fd (close it to let go)
 * or -1 with err. The lock keeps a cron `pocdir sync`, a `pocdir publish`
 * and the daemon from committing or publishing at once. Not re-entrant:
 * history_commit takes it itself. */
int history_lock(const char *state, pocdir_error *err);

/* Outcome of history_commit. */
enum history_commit_result {
	HISTORY_COMMITTED = 0, /* a new version was written */
	HISTORY_SAME = 1       /* byte-identical to the version held: nothing to do */
};

/* Commit a set: data (the YAML) and sig (its .minisig text, may be NULL).
 * Refused (-1, POCDIR_ERR_INVALID, "rollback") when serial is lower than the
 * one held, or equal with different bytes. Files are written atomically, the
 * .yaml last, under an exclusive lock of STATE/lock. updated and source go
 * into the .meta. Returns a history_commit_result or -1 with err. */
int history_commit(const char *state, const char *origin, uint64_t serial, const char *updated,
                   const char *data, size_t len, const char *sig, size_t siglen, const char *source,
                   pocdir_error *err);

/* What a store is built as of: nothing (newest), a serial (each origin's
 * newest with serial <= it) or a moment (updated <= it; a date alone means
 * the end of that day, UTC). */
struct history_at {
	enum { AT_NEWEST, AT_SERIAL, AT_TIME } kind;
	uint64_t serial;
	char time[32]; /* "YYYY-MM-DDTHH:MM:SSZ" */
};

/* Parse "--at" text: all digits is a serial, else an ISO 8601 date or UTC
 * timestamp. NULL or "" means newest. */
int history_at_parse(const char *text, struct history_at *at, pocdir_error *err);

/* Does a version with serial and updated satisfy at? */
bool history_at_matches(const struct history_at *at, uint64_t serial, const char *updated);

/* Build a store from the local directory (may be NULL: its origin files)
 * and the state (may be NULL): for each origin, the highest serial among the
 * local file and the held versions that satisfies at. Returns a store with
 * refs = 1, or NULL with err. */
struct store *history_store_load(const char *directory, const char *state,
                                 const struct history_at *at, const char *base_dn,
                                 pocdir_error *err);

/* Import the signed local origin files of directory into state (so that
 * they have a history and can be published): each file whose .minisig
 * exists is committed when its serial is new. Files without a signature
 * are skipped. A file that does not load, or that changed without a new
 * serial (edited after signing), is passed to fn and skipped when fn is not
 * NULL, and is an error otherwise. Returns the number of versions
 * committed, or -1. */
int history_import(const char *state, const char *directory, pocdir_diag_fn fn, void *ctx,
                   pocdir_error *err);

/* Read a flat YAML mapping of scalars (the .meta and peer state files):
 * fn is called for each key/value pair. At most max bytes are read.
 * Returns 0, or -1 with err (POCDIR_ERR_NOTFOUND when missing). */
int history_flat_read(const char *path, size_t max,
                      void (*fn)(const char *key, const char *value, void *ctx), void *ctx,
                      pocdir_error *err);

/* Quote s as a YAML double-quoted scalar into buf (bounded). */
void history_yaml_quote(const char *s, char *buf, size_t size);

/* mkdir -p path (0755). Returns 0 or -1 with err. */
int history_mkdirs(const char *path, pocdir_error *err);

#endif /* POCDIR_HISTORY_H */
