/* conf.h - reading settings from the configuration file's YAML document:
 * scalars and bounded numbers, with file:line:col errors. Shared by every
 * section the library reads (sync:, mail:, ping:, notify:, routing:) and by
 * pocdird's own settings (src/pocdird/config.c): one reader of the file. */
#ifndef POCDIR_CONF_H
#define POCDIR_CONF_H

#include <stdint.h>
#include <yaml.h>

#include "pocdir.h"

/* Where a section is being read from. */
struct conf_walk {
	yaml_document_t *doc;
	const char *file;
	pocdir_error *err;
};

/* The largest configuration file read. */
#define CONF_MAX_FILE (1024 * 1024)

/* Load the configuration file at path into doc: 0 with *root its top-level
 * mapping (NULL for an empty file; free doc with yaml_document_delete), or
 * -1 with err and nothing to free: unreadable, not YAML, or not a mapping. */
int conf_load(const char *path, yaml_document_t *doc, yaml_node_t **root, pocdir_error *err);

/* Fill w->err with "file:line:col: " and fmt, where fmt has one %s for
 * what. Returns -1. */
int conf_error(struct conf_walk *w, const yaml_node_t *n, const char *fmt, const char *what);

/* A scalar's text into *out, borrowed from the document (no copy). */
int conf_scalar(struct conf_walk *w, const yaml_node_t *n, const char *key, const char **out);

/* A scalar of at most 4096 bytes into *out (replacing and freeing it). */
int conf_string(struct conf_walk *w, const yaml_node_t *n, const char *key, char **out);

/* An unsigned number with an optional K/M/G suffix (sizes) in [min, max];
 * anything else fails with "KEY: expected a whole number from MIN to MAX". */
int conf_number(struct conf_walk *w, const yaml_node_t *n, const char *key, uint64_t min,
                uint64_t max, uint64_t *out);

/* The key of a mapping pair as a string ("" when it is not a scalar). */
const char *conf_key(const yaml_node_t *k);

#endif /* POCDIR_CONF_H */
