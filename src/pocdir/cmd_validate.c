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

/* Distinct files that had problems, for "N errors in M files". */
struct validate_state {
	char **files;
	size_t nfiles;
	bool failed; /* out of memory while counting */
};

static void count_file(struct validate_state *st, const char *file)
{
	size_t i;
	char **files;

	for (i = st->nfiles; i > 0; i--)
		if (strcmp(st->files[i - 1], file) == 0)
			return;
	files = realloc(st->files, (st->nfiles + 1) * sizeof(*files));
	if (files == NULL || (files[st->nfiles] = strdup(file)) == NULL) {
		if (files != NULL)
			st->files = files;
		st->failed = true;
		return;
	}
	st->files = files;
	st->nfiles++;
}

/* The GNU "file:line:col: message" form editors jump to; line and column
 * are left out when the library does not know them. */
static void print_diag(const pocdir_diag *d, void *ctx)
{
	struct validate_state *st = ctx;
	const char *file = d->file != NULL ? d->file : "(unknown)";

	if (d->line > 0 && d->column > 0)
		printf("%s:%lu:%lu: %s\n", file, d->line, d->column, d->message);
	else if (d->line > 0)
		printf("%s:%lu: %s\n", file, d->line, d->message);
	else
		printf("%s: %s\n", file, d->message);
	count_file(st, file);
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
	one.at = NULL; /* the files as they are now, which is what was validated */
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

	n = pocdir_validate(path, print_diag, &st, &err);
	if (n < 0) {
		cli_error("%s", err.message);
		rc = EXIT_USAGE;
	} else if (n == 0) {
		rc = summarise_valid(cli, a, path);
	} else {
		if (st.nfiles == 0)
			count_file(&st, path);
		printf("%d %s in %zu %s\n", n, plural((size_t)n, "error", "errors"), st.nfiles,
		       plural(st.nfiles, "file", "files"));
		rc = EXIT_USAGE;
	}
	if (st.failed)
		cli_error("out of memory while counting files");
	for (i = 0; i < st.nfiles; i++)
		free(st.files[i]);
	free(st.files);
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
