/* api.h - the public handle and result types behind pocdir.h, for the other
 * library files that build results (history, sync). */
#ifndef POCDIR_API_H
#define POCDIR_API_H

#include "pocdir.h"
#include "source.h"
#include "store.h"

/* A handle is its snapshot source: it knows how it was opened and builds
 * every snapshot of it. */
struct pocdir {
	struct source *source;
	bool borrowed; /* from source_handle: pocdir_free leaves the source */
};

struct pocdir_result {
	struct store *snapshot; /* keeps the entries alive */
	const entry_t **items;
	size_t count;
};

/* The current snapshot with a reference taken; store_unref it when done. */
struct store *api_snapshot(pocdir *dir);

/* A result over ids of s (takes its own reference to s). */
int api_result(struct store *s, const uint32_t *ids, size_t count, pocdir_result **out,
               pocdir_error *err);

#endif /* POCDIR_API_H */
