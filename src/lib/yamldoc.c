/* yamldoc.c - the one YAML reader, see yamldoc.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "util.h"
#include "yamldoc.h"

/* Nesting beyond this is refused whatever a caller asks: the frame stack
 * is allocated up front. */
#define YAMLDOC_DEPTH_CAP 256

/* A sequence or mapping being filled: the ids of its items (a mapping's
 * keys and values alternating), attached to the node when it closes with an
 * array of the exact size. The array is kept for the next collection at the
 * same depth. */
struct frame {
	int node;
	int *items;
	size_t count, cap;
};

/* One key of a mapping, for the duplicate check. */
struct key {
	const char *text;
	size_t len;
	unsigned long line, column; /* from 1 */
};

/* One document being read. */
struct reader {
	const char *name;
	const char *buf;
	size_t len;
	int code;
	const struct yamldoc_limits *lim;
	yamldoc_report_fn fn; /* NULL: the first problem goes to err and stops */
	void *ctx;
	pocdir_error *err;
	yaml_document_t *doc;
	struct arena *pool; /* values, tags and item lists; NULL: malloc'd */
	struct frame *stack;
	/* the duplicate check's room, kept from mapping to mapping */
	struct key *keys;
	const struct key **pairs;
	size_t keys_cap;
};

/* Say one problem (line 0: it has no place). Returns true when reading may
 * go on past it: only a reader told of each problem reads past one. */
static bool problem(struct reader *r, int code, unsigned long line, unsigned long col,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static bool problem(struct reader *r, int code, unsigned long line, unsigned long col,
                    const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->fn != NULL) {
		r->fn(r->ctx, line, col, msg);
		return true;
	}
	if (line > 0)
		error_set(r->err, code, "%s:%lu:%lu: %s", r->name, line, col, msg);
	else
		error_set(r->err, code, "%s: %s", r->name, msg);
	return false;
}

#define LINE(m) ((unsigned long)(m).line + 1)
#define COLUMN(m) ((unsigned long)(m).column + 1)

/* libyaml's reader errors (bad UTF-8) carry an offset, not a mark. */
static void offset_to_mark(const struct reader *r, size_t offset, unsigned long *line,
                           unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < r->len; i++) {
		if (r->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int key_order(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

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
	const struct key *x = ((const struct key *const *)a)[0];
	const struct key *y = ((const struct key *const *)b)[0];

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

/* Sort keys (n of them) and write to out (room for 2 * n) a pair per
 * repeated key, the repeat then the first, in the file order of the
 * repeats. Returns the number of pairs. n log n, which with max_keys bounds
 * what a peer's signed set can make every node that reads it do. */
static size_t repeats(struct key *keys, size_t n, const struct key **out)
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

/* A mapping just closed: YAML 1.2 3.2.1.3 requires unique keys, and
 * libyaml does not check. Returns 0, or -1 when reading stops. */
static int check_keys(struct reader *r, const yaml_node_t *m)
{
	size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start), k = 0;
	size_t ndups;

	if (n < 2)
		return 0;
	if (n > r->keys_cap) {
		size_t cap = n < 64 ? 64 : n;
		struct key *keys = realloc(r->keys, cap * sizeof(*keys));
		const struct key **pairs;

		if (keys == NULL)
			goto oom;
		r->keys = keys;
		if ((pairs = realloc(r->pairs, 2 * cap * sizeof(*pairs))) == NULL)
			goto oom;
		r->pairs = pairs;
		r->keys_cap = cap;
	}
	for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *key = &r->doc->nodes.start[p->key - 1];

		if (key->type == YAML_SCALAR_NODE)
			r->keys[k++] = (struct key){(const char *)key->data.scalar.value,
			                            key->data.scalar.length, LINE(key->start_mark),
			                            COLUMN(key->start_mark)};
	}
	ndups = repeats(r->keys, k, r->pairs);
	for (size_t i = 0; i < ndups; i++) {
		const struct key *again = r->pairs[2 * i], *first = r->pairs[2 * i + 1];

		if (!problem(r, r->code, again->line, again->column,
		             "duplicate key \"%.*s\" (first at line %lu): each key may appear once",
		             (int)(again->len > 200 ? 200 : again->len), again->text, first->line))
			return -1;
	}
	return 0;
oom:
	problem(r, POCDIR_ERR_SYSTEM, 0, 0, "out of memory");
	return -1;
}

/* Values end up on terminals, in LDAP answers and in address books: C0 and
 * C1 controls (but tab and line feed) and Unicode bidirectional overrides
 * (U+202A-U+202E, U+2066-U+2069) could disguise what a reader sees. */
static bool has_control(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		/* Printable ASCII, nearly every byte of a directory, at once. */
		if (c >= 0x20 && c < 0x7f)
			continue;
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return true;
		if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return true;
		if (c == 0xe2 && i + 2 < n &&
		    ((s[i + 1] == 0x80 && s[i + 2] >= 0xaa && s[i + 2] <= 0xae) ||
		     (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)))
			return true;
	}
	return false;
}

