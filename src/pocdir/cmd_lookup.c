/* cmd_lookup.c - the commands that answer questions: lookup (by country,
 * agency, role, id, language, name, open now), q (free text), search (LDAP
 * filter), show (one contact), export (all). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"

/* Print res and pick the exit status: 0 found, 1 nothing found. People get
 * a word on stderr for an empty answer; machine formats get the empty
 * document (e.g. "[]") so a script's parser still works. */
static int answer(const struct cli *cli, pocdir *dir, const pocdir_result *res,
                  const char *const *attrs, int with_tree)
{
	size_t n = pocdir_result_count(res);

	if (n == 0 && cli->format == CLI_FORMAT_TABLE) {
		cli_error("no contact found");
		return EXIT_NOTHING;
	}
	if (output_result(cli, dir, res, attrs, with_tree) == -1)
		return EXIT_USAGE;
	return n > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

/* Exit status for a library error: a missing entry is "nothing found",
 * everything else is bad usage or bad input. */
static int failed_status(const pocdir_error *err)
{
	cli_error("%s", err->message);
	return err->code == POCDIR_ERR_NOTFOUND ? EXIT_NOTHING : EXIT_USAGE;
}

enum {
	OPT_COUNTRY = CLI_OPT_OWN,
	OPT_AGENCY,
	OPT_ROLE,
	OPT_ID,
	OPT_ATTRS,
	OPT_NO_TREE,
	OPT_LANGUAGE,
	OPT_NAME,
	OPT_OPEN_NOW,
	OPT_24X7,
	OPT_ALL
};

/* A growing NULL-terminated list of option values (pointers into argv). */
struct values {
	const char **v;
	size_t n;
};

static int values_add(struct values *vs, const char *s)
{
	const char **v = realloc(vs->v, (vs->n + 2) * sizeof(*v));

	if (v == NULL) {
		cli_error("out of memory");
		return -1;
	}
	v[vs->n++] = s;
	v[vs->n] = NULL;
	vs->v = v;
	return 0;
}

/* What lookup and q were asked. Values of one option are alternatives (OR);
 * different options must all hold (AND). */
struct lookup_args {
	const char *command;
	struct values country, agency, role, id, language, name;
	char codes[64][3]; /* resolved --country codes */
	bool open_now, h24, all;
	char **attrs;
};

static void lookup_args_free(struct lookup_args *a)
{
	free(a->country.v);
	free(a->agency.v);
	free(a->role.v);
	free(a->id.v);
	free(a->language.v);
	free(a->name.v);
	free(a->attrs);
}

static char **attrs_split(const char *list);
static int attrs_option(const char *command, const char *arg, char ***attrs);

static int lookup_option(int opt, const char *arg, void *ctx)
{
	struct lookup_args *a = ctx;
	pocdir_error err = {0};

	if (arg != NULL && *arg == '\0') {
		cli_usage_error(a->command, "an empty value matches nothing: leave the option out "
		                            "to match any");
		return -1;
	}
	switch (opt) {
	case OPT_COUNTRY:
		if (a->country.n >= sizeof(a->codes) / sizeof(a->codes[0])) {
			cli_usage_error(a->command, "at most %zu countries in one lookup",
			                sizeof(a->codes) / sizeof(a->codes[0]));
			return -1;
		}
		if (pocdir_country_code(arg, a->codes[a->country.n], &err) == -1) {
			cli_usage_error(a->command, "--country: %s", err.message);
			return -1;
		}
		return values_add(&a->country, a->codes[a->country.n]);
	case OPT_AGENCY:
		return values_add(&a->agency, arg);
	case OPT_ROLE:
		if (pocdir_role_check(arg, &err) == -1) {
			cli_usage_error(a->command, "--role: %s", err.message);
			return -1;
		}
		return values_add(&a->role, arg);
	case OPT_ID:
		return values_add(&a->id, arg);
	case OPT_LANGUAGE:
		return values_add(&a->language, arg);
	case OPT_NAME:
		return values_add(&a->name, arg);
	case OPT_OPEN_NOW:
		a->open_now = true;
		return 0;
	case OPT_24X7:
		a->h24 = true;
		return 0;
	case OPT_ALL:
		a->all = true;
		return 0;
	case OPT_ATTRS:
		return attrs_option(a->command, arg, &a->attrs);
	}
	return -1;
}

/* An assertion value with RFC 4515 3's escapes for '*', '(', ')', '\\'. */
static void filter_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '*' || *s == '(' || *s == ')' || *s == '\\')
			fprintf(f, "\\%02x", (unsigned char)*s);
		else
			fputc(*s, f);
}

