/* cmd_lookup.c - the commands that answer questions: lookup (by country,
 * agency, role, id), search (LDAP filter), show (one contact), export (all). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"

/* Print res and pick the exit status: 0 found, 1 nothing found. People get
 * a word on stderr for an empty answer; machine formats get the empty
 * document (e.g. "[]") so a script's parser still works. */
static int answer(const struct cli *cli, const pocdir_result *res, const char *const *attrs,
                  int with_tree)
{
	size_t n = pocdir_result_count(res);

	if (n == 0 && cli->format == CLI_FORMAT_TABLE) {
		cli_error("no contact found");
		return EXIT_NOTHING;
	}
	if (output_result(cli, res, attrs, with_tree) == -1)
		return EXIT_USAGE;
	return n > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

/* Exit status for a library error: a missing entry is "nothing found",
 * everything else is bad usage or bad input. */
static int failed(const pocdir_error *err)
{
	cli_error("%s", err->message);
	return err->code == POCDIR_ERR_NOTFOUND ? EXIT_NOTHING : EXIT_USAGE;
}

enum { OPT_COUNTRY = CLI_OPT_OWN, OPT_AGENCY, OPT_ROLE, OPT_ID, OPT_ATTRS, OPT_NO_TREE };

static int lookup_option(int opt, const char *arg, void *ctx)
{
	pocdir_query *q = ctx;

	if (*arg == '\0') {
		cli_usage_error("lookup", "an empty value matches nothing: leave the option out "
		                          "to match any");
		return -1;
	}
	switch (opt) {
	case OPT_COUNTRY:
		q->country = arg;
		break;
	case OPT_AGENCY:
		q->agency = arg;
		break;
	case OPT_ROLE:
		q->role = arg;
		break;
	case OPT_ID:
		q->id = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

int cmd_lookup(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"country", required_argument, NULL, OPT_COUNTRY},
	    {"agency", required_argument, NULL, OPT_AGENCY},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"id", required_argument, NULL, OPT_ID},
	    {NULL, 0, NULL, 0},
	};
	pocdir_query q = {0};
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	struct cli cli;
	pocdir *dir;
	int first, rc;

	first = cli_parse(cli0, &cli, argc, argv, own, lookup_option, &q);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("lookup", "unexpected argument '%s'", argv[first]);
	dir = cli_open(&cli);
	if (dir == NULL)
		return EXIT_USAGE;
	if (pocdir_lookup(dir, &q, &res, &err) == -1)
		rc = failed(&err);
	else
		rc = answer(&cli, res, NULL, 0);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return rc;
}

/* "cn, mail" -> {"cn", "mail", NULL} in one allocation (free the vector). */
static char **attrs_split(const char *list)
{
	size_t n = 1, len = strlen(list), i = 0;
	const char *p;
	char **v, *copy, *tok, *save = NULL;

	for (p = list; *p != '\0'; p++)
		if (*p == ',')
			n++;
	v = malloc((n + 1) * sizeof(*v) + len + 1);
	if (v == NULL)
		return NULL;
	copy = (char *)(v + n + 1);
	memcpy(copy, list, len + 1);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		tok += strspn(tok, " ");
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (*tok != '\0')
			v[i++] = tok;
	}
	v[i] = NULL;
	return v;
}

struct search_args {
	char **attrs;
};

static int search_option(int opt, const char *arg, void *ctx)
{
	struct search_args *a = ctx;

	if (opt != OPT_ATTRS)
		return -1;
	free(a->attrs);
	a->attrs = attrs_split(arg);
	if (a->attrs == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if (a->attrs[0] == NULL) {
		cli_usage_error("search", "--attrs needs attribute names, e.g. cn,mail");
		return -1;
	}
	return 0;
}

int cmd_search(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"attrs", required_argument, NULL, OPT_ATTRS},
	    {NULL, 0, NULL, 0},
	};
	struct search_args args = {0};
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	pocdir *dir = NULL;
	struct cli cli;
	int first, rc = EXIT_USAGE;

	first = cli_parse(cli0, &cli, argc, argv, own, search_option, &args);
	if (first < 0) {
		rc = first == -2 ? EXIT_FOUND : EXIT_USAGE;
		goto done;
	}
	if (first >= argc) {
		cli_usage_error("search", "a filter is needed, e.g. '(&(c=KR)(role=technical))'");
		goto done;
	}
	if (first + 1 < argc) {
		cli_usage_error("search", "one filter only (combine them with '(&...)'), not '%s'",
		                argv[first + 1]);
		goto done;
	}
	dir = cli_open(&cli);
	if (dir == NULL)
		goto done;
	if (pocdir_search(dir, argv[first], &res, &err) == -1)
		rc = failed(&err);
	else
		rc = answer(&cli, res, (const char *const *)args.attrs, 0);
done:
	pocdir_result_free(&res);
	pocdir_free(&dir);
	free(args.attrs);
	return rc;
}

int cmd_show(int argc, char **argv, const struct cli *cli0)
{
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	struct cli cli;
	pocdir *dir;
	int first, rc;

	first = cli_parse(cli0, &cli, argc, argv, NULL, NULL, NULL);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first + 1 != argc)
		return cli_usage_error("show", first >= argc ? "which contact? give ID, CC/ID or DN"
		                                             : "one contact at a time");
	dir = cli_open(&cli);
	if (dir == NULL)
		return EXIT_USAGE;
	if (pocdir_show(dir, argv[first], &res, &err) == -1)
		rc = failed(&err);
	else if (cli.format == CLI_FORMAT_TABLE && pocdir_result_count(res) == 1)
		rc = output_entry_detail(&cli, pocdir_result_entry(res, 0)) == 0 ? EXIT_FOUND
		                                                                 : EXIT_USAGE;
	else
		rc = answer(&cli, res, NULL, 0);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return rc;
}

static int export_option(int opt, const char *arg, void *ctx)
{
	int *with_tree = ctx;

	if (opt != OPT_NO_TREE)
		return -1;
	*with_tree = 0;
	return 0;
}

int cmd_export(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"no-tree", no_argument, NULL, OPT_NO_TREE},
	    {NULL, 0, NULL, 0},
	};
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	int with_tree = 1, first, rc;
	struct cli cli;
	pocdir *dir;

	first = cli_parse(cli0, &cli, argc, argv, own, export_option, &with_tree);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[first]);
	/* The whole directory is for another program: LDIF unless told. */
	if (!cli.format_given)
		cli.format = CLI_FORMAT_LDIF;
	dir = cli_open(&cli);
	if (dir == NULL)
		return EXIT_USAGE;
	if (pocdir_all(dir, &res, &err) == -1)
		rc = failed(&err);
	else
		rc = answer(&cli, res, NULL, with_tree);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return rc;
}
