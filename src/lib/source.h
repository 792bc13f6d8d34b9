/* source.h - the snapshot source: how a directory was opened (folder, state
 * directory, as-of, base DN, feed) and the only code that builds and swaps
 * its snapshots. pocdir_open, pocdir_open_at, pocdir_reload and pocdird (a
 * reload on SIGHUP, a sync that committed) all build through one source:
 * builds run one at a time, each under a generation number taken when it
 * starts, and a snapshot is only swapped in over an older generation, so a
 * slow build never replaces what a later one served. */
#ifndef POCDIR_SOURCE_H
#define POCDIR_SOURCE_H

#include <stdint.h>
#include <stdio.h>

#include "pocdir.h"
#include "store.h"

/* How to build a snapshot. Strings are copied; NULL members mean: */
struct source_spec {
	const char *directory; /* origin files; NULL: only the state's sets */
	const char *state;     /* NULL: the files alone; else the held versions join in */
	const char *at;        /* NULL or "": newest; else as pocdir_open_at */
	const char *base_dn;   /* "dc=pocdir" */
	/* With state: the signed local files are recorded in the state and the
	 * feed is republished into feed_dir before each build. NULL: neither. */
	const char *feed_dir;
	const char *publisher;
};

struct source;

/* Build the first snapshot of spec (problems of the local files go to fn,
 * which may be NULL). Returns a source to free with source_free, or NULL
 * with err. */
struct source *source_open(const struct source_spec *spec, pocdir_diag_fn fn, void *ctx,
                           pocdir_error *err);

/* Free the source and set *src to NULL; snapshots still held stay valid. */
void source_free(struct source **src);

/* The snapshot served now, with a reference (store_unref it), and its
 * generation in *generation when not NULL. */
struct store *source_snapshot(struct source *src, uint64_t *generation);

/* Build again and swap the result in. spec NULL: the spec in force (the
 * state changed: a sync committed), else spec replaces it (a reload: the
 * local files are read and checked again, problems to fn) and stays in
 * force only when the build succeeds. Returns the generation served after
 * the build, or -1 with err and the previous snapshot and spec kept. */
long long source_rebuild(struct source *src, const struct source_spec *spec, pocdir_diag_fn fn,
                         void *ctx, pocdir_error *err);

/* As source_rebuild with the spec in force, but for its folder: directory
 * (NULL: the same). What pocdir_reload does: a handle opened as of a date
 * from a state directory reopens as of that date from that state. */
long long source_reload(struct source *src, const char *directory, pocdir_diag_fn fn, void *ctx,
                        pocdir_error *err);

/* ---- the public API over a source ------------------------------------------ */

/* A public handle (pocdir.h) over src, for the public functions that take
 * one (pocdir_ping_send, pocdir_notify_prepare): it reads the snapshots src
 * serves and does not own src, which must outlive it. Free it with
 * pocdir_free, which leaves src alone. NULL on allocation failure. */
pocdir *source_handle(struct source *src);

/* Write n entries of a snapshot (or views of them: copies of entries with
 * fewer attributes) in fmt, as pocdir_write_with does with opts (may be
 * NULL); the entries must stay alive during the call. 0 or -1 with err. */
int source_write(const entry_t *const *entries, size_t n, pocdir_format fmt,
                 const pocdir_write_options *opts, FILE *out, pocdir_error *err);

#endif /* POCDIR_SOURCE_H */
