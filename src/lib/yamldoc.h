/* yamldoc.h - loading small YAML documents (configuration, feed indexes,
 * state files) through libyaml's document API, with file:line:col errors and
 * aliases refused. Origin files use load.c's bounded event reader instead. */
#ifndef POCDIR_YAMLDOC_H
#define POCDIR_YAMLDOC_H

#include <stddef.h>
#include <yaml.h>

#include "pocdir.h"

/* Parse buf (len bytes; name is what messages call it) as one document into
 * doc, which the caller frees with yaml_document_delete. An empty buffer
 * gives a document without a root. A syntax error, or an alias (a node
 * referenced twice: input from peers must not grow when walked), fails with
 * code in err. Returns 0 or -1. */
int yamldoc_load(const char *name, const char *buf, size_t len, int code, yaml_document_t *doc,
                 pocdir_error *err);

/* As yamldoc_load on the file at path, at most max bytes. A missing file
 * fails with POCDIR_ERR_NOTFOUND. */
int yamldoc_load_file(const char *path, size_t max, int code, yaml_document_t *doc,
                      pocdir_error *err);

#endif /* POCDIR_YAMLDOC_H */
