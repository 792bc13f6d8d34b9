/* tap.h - a minimal Test Anything Protocol emitter for the C unit tests. */
#ifndef POCDIR_TAP_H
#define POCDIR_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

/* Report one test point; returns cond so callers can chain diagnostics. */
static inline int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* Compare strings, printing both on mismatch. */
#define tap_is(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *tap_g_ = (got), *tap_w_ = (want);                                      \
		if (!tap_ok(tap_g_ != NULL && tap_w_ != NULL ? strcmp(tap_g_, tap_w_) == 0         \
		                                             : tap_g_ == tap_w_,                   \
		            __VA_ARGS__))                                                          \
			printf("#   got: '%s'\n#  want: '%s'\n", tap_g_ ? tap_g_ : "(null)",       \
			       tap_w_ ? tap_w_ : "(null)");                                        \
	} while (0)

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Print the plan and return the exit status for main. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* POCDIR_TAP_H */
