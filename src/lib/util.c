/* util.c - small helpers shared by the library: errors, strings, atomic
 * file writes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int error_set(pocdir_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->count = 1; /* callers that count problems overwrite it */
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void error_clear(pocdir_error *err)
{
	if (err == NULL)
		return;
	err->code = POCDIR_OK;
	err->count = 0;
	err->message[0] = '\0';
}

char *str_dup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

char *str_ndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	if (n > 0) /* an empty value from libldap may be NULL */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *str_lower(const char *s)
{
	char *p = str_dup(s);

	for (char *q = p; q != NULL && *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return p;
}

char *str_upper(const char *s)
{
	char *p = str_dup(s);

	for (char *q = p; q != NULL && *q != '\0'; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	return p;
}

void strv_free(char ***v)
{
	if (v == NULL || *v == NULL)
		return;
	for (char **p = *v; *p != NULL; p++)
		free(*p);
	free(*v);
	*v = NULL;
}

/* fsync the folder holding path so that a rename into it survives a crash. */
static int sync_parent(const char *path, pocdir_error *err)
{
	char *copy = str_dup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd == -1 || fsync(fd) == -1)
		rc = error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot sync folder: %s", path,
		               strerror(errno));
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, pocdir_error *err)
{
	return file_write_atomic_mode(path, data, len, 0644, false, err);
}

int file_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode,
                           bool no_clobber, pocdir_error *err)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	const char *p = data;
	int fd;

	if (tmp == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	if (no_clobber && access(path, F_OK) == 0) {
		free(tmp);
		return error_set(err, POCDIR_ERR_USAGE, "%s exists; not overwriting it", path);
	}
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp); /* mode 0600 until fchmod below */
	if (fd == -1) {
		error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot create temporary file: %s", path,
		          strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (no_clobber) {
		/* link() fails when path appeared meanwhile: never clobber. */
		if (link(tmp, path) == -1)
			goto fail;
		unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		goto fail;
	}
	free(tmp);
	return sync_parent(path, err);
fail:
	error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot write: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int file_read(const char *path, size_t max, char **data, size_t *len, pocdir_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, used = 0, first = 65536;
	struct stat st;

	*data = NULL;
	if (len != NULL)
		*len = 0;
	if (f == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", path, strerror(errno));
	/* A regular file's size, one byte to see its end and the NUL: one
	 * allocation for what is read in one go, however small. A file that
	 * grows meanwhile, or a pipe, doubles the buffer. */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size <= max)
		first = (size_t)st.st_size + 2;
	for (;;) {
		size_t r;

		if (cap - used <= 1) {
			size_t ncap = cap == 0 ? first : cap * 2;
			char *nb;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= used + 1) {
				error_set(err, POCDIR_ERR_LIMIT, "%s: larger than %zu bytes", path,
				          max);
				goto fail;
			}
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		r = fread(buf + used, 1, cap - used - 1, f);
		used += r;
		if (used > max) {
			error_set(err, POCDIR_ERR_LIMIT, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		error_set(err, POCDIR_ERR_SYSTEM, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	buf[used] = '\0';
	*data = buf;
	if (len != NULL)
		*len = used;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

void util_name_uuid(const char *name, unsigned char out[16])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	if (name == NULL)
		name = "";
	crypto_hash_sha256(h, (const unsigned char *)name, strlen(name));
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x80); /* version 8 */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* variant 10 */
	memcpy(out, h, 16);
}