/* What the event's node may not be, said; returns -1 when reading stops.
 * A scalar whose value cannot be kept is emptied. */
static int check_node(struct reader *r, yaml_event_t *ev)
{
	const yaml_char_t *anchor, *tag;
	unsigned long line = LINE(ev->start_mark), col = COLUMN(ev->start_mark);
	size_t len;
	bool go_on = true;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	default: /* YAML_MAPPING_START_EVENT */
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	}
	if (r->lim->plain_text && anchor != NULL) {
		problem(r, r->code, line, col, "anchors (&%s) are not allowed: write the value out",
		        anchor);
		return -1;
	}
	/* "!" is the non-specific tag: a plain string. */
	if (r->lim->plain_text && tag != NULL && strcmp((const char *)tag, YAML_STR_TAG) != 0 &&
	    strcmp((const char *)tag, "!") != 0) {
		problem(r, r->code, line, col, "tag %s is not allowed: values are plain text", tag);
		return -1;
	}
	if (ev->type != YAML_SCALAR_EVENT)
		return 0;
	len = ev->data.scalar.length;
	if (len > r->lim->max_scalar)
		go_on = problem(r, POCDIR_ERR_LIMIT, line, col,
		                "value of %zu bytes is longer than the limit of %zu", len,
		                r->lim->max_scalar);
	else if (memchr(ev->data.scalar.value, '\0', len) != NULL)
		go_on = problem(r, r->code, line, col, "value contains a NUL character");
	else if (r->lim->plain_text && has_control(ev->data.scalar.value, len))
		go_on = problem(r, r->code, line, col,
		                "value contains a control character or a bidirectional override: "
		                "only printable text, tabs and line breaks are allowed");
	else
		return 0;
	if (!go_on)
		return -1;
	ev->data.scalar.value[0] = '\0';
	ev->data.scalar.length = 0;
	return 0;
}

/* libyaml allocates with malloc and frees with free (api.c's yaml_malloc
 * and yaml_free), so the document's arrays are grown here and, without a
 * pool, a node takes its value and tag from the event without a copy:
 * yaml_document_add_scalar would copy both and check the value's UTF-8
 * again. With a pool they are copied there, and the event's memory goes
 * back to malloc at once, to be handed out again for the next event.
 * Returns the id, or 0 when out of memory. */
static int push_node(struct reader *r, yaml_event_t *ev)
{
	yaml_document_t *doc = r->doc;
	yaml_node_t *n;
	yaml_char_t **tag;

	if (doc->nodes.top == doc->nodes.end) {
		size_t have = (size_t)(doc->nodes.top - doc->nodes.start);
		size_t cap = have < 64 ? 64 : 2 * have;
		yaml_node_t *grown = realloc(doc->nodes.start, cap * sizeof(*grown));

		if (grown == NULL)
			return 0;
		doc->nodes.start = grown;
		doc->nodes.top = grown + have;
		doc->nodes.end = grown + cap;
	}
	n = doc->nodes.top;
	n->tag = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = YAML_SCALAR_NODE;
		n->data.scalar.length = ev->data.scalar.length;
		n->data.scalar.style = ev->data.scalar.style;
		if (r->pool == NULL) {
			n->data.scalar.value = ev->data.scalar.value;
			ev->data.scalar.value = NULL;
		} else if ((n->data.scalar.value = (yaml_char_t *)arena_strndup(
		                r->pool, (const char *)ev->data.scalar.value,
		                ev->data.scalar.length)) == NULL) {
			return 0;
		}
		tag = &ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		n->type = YAML_SEQUENCE_NODE;
		n->data.sequence.style = ev->data.sequence_start.style;
		n->data.sequence.items.start = n->data.sequence.items.top = NULL;
		n->data.sequence.items.end = NULL; /* frame_close fills them */
		tag = &ev->data.sequence_start.tag;
		break;
	default: /* YAML_MAPPING_START_EVENT */
		n->type = YAML_MAPPING_NODE;
		n->data.mapping.style = ev->data.mapping_start.style;
		n->data.mapping.pairs.start = n->data.mapping.pairs.top = NULL;
		n->data.mapping.pairs.end = NULL;
		tag = &ev->data.mapping_start.tag;
		break;
	}
	/* "!" is the non-specific tag: untagged, as libyaml's loader
	 * resolves it. */
	if (*tag != NULL && strcmp((const char *)*tag, "!") != 0) {
		if (r->pool == NULL) {
			n->tag = *tag;
			*tag = NULL;
		} else if ((n->tag = (yaml_char_t *)arena_strdup(r->pool, (const char *)*tag)) ==
		           NULL) {
			return 0;
		}
	}
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	doc->nodes.top++;
	return (int)(doc->nodes.top - doc->nodes.start);
}

