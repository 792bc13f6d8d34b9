/* search.h - answering queries against a store snapshot: the planner picks
 * index lists for the indexed parts of a filter or query, and only the
 * candidates they leave are evaluated. */
#ifndef POCDIR_SEARCH_H
#define POCDIR_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "store.h"

/* Contacts of s (indexes into s->entries, ascending) for which f is TRUE.
 * *ids is allocated (free() it; may be NULL when *count is 0).
 * Returns 0, or -1 with err set on allocation failure. */
int search_filter(const struct store *s, const struct filter *f, uint32_t **ids, size_t *count,
                  pocdir_error *err);

/* Contacts matching a pocdir_query (all members optional), ascending. */
int search_query(const struct store *s, const pocdir_query *q, uint32_t **ids, size_t *count,
                 pocdir_error *err);

/* The candidates the planner would evaluate for f: a borrowed index list when
 * an indexed equality narrows it (*all = false), or every contact (*all =
 * true). Exposed for tests and the benchmark. */
int search_plan(const struct store *s, const struct filter *f, uint32_t **ids, size_t *count,
                bool *all, pocdir_error *err);

#endif /* POCDIR_SEARCH_H */
