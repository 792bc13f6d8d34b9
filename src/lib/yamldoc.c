/* yamldoc.c - one way to load small YAML documents, see yamldoc.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "yamldoc.h"

/* Nesting beyond this is refused whatever a caller asks: the frame stack
 * is allocated up front. */
#define YAMLDOC_DEPTH_CAP 256

/* A sequence or mapping being filled. */
struct frame {
	int node;   /* its id in the document */
	int key;    /* a mapping's key waiting for its value, or 0 */
	size_t len; /* items, or pairs, so far */
};

static int at(pocdir_error *err, int code, const char *name, const yaml_mark_t *m, const char *what,
              size_t n)
{
	return error_set(err, code, "%s:%lu:%lu: %s%zu", name, (unsigned long)m->line + 1,
	                 (unsigned long)m->column + 1, what, n);
}

static int key_order(const void *a, const void *b)
{
	const struct yamldoc_key *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->text != y->text) {
		int c = memcmp(x->text, y->text, x->len);

		if (c != 0)
			return c;
	}
	/* Equal keys in file order, so the first of a run is the original. */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

static int repeat_position(const void *a, const void *b)
{
	const struct yamldoc_key *x = ((const struct yamldoc_key *const *)a)[0];
	const struct yamldoc_key *y = ((const struct yamldoc_key *const *)b)[0];

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

size_t yamldoc_repeats(struct yamldoc_key *keys, size_t n, const struct yamldoc_key **out)
{
	size_t pairs = 0;

	qsort(keys, n, sizeof(keys[0]), key_order);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (keys[i].len == keys[first].len &&
		    memcmp(keys[i].text, keys[first].text, keys[i].len) == 0) {
			out[2 * pairs] = &keys[i];
			out[2 * pairs++ + 1] = &keys[first];
		} else {
			first = i;
		}
	}
	qsort(out, pairs, 2 * sizeof(out[0]), repeat_position);
	return pairs;
}

/* A mapping just closed: its keys must be unique, as in origin files. */
static int check_keys(yaml_document_t *doc, int id, const char *name, int code, pocdir_error *err)
{
	yaml_node_t *m = yaml_document_get_node(doc, id);
	size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start), k = 0;
	struct yamldoc_key *keys;
	const struct yamldoc_key **out;
	int rc = 0;

	if (n < 2)
		return 0;
	keys = calloc(n, sizeof(*keys));
	out = calloc(2 * n, sizeof(*out));
	if (keys == NULL || out == NULL) {
		free(keys);
		free(out);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *key = yaml_document_get_node(doc, p->key);

		if (key != NULL && key->type == YAML_SCALAR_NODE)
			keys[k++] = (struct yamldoc_key){(const char *)key->data.scalar.value,
			                                 key->data.scalar.length,
			                                 (unsigned long)key->start_mark.line + 1,
			                                 (unsigned long)key->start_mark.column + 1};
	}
	if (yamldoc_repeats(keys, k, out) > 0)
		rc = error_set(err, code,
		               "%s:%lu:%lu: duplicate key \"%.*s\" (first at line %lu): each key "
		               "may appear once",
		               name, out[0]->line, out[0]->column,
		               (int)(out[0]->len > 200 ? 200 : out[0]->len), out[0]->text,
		               out[1]->line);
	free(keys);
	free(out);
	return rc;
}

/* Add the node the event starts to doc and hang it under the open frame.
 * Returns its id, or 0 with err set. */
static int add_node(yaml_document_t *doc, const yaml_event_t *ev, struct frame *parent,
                    const struct yamldoc_limits *lim, const char *name, pocdir_error *err)
{
	yaml_char_t *tag;
	int id;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.length > lim->max_scalar) {
			at(err, POCDIR_ERR_LIMIT, name, &ev->start_mark, "value longer than ",
			   lim->max_scalar);
			return 0;
		}
		/* "!" is the non-specific tag: a plain string, as libyaml's
		 * loader resolves it. */
		tag = ev->data.scalar.tag;
		if (tag != NULL && strcmp((const char *)tag, "!") == 0)
			tag = NULL;
		id = yaml_document_add_scalar(doc, tag, ev->data.scalar.value,
		                              (int)ev->data.scalar.length, ev->data.scalar.style);
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = ev->data.sequence_start.tag;
		if (tag != NULL && strcmp((const char *)tag, "!") == 0)
			tag = NULL;
		id = yaml_document_add_sequence(doc, tag, ev->data.sequence_start.style);
		break;
	default: /* YAML_MAPPING_START_EVENT */
		tag = ev->data.mapping_start.tag;
		if (tag != NULL && strcmp((const char *)tag, "!") == 0)
			tag = NULL;
		id = yaml_document_add_mapping(doc, tag, ev->data.mapping_start.style);
		break;
	}
	if (id == 0) {
		error_set(err, POCDIR_ERR_SYSTEM, "%s: out of memory", name);
		return 0;
	}
	/* The document API leaves marks empty; messages need them. */
	doc->nodes.start[id - 1].start_mark = ev->start_mark;
	doc->nodes.start[id - 1].end_mark = ev->end_mark;
	if (parent == NULL)
		return id; /* the first node is the root */
	if (parent->key == 0 && parent->len >= lim->max_items) {
		at(err, POCDIR_ERR_LIMIT, name, &ev->start_mark,
		   "more items in one list or mapping than ", lim->max_items);
		return 0;
	}
	if (doc->nodes.start[parent->node - 1].type == YAML_SEQUENCE_NODE) {
		if (!yaml_document_append_sequence_item(doc, parent->node, id))
			goto oom;
		parent->len++;
	} else if (parent->key == 0) {
		parent->key = id;
	} else {
		if (!yaml_document_append_mapping_pair(doc, parent->node, parent->key, id))
			goto oom;
		parent->key = 0;
		parent->len++;
	}
	return id;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "%s: out of memory", name);
	return 0;
}