static int frame_push(struct frame *f, int id)
{
	if (f->count == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		int *items = realloc(f->items, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		f->items = items;
		f->cap = cap;
	}
	f->items[f->count++] = id;
	return 0;
}

static void *node_alloc(struct reader *r, size_t size)
{
	return r->pool != NULL ? arena_alloc(r->pool, size) : malloc(size);
}

/* The collection of frame f closes: its items become the node's. */
static int frame_close(struct reader *r, struct frame *f, const yaml_mark_t *end)
{
	yaml_node_t *n = &r->doc->nodes.start[f->node - 1];

	n->end_mark = *end;
	if (f->count == 0)
		return 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *items = node_alloc(r, f->count * sizeof(*items));

		if (items == NULL)
			return -1;
		memcpy(items, f->items, f->count * sizeof(*items));
		n->data.sequence.items.start = items;
		n->data.sequence.items.top = n->data.sequence.items.end = items + f->count;
	} else {
		size_t npairs = f->count / 2;
		yaml_node_pair_t *pairs = node_alloc(r, npairs * sizeof(*pairs));

		if (pairs == NULL)
			return -1;
		for (size_t i = 0; i < npairs; i++) {
			pairs[i].key = f->items[2 * i];
			pairs[i].value = f->items[2 * i + 1];
		}
		n->data.mapping.pairs.start = pairs;
		n->data.mapping.pairs.top = n->data.mapping.pairs.end = pairs + npairs;
	}
	return 0;
}

/* No nodes, but the room for them kept: a document read with a pool,
 * whose contents are the pool's. The directives are never set: yamldoc
 * reads none into a document. */
static void empty(yaml_document_t *doc)
{
	yaml_node_t *start = doc->nodes.start, *end = doc->nodes.end;

	memset(doc, 0, sizeof(*doc));
	doc->nodes.start = doc->nodes.top = start;
	doc->nodes.end = end;
}

