/* fuzz_origin.c - fuzz harness: an origin file (YAML) through the loader and
 * validator, and a valid one on into a snapshot with its indexes. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "load.h"
#include "store.h"

static void diag_touch(const pocdir_diag *d, void *ctx)
{
	size_t *total = ctx;

	/* Read every diagnostic, so a message built from a bad pointer shows. */
	*total += strlen(d->message) + (d->file != NULL ? strlen(d->file) : 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct origin_set set;
	struct store *s;
	pocdir_error err;
	unsigned nerrors = 0;
	size_t total = 0, n;

	memset(&set, 0, sizeof(set));
	if (load_origin_buffer((const char *)data, size, "fuzz.yaml", "dc=pocdir", &set, diag_touch,
	                       &total, &nerrors, &err) == -1) {
		FUZZ_ASSERT(err.message[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(nerrors == 0);
	n = set.nentries;
	/* store_build takes what the set holds, valid snapshot or not. */
	s = store_build(&set, 1, "dc=pocdir", diag_touch, &total, &err);
	if (s != NULL) {
		FUZZ_ASSERT(s->nentries == n);
		store_unref(&s);
	}
	origin_set_clear(&set);
	return 0;
}