/* "(|(attr=v1)(attr=v2))" for one option's values; pattern places the
 * value: "%s" equality, "*%s*" substring. */
static void filter_any(FILE *f, const struct values *vs, const char *const *attrs,
                       const char *pattern)
{
	size_t i, j, k;

	if (vs->n == 0)
		return;
	fputs("(|", f);
	for (i = 0; i < vs->n; i++)
		for (j = 0; attrs[j] != NULL; j++) {
			fprintf(f, "(%s=", attrs[j]);
			for (k = 0; pattern[k] != '\0'; k++) {
				if (pattern[k] == '%' && pattern[k + 1] == 's') {
					filter_value(f, vs->v[i]);
					k++;
				} else {
					fputc(pattern[k], f);
				}
			}
			fputc(')', f);
		}
	fputc(')', f);
}

/* The LDAP filter for what lookup was asked, or NULL when it asks for
 * everything; exits through *failed on allocation failure. */
static char *lookup_filter(const struct lookup_args *a, bool *failed)
{
	static const char *const c[] = {"c", "pocCountry", NULL}, *const o[] = {"o", NULL},
	                         *const role[] = {"pocRole", NULL}, *const uid[] = {"uid", NULL},
	                         *const lang[] = {"pocLanguage", "preferredLanguage", NULL},
	                         *const phone[] = {"pocEmergencyPhone", "pocEmergencyMail", NULL};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	*failed = false;
	if (a->country.n + a->agency.n + a->role.n + a->id.n + a->language.n == 0 && !a->h24)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		*failed = true;
		return NULL;
	}
	fputs("(&", f);
	/* An entry serves its own country and the countries it lists. */
	filter_any(f, &a->country, c, "%s");
	filter_any(f, &a->agency, o, "*%s*");
	filter_any(f, &a->role, role, "%s");
	filter_any(f, &a->id, uid, "%s");
	/* BCP 47: "en" is also "en-GB". */
	if (a->language.n > 0) {
		fputs("(|", f);
		filter_any(f, &a->language, lang, "%s");
		filter_any(f, &a->language, lang, "%s-*");
		fputc(')', f);
	}
	/* Reachable around the clock: a 24x7 channel, the role, or 24/7 hours. */
	if (a->h24) {
		fputs("(|(pocRole=24x7)(pocHours=24/7)", f);
		filter_any(f, &(struct values){(const char *[]){"*", NULL}, 1}, phone, "*");
		fputc(')', f);
	}
	fputc(')', f);
	if (fclose(f) != 0) {
		free(buf);
		*failed = true;
		return NULL;
	}
	return buf;
}

/* Is e's office open at now in its own time zone? 1, 0, -1 unknown. */
static int office_open(const pocdir_entry *e, long long now)
{
	const char *const *hours, *const *tz;
	int wday, hour, minute;

	if (pocdir_entry_get(e, "pocHours", &hours) == 0 ||
	    pocdir_entry_get(e, "pocTimezone", &tz) == 0 ||
	    pocdir_local_time(tz[0], now, &wday, &hour, &minute) == -1)
		return -1;
	return pocdir_hours_open(hours[0], wday, hour, minute);
}

struct keep_ctx {
	const struct lookup_args *args;
	long long now;
	size_t hidden; /* left out for being outside their validity */
};

/* The tests the index cannot answer: validity, free text, open now. */
static int keep_entry(const pocdir_entry *e, void *ctx)
{
	struct keep_ctx *k = ctx;
	const struct lookup_args *a = k->args;
	size_t i;

	if (!a->all && (pocdir_entry_status(e, k->now) & POCDIR_STATUS_OUT_OF_VALIDITY) != 0) {
		k->hidden++;
		return 0;
	}
	if (a->name.n > 0) {
		int any = 0;

		for (i = 0; i < a->name.n && any == 0; i++)
			if ((any = pocdir_entry_matches_text(e, a->name.v[i], NULL)) < 0)
				return -1;
		if (any == 0)
			return 0;
	}
	if (a->open_now && office_open(e, k->now) != 1)
		return 0;
	return 1;
}