/* Read r->buf into r->doc, event by event. Returns 0 or -1. */
static int read_document(struct reader *r)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	yaml_document_t *doc = r->doc;
	const struct yamldoc_limits *lim = r->lim;
	unsigned max_depth =
	    lim->max_depth < YAMLDOC_DEPTH_CAP ? lim->max_depth : YAMLDOC_DEPTH_CAP;
	unsigned depth = 0;
	size_t nodes = 0;
	int documents = 0, id, rc = -1;
	bool done = false, have_doc = false;

	if (r->pool != NULL)
		empty(doc);
	r->stack = calloc(max_depth + 1, sizeof(*r->stack));
	if (r->stack == NULL) {
		problem(r, POCDIR_ERR_SYSTEM, 0, 0, "out of memory");
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		free(r->stack);
		problem(r, POCDIR_ERR_SYSTEM, 0, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)r->buf, r->len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			unsigned long line, col;

			if (parser.error == YAML_READER_ERROR) {
				offset_to_mark(r, parser.problem_offset, &line, &col);
				problem(r, r->code, line, col, "not valid UTF-8 text: %s",
				        parser.problem);
			} else {
				problem(r, r->code, LINE(parser.problem_mark),
				        COLUMN(parser.problem_mark), "YAML syntax error: %s%s%s",
				        parser.problem ? parser.problem : "malformed input",
				        parser.context ? " " : "",
				        parser.context ? parser.context : "");
			}
			goto fail;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				problem(r, r->code, LINE(ev.start_mark), COLUMN(ev.start_mark),
				        "a second YAML document: a file holds one");
				goto fail_event;
			}
			/* yaml_document_initialize, but for the room of a
			 * cleared document's nodes. */
			doc->start_implicit = ev.data.document_start.implicit;
			doc->end_implicit = 1;
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
			problem(r, r->code, LINE(ev.start_mark), COLUMN(ev.start_mark),
			        "aliases (*%s) are not allowed: write the value out",
			        ev.data.alias.anchor);
			goto fail_event;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			struct frame *parent = depth > 0 ? &r->stack[depth] : NULL;
			unsigned long line = LINE(ev.start_mark), col = COLUMN(ev.start_mark);

			if (check_node(r, &ev) == -1)
				goto fail_event;
			if (++nodes > lim->max_nodes) {
				problem(r, POCDIR_ERR_LIMIT, line, col, "more than %zu nodes",
				        lim->max_nodes);
				goto fail_event;
			}
			if (parent != NULL &&
			    doc->nodes.start[parent->node - 1].type == YAML_SEQUENCE_NODE) {
				if (parent->count >= lim->max_items) {
					problem(r, POCDIR_ERR_LIMIT, line, col,
					        "more than %zu items in one list", lim->max_items);
					goto fail_event;
				}
			} else if (parent != NULL && parent->count >= 2 * lim->max_keys) {
				problem(r, POCDIR_ERR_LIMIT, line, col,
				        "more than %zu keys in one mapping", lim->max_keys);
				goto fail_event;
			}
			if (ev.type != YAML_SCALAR_EVENT && depth >= max_depth) {
				problem(r, POCDIR_ERR_LIMIT, line, col,
				        "nested deeper than %u levels", max_depth);
				goto fail_event;
			}
			if ((id = push_node(r, &ev)) == 0)
				goto oom;
			if (parent != NULL && frame_push(parent, id) == -1)
				goto oom;
			if (ev.type != YAML_SCALAR_EVENT) {
				depth++;
				r->stack[depth].node = id;
				r->stack[depth].count = 0;
			}
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (frame_close(r, &r->stack[depth], &ev.end_mark) == -1)
				goto oom;
			if (ev.type == YAML_MAPPING_END_EVENT &&
			    check_keys(r, &doc->nodes.start[r->stack[depth].node - 1]) == -1)
				goto fail_event;
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto out;
oom:
	problem(r, POCDIR_ERR_SYSTEM, 0, 0, "out of memory");
fail_event:
	yaml_event_delete(&ev);
fail:
	have_doc = false;
out:
	yaml_parser_delete(&parser);
	for (unsigned i = 0; i <= max_depth; i++)
		free(r->stack[i].items);
	free(r->stack);
	free(r->keys);
	free(r->pairs);
	if (!have_doc && r->pool == NULL)
		yaml_document_delete(doc);
	else if (!have_doc)
		empty(doc); /* its contents are the pool's */
	return rc;
}

void yamldoc_pool_delete(yaml_document_t *doc)
{
	free(doc->nodes.start);
	memset(doc, 0, sizeof(*doc));
}

int yamldoc_load_limited(const char *name, const char *buf, size_t len, int code,
                         const struct yamldoc_limits *lim, yaml_document_t *doc, pocdir_error *err)
{
	struct reader r = {
	    .name = name, .buf = buf, .len = len, .code = code, .lim = lim, .err = err, .doc = doc};

	memset(doc, 0, sizeof(*doc));
	return read_document(&r);
}

int yamldoc_load_each(const char *name, const char *buf, size_t len,
                      const struct yamldoc_limits *lim, yamldoc_report_fn fn, void *ctx,
                      struct arena *pool, yaml_document_t *doc)
{
	struct reader r = {.name = name,
	                   .buf = buf,
	                   .len = len,
	                   .code = POCDIR_ERR_INVALID,
	                   .lim = lim,
	                   .fn = fn,
	                   .ctx = ctx,
	                   .doc = doc,
	                   .pool = pool};

	return read_document(&r);
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
