/* fuzz_feed_index.c - fuzz harness: a peer's index.yaml through the feed
 * index parser; what it accepts must render and parse back the same. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_index ix, again;
	pocdir_error err;
	char *text;

	memset(&ix, 0, sizeof(ix));
	if (feed_index_parse((const char *)data, size, "index.yaml", &ix, &err) == -1) {
		FUZZ_ASSERT(err.message[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(ix.count <= FEED_MAX_ORIGINS);
	for (size_t i = 0; i < ix.count; i++) {
		FUZZ_ASSERT(strlen(ix.items[i].path) < FEED_MAX_PATH);
		FUZZ_ASSERT(strncmp(ix.items[i].path, "origins/", 8) == 0);
		FUZZ_ASSERT(strstr(ix.items[i].path, "..") == NULL);
		FUZZ_ASSERT(i == 0 || strcmp(ix.items[i - 1].origin, ix.items[i].origin) < 0);
	}
	text = feed_index_render(&ix);
	if (text != NULL) {
		memset(&again, 0, sizeof(again));
		FUZZ_ASSERT(feed_index_parse(text, strlen(text), "rendered", &again, &err) == 0);
		FUZZ_ASSERT(again.count == ix.count);
		FUZZ_ASSERT(strcmp(again.publisher, ix.publisher) == 0);
		for (size_t i = 0; i < ix.count; i++) {
			FUZZ_ASSERT(strcmp(again.items[i].origin, ix.items[i].origin) == 0);
			FUZZ_ASSERT(again.items[i].serial == ix.items[i].serial);
			FUZZ_ASSERT(strcmp(again.items[i].sha256, ix.items[i].sha256) == 0);
			FUZZ_ASSERT(again.items[i].size == ix.items[i].size);
		}
		feed_index_clear(&again);
		free(text);
	}
	feed_index_clear(&ix);
	return 0;
}
