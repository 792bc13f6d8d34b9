/* util.h - small helpers shared by the library: errors, strings, atomic
 * file writes. */
#ifndef POCDIR_UTIL_H
#define POCDIR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pocdir.h"

/* Fill err (may be NULL) with code and a printf-style message; returns -1 so
 * callers can write `return error_set(err, ...);`. */
int error_set(pocdir_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear err to POCDIR_OK. */
void error_clear(pocdir_error *err);

/* strdup / strndup that return NULL on failure (callers check). */
char *str_dup(const char *s);
char *str_ndup(const char *s, size_t n);

/* ASCII lower-case copy / upper-case copy; NULL on allocation failure. */
char *str_lower(const char *s);
char *str_upper(const char *s);

/* Free a NULL-terminated string vector and set *v to NULL. */
void strv_free(char ***v);

/* Write len bytes to path atomically: temporary file in the same folder,
 * write, fsync, rename, fsync the folder. Returns 0 or -1 with err set. */
int file_write_atomic(const char *path, const void *data, size_t len, pocdir_error *err);

/* As file_write_atomic with the file's mode; with no_clobber, an existing
 * path is an error and the file is linked into place (never replaced), as a
 * secret key must be. */
int file_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode,
                           bool no_clobber, pocdir_error *err);

/* A name-based UUID (version 8 built from SHA-256, RFC 9562 appendix B.2)
 * over name, into out: the same name always gives the same UUID. */
void util_name_uuid(const char *name, unsigned char out[16]);

/* Read a whole file of at most max bytes; *data is NUL-terminated, free() it.
 * Returns 0 or -1 with err set (POCDIR_ERR_LIMIT when larger than max). */
int file_read(const char *path, size_t max, char **data, size_t *len, pocdir_error *err);

#endif /* POCDIR_UTIL_H */
