/* yamldoc.h - loading small YAML documents (configuration, feed indexes,
 * state files) into libyaml's document type, event by event with limits
 * checked as the events arrive, file:line:col errors and aliases refused.
 * Origin files use load.c's bounded event reader instead. */
#ifndef POCDIR_YAMLDOC_H
#define POCDIR_YAMLDOC_H

#include <stddef.h>
#include <yaml.h>

#include "pocdir.h"

/* What one document may hold. A document from a peer gets limits that fit
 * its format, so that a small hostile file (a flow sequence of a million
 * empty mappings) is refused after a few thousand nodes, not after libyaml
 * has built all of them. */
struct yamldoc_limits {
	unsigned max_depth; /* nesting of sequences and mappings */
	size_t max_nodes;   /* scalars, sequences and mappings, in all */
	size_t max_items;   /* items of one sequence, or pairs of one mapping */
	size_t max_scalar;  /* bytes of one scalar */
};

/* The limits yamldoc_load uses: generous, for the node's own files. */
#define YAMLDOC_DEFAULT_LIMITS                                                                     \
	{                                                                                          \
		.max_depth = 32, .max_nodes = 500000, .max_items = 100000,                         \
		.max_scalar = 1024 * 1024                                                          \
	}

/* Parse buf (len bytes; name is what messages call it) as one document into
 * doc, which the caller frees with yaml_document_delete (also after a
 * failure: doc is then empty). An empty buffer gives a document without a
 * root. A syntax error, an alias (a node referenced twice: input from peers
 * must not grow when walked), a second document or an exceeded limit fails
 * with code in err (POCDIR_ERR_LIMIT for a limit), naming name:line:col.
 * Returns 0 or -1. */
int yamldoc_load_limited(const char *name, const char *buf, size_t len, int code,
                         const struct yamldoc_limits *limits, yaml_document_t *doc,
                         pocdir_error *err);

/* yamldoc_load_limited with YAMLDOC_DEFAULT_LIMITS. */
int yamldoc_load(const char *name, const char *buf, size_t len, int code, yaml_document_t *doc,
                 pocdir_error *err);

/* As yamldoc_load on the file at path, at most max bytes. A missing file
 * fails with POCDIR_ERR_NOTFOUND. */
int yamldoc_load_file(const char *path, size_t max, int code, yaml_document_t *doc,
                      pocdir_error *err);

/* One key of a mapping, for yamldoc_repeats. */
struct yamldoc_key {
	const char *text;
	size_t len;
	unsigned long line, column; /* from 1 */
};

/* The one duplicate-key rule (YAML 1.2 3.2.1.3: keys are unique), for these
 * documents and for origin files: sorts keys (n of them) and writes to out
 * (room for 2 * n pointers into keys) a pair per repeated key, the repeat
 * then the first with its text, in the file order of the repeats. Returns
 * the number of pairs. n log n. */
size_t yamldoc_repeats(struct yamldoc_key *keys, size_t n, const struct yamldoc_key **out);

#endif /* POCDIR_YAMLDOC_H */