/* Narrow res to what keep_entry keeps, replacing it. Says on stderr how
 * many contacts were left out for their dates, for a person. */
static int narrow(const struct cli *cli, const struct lookup_args *a, pocdir_result **res,
                  pocdir_error *err)
{
	struct keep_ctx k = {a, cli->now, 0};
	pocdir_result *kept = NULL;

	if (pocdir_result_filter(*res, keep_entry, &k, &kept, err) == -1)
		return -1;
	pocdir_result_free(res);
	*res = kept;
	if (k.hidden > 0 && cli->format == CLI_FORMAT_TABLE)
		cli_error("%zu contact%s outside %s validity dates not shown (--all shows %s)",
		          k.hidden, k.hidden == 1 ? "" : "s", k.hidden == 1 ? "its" : "their",
		          k.hidden == 1 ? "it" : "them");
	return 0;
}

static const struct option lookup_options[] = {
    {"country", required_argument, NULL, OPT_COUNTRY},
    {"agency", required_argument, NULL, OPT_AGENCY},
    {"role", required_argument, NULL, OPT_ROLE},
    {"id", required_argument, NULL, OPT_ID},
    {"language", required_argument, NULL, OPT_LANGUAGE},
    {"name", required_argument, NULL, OPT_NAME},
    {"open-now", no_argument, NULL, OPT_OPEN_NOW},
    {"24x7", no_argument, NULL, OPT_24X7},
    {"all", no_argument, NULL, OPT_ALL},
    {"attrs", required_argument, NULL, OPT_ATTRS},
    {NULL, 0, NULL, 0},
};

/* Run what a is asking on cli's directory and answer. */
static int lookup_run(const struct cli *cli, const struct lookup_args *a)
{
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	bool failed;
	char *filter = lookup_filter(a, &failed);
	pocdir *dir;
	int rc;

	if (failed) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	dir = cli_open(cli);
	if (dir == NULL) {
		free(filter);
		return EXIT_USAGE;
	}
	if ((filter != NULL ? pocdir_search(dir, filter, &res, &err)
	                    : pocdir_all(dir, &res, &err)) == -1 ||
	    narrow(cli, a, &res, &err) == -1)
		rc = failed_status(&err);
	else
		rc = answer(cli, dir, res, (const char *const *)a->attrs, 0);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	free(filter);
	return rc;
}

int cmd_lookup(int argc, char **argv, const struct cli *cli0)
{
	struct lookup_args a = {.command = "lookup"};
	struct cli cli;
	int first, rc;

	first = cli_parse(cli0, &cli, argc, argv, lookup_options, lookup_option, &a);
	if (first < 0)
		rc = first == -2 ? EXIT_FOUND : EXIT_USAGE;
	else if (first < argc)
		rc = cli_usage_error("lookup",
		                     "unexpected argument '%s' (free text: pocdir q %s, or --name)",
		                     argv[first], argv[first]);
	else
		rc = lookup_run(&cli, &a);
	lookup_args_free(&a);
	return rc;
}

/* q WORDS: each word must be found, ignoring case and accents, in a name,
 * the agency, the id, a role, or the country's code or name. */
struct q_ctx {
	char **words;
	int nwords;
};

static int q_keep(const pocdir_entry *e, void *ctx)
{
	static const char *const attrs[] = {"cn",  "givenName", "sn", "displayName", "title", "o",
	                                    "uid", "pocRole",   "c",  "pocCountry",  NULL};
	const struct q_ctx *q = ctx;
	const char *country = pocdir_country_name(pocdir_entry_country(e));

	for (int i = 0; i < q->nwords; i++) {
		int m = pocdir_entry_matches_text(e, q->words[i], attrs);

		if (m < 0)
			return -1;
		/* The country's name is not an attribute: look in it too. */
		if (m == 0 && country != NULL &&
		    (m = pocdir_text_contains(country, q->words[i])) < 0)
			return -1;
		if (m == 0)
			return 0;
	}
	return 1;
}

