/* load.h - reading origin files (YAML, through libyaml) into origins and
 * entries, with every problem reported as file:line:col and a sentence. */
#ifndef POCDIR_LOAD_H
#define POCDIR_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "entry.h"
#include "pocdir.h"

/* Limits on what a file may hold; anything beyond is an error, not a crash. */
#define LOAD_MAX_FILE_BYTES (64u * 1024 * 1024)
#define LOAD_MAX_SCALAR_BYTES 4096
#define LOAD_MAX_DEPTH 8
#define LOAD_MAX_ENTRIES 1000000
#define LOAD_MAX_VALUES 64
#define LOAD_MAX_KEYS 256 /* keys of one mapping */
#define LOAD_MAX_ERRORS 100

/* One origin file, parsed. Owns everything it points at. */
struct origin_set {
	struct origin origin;
	entry_t **entries;
	size_t nentries;
};

/* Parse an origin from a buffer; name is what error messages call the file.
 * base_dn is used to build entry DNs. Problems go to fn (may be NULL) and are
 * counted in *nerrors. Returns 0 and fills *out (free with origin_set_clear)
 * when the file is valid, -1 otherwise (err holds the first problem). */
int load_origin_buffer(const char *buf, size_t len, const char *name, const char *base_dn,
                       struct origin_set *out, pocdir_diag_fn fn, void *ctx, unsigned *nerrors,
                       pocdir_error *err);

/* As load_origin_buffer, reading path (at most LOAD_MAX_FILE_BYTES). */
int load_origin_file(const char *path, const char *base_dn, struct origin_set *out,
                     pocdir_diag_fn fn, void *ctx, unsigned *nerrors, pocdir_error *err);

struct arena;

/* What loading many files one after the other reuses: the room of one
 * file's tree. Zeroed before the first file; load_scratch_free after the
 * last. */
struct load_scratch {
	yaml_document_t doc;
	struct arena *pool; /* the tree's values and lists, reset after each file */
};

void load_scratch_free(struct load_scratch *scratch);

/* As load_origin_buffer and load_origin_file, reading into scratch (NULL:
 * a private one). */
int load_origin_scratch(const char *buf, size_t len, const char *name, const char *base_dn,
                        struct origin_set *out, pocdir_diag_fn fn, void *ctx, unsigned *nerrors,
                        pocdir_error *err, struct load_scratch *scratch);
int load_origin_file_scratch(const char *path, const char *base_dn, struct origin_set *out,
                             pocdir_diag_fn fn, void *ctx, unsigned *nerrors, pocdir_error *err,
                             struct load_scratch *scratch);

/* What an origin file may hold, for yamldoc: others that read origin files
 * read them as the loader does. */
struct yamldoc_limits;
const struct yamldoc_limits *load_yaml_limits(void);

/* The entry keys the loader knows, NULL-terminated, in the order
 * pocdir-directory(5) documents them (import writes them in this order). */
const char *const *load_entry_keys(void);

/* Check one value of entry key (a YAML key such as "phone", or
 * "pgp.fingerprint" / "pgp.expires") with the rule the loader applies to
 * it; *multi says whether the key takes a list. Returns 0 when the value
 * would load, -1 with why saying what was expected, -2 when key is not an
 * entry key. Scope and cross-key rules are not checked here. */
int load_check_value(const char *key, const char *value, bool *multi, char *why, size_t whysize);

/* Release what a struct origin_set holds and zero it. */
void origin_set_clear(struct origin_set *set);

/* The origin files under path: path itself when it is a file, else the
 * sorted *.yaml files of path/origins/ (or of path when it has no origins/).
 * Returns the count and a NULL-terminated array to free with strv_free, or
 * -1 with err set. */
int load_list_files(const char *path, char ***files, pocdir_error *err);

#endif /* POCDIR_LOAD_H */
