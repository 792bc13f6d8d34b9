/* conf.c - reading settings from the configuration file's YAML document:
 * scalars and bounded numbers, with file:line:col errors. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"
#include "yamldoc.h"

int conf_error(struct conf_walk *w, const yaml_node_t *n, const char *fmt, const char *what)
{
	char msg[600];

	snprintf(msg, sizeof(msg), fmt, what);
	return error_set(w->err, POCDIR_ERR_INVALID, "%s:%lu:%lu: %s", w->file,
	                 n != NULL ? (unsigned long)n->start_mark.line + 1 : 0UL,
	                 n != NULL ? (unsigned long)n->start_mark.column + 1 : 0UL, msg);
}

int conf_scalar(struct conf_walk *w, const yaml_node_t *n, const char *key, const char **out)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return conf_error(w, n, "%s: expected a single value", key);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

int conf_string(struct conf_walk *w, const yaml_node_t *n, const char *key, char **out)
{
	const char *text = "";
	char *s;

	if (conf_scalar(w, n, key, &text) == -1)
		return -1;
	if (n->data.scalar.length > 4096)
		return conf_error(w, n, "%s: value longer than 4096 bytes", key);
	if ((s = str_ndup(text, n->data.scalar.length)) == NULL)
		return error_set(w->err, POCDIR_ERR_SYSTEM, "out of memory");
	free(*out);
	*out = s;
	return 0;
}

/* An unsigned number with an optional K/M/G suffix (sizes), within bounds.
 * Every way of missing (not a number, negative, too large to read, out of
 * bounds) gets the one message that gives the bounds. */
int conf_number(struct conf_walk *w, const yaml_node_t *n, const char *key, uint64_t min,
                uint64_t max, uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;
	unsigned shift = 0;
	char msg[200];

	snprintf(msg, sizeof(msg), "%%s: expected a whole number from %llu to %llu",
	         (unsigned long long)min, (unsigned long long)max);
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return conf_error(w, n, msg, key);
	s = (const char *)n->data.scalar.value;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || s[0] < '0' || s[0] > '9')
		return conf_error(w, n, msg, key);
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end != '\0') {
		strncat(msg, " (K, M or G may follow)", sizeof(msg) - strlen(msg) - 1);
		return conf_error(w, n, msg, key);
	}
	/* Bounds before the shift: 2^54+1 K must not wrap round to 1 K. */
	if (v > (max >> shift) || (v << shift) < min || (v << shift) > max)
		return conf_error(w, n, msg, key);
	*out = v << shift;
	return 0;
}

const char *conf_key(const yaml_node_t *k)
{
	return k != NULL && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
}

int conf_load(const char *path, yaml_document_t *doc, yaml_node_t **root, pocdir_error *err)
{
	struct conf_walk w = {doc, path, err};

	if (path == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no configuration file given");
	if (yamldoc_load_file(path, CONF_MAX_FILE, POCDIR_ERR_INVALID, doc, err) == -1)
		return -1;
	*root = yaml_document_get_root_node(doc);
	if (*root != NULL && (*root)->type != YAML_MAPPING_NODE) {
		conf_error(&w, *root, "%s", "expected a mapping of settings");
		yaml_document_delete(doc);
		return -1;
	}
	return 0;
}
