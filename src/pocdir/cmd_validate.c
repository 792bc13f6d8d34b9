/* cmd_validate.c - pocdir validate: every problem of the origin files as
 * file:line:col: message, then the warnings a maintainer needs (expired or
 * expiring PGP keys, contacts not verified for long, valid-until past) and
 * a summary; exit 0 valid, 2 invalid (or warned, with --strict). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

/* One diagnostic, kept until the file is done so that they come out in
 * line order whatever order the checks ran in. */
struct diag_copy {
	char *file, *message;
	unsigned long line, column;
	size_t file_index, seq;
};

/* Distinct files that had problems, for "N errors in M files", and the
 * diagnostics to print. */
struct validate_state {
	char **files;
	size_t nfiles;
	struct diag_copy *diags;
	size_t ndiags;
	bool failed; /* out of memory while counting */
};

static size_t count_file(struct validate_state *st, const char *file)
{
	size_t i;
	char **files;

	for (i = st->nfiles; i > 0; i--)
		if (strcmp(st->files[i - 1], file) == 0)
			return i - 1;
	files = realloc(st->files, (st->nfiles + 1) * sizeof(*files));
	if (files == NULL || (files[st->nfiles] = strdup(file)) == NULL) {
		if (files != NULL)
			st->files = files;
		st->failed = true;
		return st->nfiles;
	}
	st->files = files;
	return st->nfiles++;
}

static void keep_diag(const pocdir_diag *d, void *ctx)
{
	struct validate_state *st = ctx;
	const char *file = d->file != NULL ? d->file : "(unknown)";
	struct diag_copy *v = realloc(st->diags, (st->ndiags + 1) * sizeof(*v));

	if (v == NULL) {
		st->failed = true;
		return;
	}
	st->diags = v;
	v = &st->diags[st->ndiags];
	*v = (struct diag_copy){strdup(file),
	                        strdup(d->message != NULL ? d->message : ""),
	                        d->line,
	                        d->column,
	                        count_file(st, file),
	                        st->ndiags};
	if (v->file == NULL || v->message == NULL) {
		free(v->file);
		free(v->message);
		st->failed = true;
		return;
	}
	st->ndiags++;
}

/* Files in the order they were read, then line, column, and the order the
 * checks reported in. */
