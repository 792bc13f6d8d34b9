/* fuzz.h - what every fuzz harness defines: libFuzzer's entry points, which
 * tests/fuzz/replay.c also calls when the harness is built without libFuzzer
 * to replay its corpus and regression inputs in make check. */
#ifndef POCDIR_FUZZ_H
#define POCDIR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; harnesses load their fixtures here. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Run one input; must not keep data, must return 0. A crash, a sanitizer
 * report or abort() on a broken invariant is a finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message: a harness's invariant check failed. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

__attribute__((noreturn)) void fuzz_fail(const char *file, int line, const char *what);

#endif /* POCDIR_FUZZ_H */