int cmd_q(int argc, char **argv, const struct cli *cli0)
{
	struct lookup_args a = {.command = "q"};
	struct q_ctx q = {0};
	pocdir_error err = {0};
	pocdir_result *res = NULL, *kept = NULL;
	struct cli cli;
	pocdir *dir = NULL;
	int first, rc = EXIT_USAGE;

	first = cli_parse(cli0, &cli, argc, argv, lookup_options, lookup_option, &a);
	if (first < 0) {
		rc = first == -2 ? EXIT_FOUND : EXIT_USAGE;
		goto done;
	}
	if (first >= argc) {
		cli_usage_error("q", "what to look for? e.g. pocdir q korea cert");
		goto done;
	}
	q.words = argv + first;
	q.nwords = argc - first;
	if ((dir = cli_open(&cli)) == NULL)
		goto done;
	{
		bool failed;
		char *filter = lookup_filter(&a, &failed);

		if (failed) {
			cli_error("out of memory");
			goto done;
		}
		if ((filter != NULL ? pocdir_search(dir, filter, &res, &err)
		                    : pocdir_all(dir, &res, &err)) == -1 ||
		    pocdir_result_filter(res, q_keep, &q, &kept, &err) == -1 ||
		    narrow(&cli, &a, &kept, &err) == -1) {
			free(filter);
			rc = failed_status(&err);
			goto done;
		}
		free(filter);
	}
	rc = answer(&cli, dir, kept, (const char *const *)a.attrs, 0);
done:
	pocdir_result_free(&kept);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	lookup_args_free(&a);
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

/* --attrs LIST: split it, and warn about names that are no attribute
 * (their column would stay empty). */
static int attrs_option(const char *command, const char *arg, char ***attrs)
{
	size_t i;

	free(*attrs);
	*attrs = attrs_split(arg);
	if (*attrs == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if ((*attrs)[0] == NULL) {
		cli_usage_error(command, "--attrs needs attribute names, e.g. cn,mail");
		return -1;
	}
	for (i = 0; (*attrs)[i] != NULL; i++)
		if (!pocdir_attribute_known((*attrs)[i]))
			cli_error("warning: --attrs: \"%s\" is not an attribute pocdir knows "
			          "(its column stays empty; see pocdir-directory(5))",
			          (*attrs)[i]);
	return 0;
}

static void filter_warning(const char *message, void *ctx)
{
	(void)ctx;
	cli_error("warning: %s", message);
}

int cmd_search(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"attrs", required_argument, NULL, OPT_ATTRS},
	    {"all", no_argument, NULL, OPT_ALL},
	    {NULL, 0, NULL, 0},
	};
	struct lookup_args a = {.command = "search"};
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	pocdir *dir = NULL;
	struct cli cli;
	int first, rc = EXIT_USAGE;

	first = cli_parse(cli0, &cli, argc, argv, own, lookup_option, &a);
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
	/* A bad filter is bad usage, said before the directory is read. */
	if (pocdir_filter_check(argv[first], filter_warning, NULL, &err) == -1) {
		cli_error("%s", err.message);
		goto done;
	}
	dir = cli_open(&cli);
	if (dir == NULL)
		goto done;
	if (pocdir_search(dir, argv[first], &res, &err) == -1 || narrow(&cli, &a, &res, &err) == -1)
		rc = failed_status(&err);
	else
		rc = answer(&cli, dir, res, (const char *const *)a.attrs, 0);
done:
	pocdir_result_free(&res);
	pocdir_free(&dir);
	lookup_args_free(&a);
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
	/* One contact asked for by name is shown whatever its dates, marked. */
	if (pocdir_show(dir, argv[first], &res, &err) == -1)
		rc = failed_status(&err);
	else if (cli.format == CLI_FORMAT_TABLE && pocdir_result_count(res) == 1) {
		rc = output_entry_detail(&cli, pocdir_result_entry(res, 0)) == 0 ? EXIT_FOUND
		                                                                 : EXIT_USAGE;
		cli_show_verified(&cli, pocdir_result_entry(res, 0)); /* cmd_ping.c */
	} else
		rc = answer(&cli, dir, res, NULL, 0);
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
	/* The whole directory is for another program: LDIF unless told. It
	 * is a copy of the data, so every entry goes, marked when stale. */
	if (!cli.format_given)
		cli.format = CLI_FORMAT_LDIF;
	dir = cli_open(&cli);
	if (dir == NULL)
		return EXIT_USAGE;
	if (pocdir_all(dir, &res, &err) == -1)
		rc = failed_status(&err);
	else
		rc = answer(&cli, dir, res, NULL, with_tree);
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return rc;
}