static int diag_order(const void *pa, const void *pb)
{
	const struct diag_copy *a = pa, *b = pb;

	if (a->file_index != b->file_index)
		return a->file_index < b->file_index ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The GNU "file:line:col: message" form editors jump to; line and column
 * are left out when the library does not know them. */
static void print_diags(struct validate_state *st)
{
	if (st->ndiags > 1) /* qsort's array may not be NULL, even when empty */
		qsort(st->diags, st->ndiags, sizeof(*st->diags), diag_order);
	for (size_t i = 0; i < st->ndiags; i++) {
		struct diag_copy *d = &st->diags[i];
		size_t flen = strlen(d->file);

		/* A message that names the file itself (a read error) is not
		 * prefixed with it twice. */
		if (d->line == 0 && strncmp(d->message, d->file, flen) == 0 &&
		    strncmp(d->message + flen, ": ", 2) == 0) {
			printf("%s\n", d->message);
			continue;
		}

		if (d->line > 0 && d->column > 0)
			printf("%s:%lu:%lu: %s\n", d->file, d->line, d->column, d->message);
		else if (d->line > 0)
			printf("%s:%lu: %s\n", d->file, d->line, d->message);
		else
			printf("%s: %s\n", d->file, d->message);
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

struct validate_args {
	bool strict; /* --strict: a warning fails like an error */
};

/* "file:line: warning: ..." (pocdir_warnings gives no column). */
static void print_warning(const pocdir_diag *d, void *ctx)
{
	(void)ctx;
	if (d->line > 0)
		printf("%s:%lu: %s\n", d->file != NULL ? d->file : "(unknown)", d->line,
		       d->message);
	else
		printf("%s: %s\n", d->file != NULL ? d->file : "(unknown)", d->message);
}

/* A valid path: load it to say how much it holds and what to look at. */
static int summarise_valid(const struct cli *cli, const struct validate_args *a, const char *path)
{
	struct cli one = *cli;
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	size_t i, n, norigins = 0;
	char **origins = NULL;
	pocdir *dir;
	int rc = EXIT_USAGE, nwarn;

	one.directory = path;
	one.at = NULL;    /* the files as they are now, which is what was validated */
	one.local = true; /* and only them, not the sets held in a state directory */
	dir = cli_open(&one);
	if (dir == NULL)
		return EXIT_USAGE;
	if (pocdir_all(dir, &res, &err) == -1) {
		cli_error("%s", err.message);
		goto done;
	}
	n = pocdir_result_count(res);
	origins = calloc(n + 1, sizeof(*origins));
	if (origins == NULL) {
		cli_error("out of memory");
		goto done;
	}
	/* Origins as the entries name them: the public API has no origin list. */
	for (i = 0; i < n; i++) {
		const char *o = pocdir_entry_origin(pocdir_result_entry(res, i));
		size_t j;

		if (o == NULL)
			continue;
		for (j = 0; j < norigins && strcmp(origins[j], o) != 0; j++)
			;
		if (j == norigins)
			origins[norigins++] = (char *)o;
	}
	nwarn = pocdir_warnings(dir, cli->now, print_warning, NULL, &err);
	if (nwarn < 0) {
		cli_error("%s", err.message);
		goto done;
	}
	if (nwarn > 0 && a->strict) {
		printf("%d %s in %s (errors with --strict)\n", nwarn,
		       plural((size_t)nwarn, "warning", "warnings"), path);
		rc = EXIT_USAGE;
		goto done;
	}
	printf("%s is valid: %zu %s, %zu %s", path, norigins, plural(norigins, "origin", "origins"),
	       n, plural(n, "entry", "entries"));
	if (nwarn > 0)
		printf(", %d %s", nwarn, plural((size_t)nwarn, "warning", "warnings"));
	printf("\n");
	rc = EXIT_FOUND;
done:
	free(origins);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return rc;
}

static int validate_path(const struct cli *cli, const struct validate_args *a, const char *path)
{
	struct validate_state st = {0};
	pocdir_error err = {0};
	size_t i;
	int n, rc;

	n = pocdir_validate(path, keep_diag, &st, &err);
	if (n < 0) {
		/* A path that cannot be read is said once, as an error. */
		cli_error("%s", err.message);
		rc = EXIT_USAGE;
	} else if (n == 0) {
		print_diags(&st);
		rc = summarise_valid(cli, a, path);
	} else {
		print_diags(&st);
		if (st.nfiles == 0)
			count_file(&st, path);
		printf("%d %s in %zu %s\n", n, plural((size_t)n, "error", "errors"), st.nfiles,
		       plural(st.nfiles, "file", "files"));
		rc = EXIT_USAGE;
	}
	if (st.failed)
		cli_error("out of memory while keeping the problems");
	for (i = 0; i < st.nfiles; i++)
		free(st.files[i]);
	free(st.files);
	for (i = 0; i < st.ndiags; i++) {
		free(st.diags[i].file);
		free(st.diags[i].message);
	}
	free(st.diags);
	return rc;
}

static int validate_option(int opt, const char *arg, void *ctx)
{
	struct validate_args *a = ctx;

	(void)arg;
	if (opt == CLI_OPT_OWN)
		a->strict = true;
	return 0;
}

int cmd_validate(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"strict", no_argument, NULL, CLI_OPT_OWN},
	    {NULL, 0, NULL, 0},
	};
	struct validate_args a = {.strict = false};
	struct cli cli;
	int first, i, rc = EXIT_FOUND;

	first = cli_parse(cli0, &cli, argc, argv, own, validate_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first >= argc)
		return validate_path(&cli, &a, cli.directory);
	for (i = first; i < argc; i++)
		if (validate_path(&cli, &a, argv[i]) != EXIT_FOUND)
			rc = EXIT_USAGE;
	return rc;
}