int yamldoc_load_limited(const char *name, const char *buf, size_t len, int code,
                         const struct yamldoc_limits *lim, yaml_document_t *doc, pocdir_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct frame *stack;
	unsigned max_depth =
	    lim->max_depth < YAMLDOC_DEPTH_CAP ? lim->max_depth : YAMLDOC_DEPTH_CAP;
	unsigned depth = 0;
	size_t nodes = 0;
	int documents = 0, id;
	bool done = false, have_doc = false;

	memset(doc, 0, sizeof(*doc));
	stack = calloc(max_depth + 1, sizeof(*stack));
	if (stack == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	if (!yaml_parser_initialize(&parser)) {
		free(stack);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			error_set(err, code, "%s:%lu:%lu: invalid YAML: %s", name,
			          (unsigned long)parser.problem_mark.line + 1,
			          (unsigned long)parser.problem_mark.column + 1,
			          parser.problem ? parser.problem : "syntax error");
			goto fail;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				at(err, code, name, &ev.start_mark,
				   "a second YAML document: expected one, found ",
				   (size_t)documents);
				goto fail_event;
			}
			if (!yaml_document_initialize(doc, NULL, NULL, NULL,
			                              ev.data.document_start.implicit, 1)) {
				error_set(err, POCDIR_ERR_SYSTEM, "%s: out of memory", name);
				goto fail_event;
			}
			have_doc = true;
			doc->start_mark = ev.start_mark;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc->end_mark = ev.end_mark;
			doc->end_implicit = ev.data.document_end.implicit;
			break;
		case YAML_ALIAS_EVENT:
			/* A node referenced twice would let a small input grow
			 * when walked (billion laughs). */
			error_set(err, code,
			          "%s:%lu:%lu: aliases (*%s) are not allowed: write values out",
			          name, (unsigned long)ev.start_mark.line + 1,
			          (unsigned long)ev.start_mark.column + 1, ev.data.alias.anchor);
			goto fail_event;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++nodes > lim->max_nodes) {
				at(err, POCDIR_ERR_LIMIT, name, &ev.start_mark, "more nodes than ",
				   lim->max_nodes);
				goto fail_event;
			}
			if (ev.type != YAML_SCALAR_EVENT && depth >= max_depth) {
				at(err, POCDIR_ERR_LIMIT, name, &ev.start_mark,
				   "nested deeper than ", max_depth);
				goto fail_event;
			}
			id = add_node(doc, &ev, depth > 0 ? &stack[depth] : NULL, lim, name, err);
			if (id == 0)
				goto fail_event;
			if (ev.type != YAML_SCALAR_EVENT) {
				depth++;
				stack[depth].node = id;
				stack[depth].key = 0;
				stack[depth].len = 0;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			doc->nodes.start[stack[depth].node - 1].end_mark = ev.end_mark;
			if (ev.type == YAML_MAPPING_END_EVENT &&
			    check_keys(doc, stack[depth].node, name, code, err) == -1)
				goto fail_event;
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(stack);
	if (!have_doc)
		memset(doc, 0, sizeof(*doc));
	return 0;
fail_event:
	yaml_event_delete(&ev);
fail:
	yaml_parser_delete(&parser);
	free(stack);
	if (have_doc)
		yaml_document_delete(doc);
	memset(doc, 0, sizeof(*doc));
	return -1;
}

int yamldoc_load(const char *name, const char *buf, size_t len, int code, yaml_document_t *doc,
                 pocdir_error *err)
{
	static const struct yamldoc_limits limits = YAMLDOC_DEFAULT_LIMITS;

	return yamldoc_load_limited(name, buf, len, code, &limits, doc, err);
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
