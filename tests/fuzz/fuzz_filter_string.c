/* fuzz_filter_string.c - fuzz harness: an RFC 4515 filter string through
 * libldap's parser, the BER decoder, the evaluator and the planner. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "filter_check.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	filter_check_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_limits limits = FILTER_DEFAULT_LIMITS;
	struct filter *f;
	pocdir_error err;
	char *text;

	/* A C string, as the CLI and the library take it. */
	if (size > 8192 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	f = filter_parse(text, &limits, &err);
	if (f != NULL) {
		filter_check(f);
		filter_free(&f);
	} else {
		FUZZ_ASSERT(err.message[0] != '\0');
	}
	free(text);
	return 0;
}
