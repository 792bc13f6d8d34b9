/* yamldoc.h - the one YAML reader: origin files, configuration, feed
 * indexes and state files become libyaml's document type, event by event
 * with limits checked as the events arrive, file:line:col errors, aliases
 * and repeated keys refused. */
#ifndef POCDIR_YAMLDOC_H
#define POCDIR_YAMLDOC_H

#include <stdbool.h>
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
	size_t max_items;   /* items of one sequence */
	size_t max_keys;    /* pairs of one mapping */
	size_t max_scalar;  /* bytes of one scalar */
	/* Values must be plain text, as a directory's are: anchors, tags but
	 * !!str, and control characters or bidirectional overrides in a value
	 * are refused too. */
	bool plain_text;
};

/* The limits yamldoc_load uses: generous, for the node's own files. */
#define YAMLDOC_DEFAULT_LIMITS                                                                     \
	{                                                                                          \
		.max_depth = 32, .max_nodes = 500000, .max_items = 100000, .max_keys = 100000,     \
		.max_scalar = 1024 * 1024                                                          \
	}

/* Parse buf (len bytes; name is what messages call it) as one document into
 * doc, which the caller frees with yaml_document_delete (also after a
 * failure: doc is then empty). An empty buffer gives a document without a
 * root. A syntax error, an alias (a node referenced twice: input from peers
 * must not grow when walked), a second document, a repeated key, a NUL in a
 * value or an exceeded limit fails with code in err (POCDIR_ERR_LIMIT for a
 * limit), naming name:line:col. Untagged nodes have a NULL tag.
 * Returns 0 or -1. */
int yamldoc_load_limited(const char *name, const char *buf, size_t len, int code,
                         const struct yamldoc_limits *limits, yaml_document_t *doc,
                         pocdir_error *err);

/* Told each problem of a document: line and column from 1 (0 when the
 * problem has no place), msg without them or the name. */
typedef void (*yamldoc_report_fn)(void *ctx, unsigned long line, unsigned long column,
                                  const char *msg);

struct arena;

/* As yamldoc_load_limited, for a reader that says every mistake of a file
 * in one run: each problem goes to fn instead of an error, and reading goes
 * on past those that leave the document whole (a value too long, with a NUL
 * or not plain text is emptied; a repeated key is kept, every repeat said).
 * The nodes' values, tags and item lists are allocated in pool, not one by
 * one with malloc: a directory's files hold millions of scalars. doc is
 * zeroed, or read by an earlier call (its room for nodes is reused, which
 * spares growing and freeing a big array file after file) whose pool the
 * caller has reset or freed since. Free doc with yamldoc_pool_delete, never
 * yaml_document_delete. Returns 0 when the document was read to its end
 * (the caller counts what fn was told), -1 after a problem that stopped it
 * (doc is then empty). */
int yamldoc_load_each(const char *name, const char *buf, size_t len,
                      const struct yamldoc_limits *limits, yamldoc_report_fn fn, void *ctx,
                      struct arena *pool, yaml_document_t *doc);

/* Free a document yamldoc_load_each read (its pool holds the rest). */
void yamldoc_pool_delete(yaml_document_t *doc);

/* yamldoc_load_limited with YAMLDOC_DEFAULT_LIMITS. */
int yamldoc_load(const char *name, const char *buf, size_t len, int code, yaml_document_t *doc,
                 pocdir_error *err);

/* As yamldoc_load on the file at path, at most max bytes. A missing file
 * fails with POCDIR_ERR_NOTFOUND. */
int yamldoc_load_file(const char *path, size_t max, int code, yaml_document_t *doc,
                      pocdir_error *err);

#endif /* POCDIR_YAMLDOC_H */
