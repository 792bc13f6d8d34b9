/* cmd_import.c - pocdir import: another directory's listing (FIRST or
 * Trusted Introducer JSON, security.txt, CSV) as a validated origin file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum {
	OPT_FROM = CLI_OPT_OWN + 60,
	OPT_ORIGIN,
	OPT_OUT,
	OPT_NAME,
	OPT_SCOPE,
	OPT_COUNTRY,
	OPT_AGENCY,
	OPT_ID,
	OPT_ROLES,
	OPT_AGENCY_TYPE,
	OPT_COLUMNS,
	OPT_CA_FILE,
	OPT_TIMEOUT,
	OPT_QUIET
};

struct import_args {
	pocdir_import_options opts;
	unsigned printed_errors;
	bool format_given;
	const char *out;
	bool quiet;
};

static int import_option(int opt, const char *arg, void *ctx)
{
	struct import_args *a = ctx;
	char *end;
	unsigned long v;
	int format;

	switch (opt) {
	case OPT_FROM:
		format = pocdir_import_format_parse(arg);
		if (format < 0) {
			cli_error("import: unknown format '%s' (first, ti, security.txt, csv)",
			          arg);
			return -1;
		}
		a->opts.format = (pocdir_import_format)format;
		a->format_given = true;
		break;
	case OPT_ORIGIN:
		a->opts.origin = arg;
		break;
	case OPT_OUT:
		a->out = arg;
		break;
	case OPT_NAME:
		a->opts.name = arg;
		break;
	case OPT_SCOPE:
		a->opts.scope = arg;
		break;
	case OPT_COUNTRY:
		a->opts.country = arg;
		break;
	case OPT_AGENCY:
		a->opts.agency = arg;
		break;
	case OPT_ID:
		a->opts.id = arg;
		break;
	case OPT_ROLES:
		a->opts.roles = arg;
		break;
	case OPT_AGENCY_TYPE:
		a->opts.agency_type = arg;
		break;
	case OPT_COLUMNS:
		a->opts.columns = arg;
		break;
	case OPT_CA_FILE:
		a->opts.ca_file = arg;
		break;
	case OPT_TIMEOUT:
		v = strtoul(arg, &end, 10);
		if (*arg < '1' || *arg > '9' || *end != '\0' || v > 3600) {
			cli_error("import: --timeout takes 1 to 3600 seconds, not '%s'", arg);
			return -1;
		}
		a->opts.timeout = (unsigned)v;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	default:
		return -1;
	}
	return 0;
}

static const struct option import_options[] = {
    {"from", required_argument, NULL, OPT_FROM},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"out", required_argument, NULL, OPT_OUT},
    {"name", required_argument, NULL, OPT_NAME},
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"country", required_argument, NULL, OPT_COUNTRY},
    {"agency", required_argument, NULL, OPT_AGENCY},
    {"id", required_argument, NULL, OPT_ID},
    {"roles", required_argument, NULL, OPT_ROLES},
    {"agency-type", required_argument, NULL, OPT_AGENCY_TYPE},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {NULL, 0, NULL, 0},
};

/* Warnings and errors on stderr, as file:line:col: message. */
static void print_diag(const pocdir_diag *d, void *ctx)
{
	struct import_args *a = ctx;
	bool warning = strncmp(d->message, "warning: ", 9) == 0;

	if (!warning)
		a->printed_errors++;
	else if (a->quiet)
		return;
	if (d->line > 0 && d->column > 0)
		fprintf(stderr, "%s:%lu:%lu: %s\n", d->file, d->line, d->column, d->message);
	else if (d->line > 0)
		fprintf(stderr, "%s:%lu: %s\n", d->file, d->line, d->message);
	else
		fprintf(stderr, "%s: %s\n", d->file, d->message);
}

int cmd_import(int argc, char **argv, const struct cli *cli0)
{
	struct import_args a = {0};
	pocdir_error err = {0};
	struct cli cli;
	char *yaml = NULL;
	size_t len = 0;
	int first, n;

	first = cli_parse(cli0, &cli, argc, argv, import_options, import_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (!a.format_given)
		return cli_usage_error("import",
		                       "--from FORMAT is needed (first, ti, security.txt, "
		                       "csv)");
	if (a.opts.origin == NULL)
		return cli_usage_error("import", "--origin NAME is needed: the origin id to write");
	if (first + 1 != argc)
		return cli_usage_error("import", "expected one FILE or URL to import");
	a.opts.now = cli.now;
	n = pocdir_import(&a.opts, argv[first], a.out, a.out == NULL ? &yaml : NULL, &len,
	                  print_diag, &a, &err);
	if (n < 0) {
		if (a.printed_errors > 0)
			cli_error("import: %u %s above; nothing written", a.printed_errors,
			          a.printed_errors == 1 ? "problem" : "problems");
		else
			cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	if (a.out == NULL) {
		if (fwrite(yaml, 1, len, stdout) != len || fflush(stdout) == EOF) {
			cli_error("import: cannot write the result");
			free(yaml);
			return EXIT_USAGE;
		}
		free(yaml);
	} else if (!a.quiet) {
		fprintf(stderr,
		        "pocdir: %d %s of origin %s written to %s; sign it with pocdir sign\n", n,
		        n == 1 ? "entry" : "entries", a.opts.origin, a.out);
	}
	return EXIT_FOUND;
}
