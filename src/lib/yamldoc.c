/* yamldoc.c - one way to load small YAML documents, see yamldoc.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "yamldoc.h"

/* libyaml's loader keeps an alias as a second reference to one node. Count
 * references: any node referenced twice came from an alias. */
static int has_alias(yaml_document_t *doc)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	unsigned char *seen;
	int found = 0;

	if (n == 0)
		return 0;
	seen = calloc(n + 1, 1);
	if (seen == NULL)
		return -1;
	for (yaml_node_t *node = doc->nodes.start; node < doc->nodes.top && !found; node++) {
		if (node->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = node->data.sequence.items.start;
			     i < node->data.sequence.items.top && !found; i++)
				if (*i >= 1 && (size_t)*i <= n && seen[*i]++)
					found = 1;
		} else if (node->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
			     p < node->data.mapping.pairs.top && !found; p++) {
				if (p->key >= 1 && (size_t)p->key <= n && seen[p->key]++)
					found = 1;
				if (p->value >= 1 && (size_t)p->value <= n && seen[p->value]++)
					found = 1;
			}
		}
	}
	free(seen);
	return found;
}

int yamldoc_load(const char *name, const char *buf, size_t len, int code, yaml_document_t *doc,
                 pocdir_error *err)
{
	yaml_parser_t parser;
	int alias;

	memset(doc, 0, sizeof(*doc));
	if (!yaml_parser_initialize(&parser))
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, doc)) {
		error_set(err, code, "%s:%lu:%lu: invalid YAML: %s", name,
		          (unsigned long)parser.problem_mark.line + 1,
		          (unsigned long)parser.problem_mark.column + 1,
		          parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		memset(doc, 0, sizeof(*doc));
		return -1;
	}
	yaml_parser_delete(&parser);
	alias = has_alias(doc);
	if (alias != 0) {
		yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
		if (alias < 0)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return error_set(err, code, "%s: aliases (*name) are not allowed: write values out",
		                 name);
	}
	return 0;
}

int yamldoc_load_file(const char *path, size_t max, int code, yaml_document_t *doc,
                      pocdir_error *err)
{
	char *data;
	size_t len;
	int rc;

	memset(doc, 0, sizeof(*doc));
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return error_set(err, POCDIR_ERR_NOTFOUND, "%s: no such file", path);
	if (file_read(path, max, &data, &len, err) == -1)
		return -1;
	rc = yamldoc_load(path, data, len, code, doc, err);
	free(data);
	return rc;
}
