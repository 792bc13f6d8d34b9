/* filter_check.c - what the filter harnesses do with a decoded filter:
 * evaluate it on every contact of the sample directory and check that the
 * indexed search finds exactly the contacts a scan finds. */
#include "config.h"

#include <stdlib.h>

#include "filter_check.h"
#include "fuzz.h"
#include "search.h"

static struct store *sample;

void filter_check_init(void)
{
	pocdir_error err;

	sample = store_load(POCDIR_SOURCE_DIRECTORY, "dc=pocdir", NULL, NULL, &err);
	if (sample == NULL)
		fuzz_fail(__FILE__, __LINE__, err.message);
}

void filter_check(const struct filter *f)
{
	uint32_t *ids = NULL;
	size_t count = 0, k = 0;
	char text[512];
	pocdir_error err;

	filter_to_string(f, text, sizeof(text));
	if (search_filter(sample, f, &ids, &count, &err) == -1)
		return; /* out of memory: nothing to compare */
	/* The planner narrows by index, the scan evaluates everything: both
	 * must say TRUE for the same contacts (RFC 4511 4.5.1.7). */
	for (size_t i = 0; i < sample->nentries; i++) {
		enum tri t = filter_eval(f, sample->entries[i]);

		FUZZ_ASSERT(t == TRI_TRUE || t == TRI_FALSE || t == TRI_UNDEFINED);
		if (t == TRI_TRUE) {
			FUZZ_ASSERT(k < count && ids[k] == i);
			k++;
		}
	}
	FUZZ_ASSERT(k == count);
	for (size_t i = 0; i < sample->ncountries; i++)
		(void)filter_eval(f, sample->countries[i]);
	free(ids);
}
