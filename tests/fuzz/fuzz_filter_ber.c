/* fuzz_filter_ber.c - fuzz harness: a Filter in BER as a client sends it in
 * a SearchRequest, through the decoder, the evaluator and the planner. */
#include "config.h"

#include <lber.h>

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
	struct berval bv = {.bv_len = size, .bv_val = (char *)data};
	BerElement *ber = ber_init(&bv);
	struct filter *f;
	pocdir_error err;

	if (ber == NULL)
		return 0;
	f = filter_from_ber(ber, &limits, &err);
	if (f != NULL) {
		filter_check(f);
		filter_free(&f);
		FUZZ_ASSERT(f == NULL);
	} else {
		FUZZ_ASSERT(err.message[0] != '\0');
	}
	ber_free(ber, 1);
	return 0;
}
