/* feed.h - a feed: the static folder a node publishes and its peers fetch.
 *
 *	index.yaml                          publisher, generated, per origin:
 *	                                    serial, sha256, size, path
 *	origins/<id>/<serial>.yaml          the set as its origin signed it
 *	origins/<id>/<serial>.yaml.minisig  the origin's signature
 */
#ifndef POCDIR_FEED_H
#define POCDIR_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocdir.h"

/* Bounds on what a peer's index may hold. */
#define FEED_MAX_INDEX_BYTES (4u * 1024 * 1024)
#define FEED_MAX_ORIGINS 10000
#define FEED_MAX_PATH 160
/* The largest file of a feed: a set as large as the loader takes
 * (LOAD_MAX_FILE_BYTES); an index is far smaller. */
#define FEED_MAX_FILE_BYTES (64u * 1024 * 1024)

/* One origin in an index. */
struct feed_item {
	char origin[65];
	uint64_t serial;
	char sha256[65];          /* lower-case hex */
	uint64_t size;            /* bytes of the set */
	char path[FEED_MAX_PATH]; /* "origins/<origin>/<serial>.yaml", checked */
};

struct feed_index {
	char publisher[65];
	char generated[32];
	struct feed_item *items; /* sorted by origin, no duplicates */
	size_t count;
};

/* Parse index.yaml text (from a peer: every field is checked and bounded;
 * the path of each item must be exactly origins/<origin>/<serial>.yaml so a
 * hostile index cannot point a fetch anywhere else). name is used in
 * messages. Returns 0 and fills out (free with feed_index_clear), or -1. */
int feed_index_parse(const char *buf, size_t len, const char *name, struct feed_index *out,
                     pocdir_error *err);

void feed_index_clear(struct feed_index *ix);

/* Is path (relative to the feed folder, no leading '/') one of a feed's
 * files: index.yaml, origins/<origin id>/<serial>.yaml or its .minisig?
 * Only these shapes are served, so no path can climb out of the folder. */
bool feed_file_path(const char *path);

/* The index as YAML text; a string to free(), or NULL on allocation failure. */
char *feed_index_render(const struct feed_index *ix);

#endif /* POCDIR_FEED_H */
