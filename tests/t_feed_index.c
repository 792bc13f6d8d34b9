/* t_feed_index.c - unit tests for a peer's index.yaml as it is parsed
 * (feed.c over yamldoc.c): the largest honest index, and hostile ones (a
 * flow sequence of 1.4 million empty mappings, deep nesting, aliases, long
 * scalars, a second document) refused as the events arrive, in bounded
 * memory. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "feed.h"
#include "tap.h"
#include "yamldoc.h"

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A growing text buffer; aborts on allocation failure (a test). */
struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

static void refused(const char *buf, size_t len, int code, const char *needle, const char *what)
{
	struct feed_index ix;
	pocdir_error err = {0};
	int rc = feed_index_parse(buf, len, "index.yaml", &ix, &err);

	if (!tap_ok(rc == -1 && err.code == code && strstr(err.message, needle) != NULL,
	            "%s: refused (%s)", what, err.message))
		tap_diag("rc %d code %d, want code %d and \"%s\"", rc, err.code, code, needle);
	if (rc == 0)
		feed_index_clear(&ix);
}

static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

int main(void)
{
	struct text t = {0};
	struct feed_index ix;
	pocdir_error err = {0};
	long before, after;
	char line[512];
	int rc;

	/* The flow bomb: 1.4 million empty mappings in under 4 MiB. libyaml's
	 * document loader built all of them (hundreds of MB) before any
	 * count was checked. */
	put(&t, "origins: [");
	for (int i = 0; i < 1390000; i++)
		put(&t, "{},");
	put(&t, "{}]\n");
	tap_ok(t.len <= FEED_MAX_INDEX_BYTES, "the flow bomb is %zu bytes, under the index limit",
	       t.len);
	before = peak_kib();
	refused(t.s, t.len, POCDIR_ERR_LIMIT, "index.yaml:1:", "a flow sequence of 1.4M {}");
	after = peak_kib();
	tap_ok(after - before < 16 * 1024, "... in bounded memory (peak RSS %ld -> %ld KiB)",
	       before, after);

	t.len = 0;
	/* The largest honest index: FEED_MAX_ORIGINS origins. */
	put(&t, "publisher: hub\ngenerated: 2026-12-01T00:00:00Z\norigins:\n");
	for (int i = 0; i < FEED_MAX_ORIGINS; i++) {
		snprintf(line, sizeof(line),
		         "  - {origin: o%d, serial: 7, sha256: %s, size: 10, path: "
		         "origins/o%d/7.yaml}\n",
		         i, sha, i);
		put(&t, line);
	}
	rc = feed_index_parse(t.s, t.len, "index.yaml", &ix, &err);
	tap_ok(rc == 0 && ix.count == FEED_MAX_ORIGINS, "an index of %d origins parses (%s)",
	       FEED_MAX_ORIGINS, rc == 0 ? "ok" : err.message);
	if (rc == 0)
		feed_index_clear(&ix);
	put(&t, "  - {origin: one-more, serial: 7, sha256: ");
	put(&t, sha);
	put(&t, ", path: origins/one-more/7.yaml}\n");
	refused(t.s, t.len, POCDIR_ERR_LIMIT, "more than 10000 items in one list",
	        "one origin more than FEED_MAX_ORIGINS");

	/* Nested flow sequences, a block of pairs, a long scalar, aliases. */
	t.len = 0;
	put(&t, "origins: ");
	for (int i = 0; i < 100000; i++)
		put(&t, "[");
	before = peak_kib();
	refused(t.s, t.len, POCDIR_ERR_LIMIT, "nested deeper than 4", "100,000 nested [");
	tap_ok(peak_kib() - before < 16 * 1024, "... in bounded memory");
	t.len = 0;
	put(&t, "origins: []\n");
	for (int i = 0; i < 20000; i++) {
		snprintf(line, sizeof(line), "x-%d: y\n", i);
		put(&t, line);
	}
	refused(t.s, t.len, POCDIR_ERR_LIMIT, "more than 10000 keys in one mapping",
	        "20,000 keys in the top mapping");
	t.len = 0;
	put(&t, "publisher: ");
	for (int i = 0; i < 200; i++)
		put(&t, "xxxxxxxxxx");
	put(&t, "\norigins: []\n");
	refused(t.s, t.len, POCDIR_ERR_LIMIT, "longer than the limit of 1024",
	        "a 2,000-byte scalar");
	refused("a: &x [1]\norigins: *x\n", 22, POCDIR_ERR_INVALID, "aliases (*x) are not allowed",
	        "an alias");
	refused("origins: []\n---\norigins: []\n", 28, POCDIR_ERR_INVALID, "a second YAML document",
	        "two documents");
	refused("origins: [\n", 11, POCDIR_ERR_INVALID, "index.yaml:2:1: YAML syntax error",
	        "a truncated index");
	/* The reader origin files go through: a value with a NUL would be cut
	 * short as a C string, and bad UTF-8 is placed where it is. */
	refused("publisher: \"a\\0b\"\norigins: []\n", 30, POCDIR_ERR_INVALID,
	        "index.yaml:1:12: value contains a NUL character", "a NUL in a value");
	refused("origins: []\npublisher: \xff\n", 25, POCDIR_ERR_INVALID,
	        "index.yaml:2:12: not valid UTF-8 text", "bad UTF-8");

	/* The generic loader keeps marks for messages and gives an empty
	 * document for an empty buffer. */
	{
		yaml_document_t doc;
		yaml_node_t *root, *v;

		rc =
		    yamldoc_load("x.yaml", "a:\n  b: [1, 2]\n", 15, POCDIR_ERR_INVALID, &doc, &err);
		root = rc == 0 ? yaml_document_get_root_node(&doc) : NULL;
		v = root != NULL && root->type == YAML_MAPPING_NODE
		        ? yaml_document_get_node(&doc, root->data.mapping.pairs.start->value)
		        : NULL;
		tap_ok(v != NULL && v->type == YAML_MAPPING_NODE && v->start_mark.line == 1 &&
		           v->start_mark.column == 2,
		       "yamldoc_load: nested mapping at line 2, column 3");
		if (rc == 0)
			yaml_document_delete(&doc);
		rc = yamldoc_load("x.yaml", "", 0, POCDIR_ERR_INVALID, &doc, &err);
		tap_ok(rc == 0 && yaml_document_get_root_node(&doc) == NULL,
		       "yamldoc_load: an empty buffer has no root");
		yaml_document_delete(&doc);
	}
	free(t.s);

	/* The files a node serves of its feed folder, and nothing else. */
	{
		static const struct {
			const char *path;
			bool ok;
		} paths[] = {
		    {"index.yaml", true},
		    {"origins/kr/2026112201.yaml", true},
		    {"origins/kr/2026112201.yaml.minisig", true},
		    {"origins/kr-cert.2/1.yaml", true},
		    {"", false},
		    {"index.yaml.tmp", false},
		    {"origins/kr/", false},
		    {"origins//1.yaml", false},
		    {"origins/../1.yaml", false},
		    {"origins/../../etc/passwd", false},
		    {"origins/KR/1.yaml", false},
		    {"origins/kr/1.yaml/x", false},
		    {"origins/kr/x.yaml", false},
		    {"origins/kr/123456789012345678901.yaml", false},
		    {"origins/kr/1.meta", false},
		    {"sets/kr/1.yaml", false},
		    {"/index.yaml", false},
		};

		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			tap_ok(feed_file_path(paths[i].path) == paths[i].ok, "feed file \"%s\": %s",
			       paths[i].path, paths[i].ok ? "served" : "refused");
	}
	return tap_done();
}
