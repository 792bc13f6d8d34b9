/* cmd_notify.c - pocdir notify (a notification to the right PoC, shown
 * before it is sent), pocdir cases (notifications sent and their answers)
 * and pocdir route (addresses to countries). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define CLI_MAX_IOCS 1000

enum {
	OPT_CONFIG = CLI_OPT_OWN + 100,
	OPT_COUNTRY,
	OPT_ROLE,
	OPT_TYPE,
	OPT_URGENCY,
	OPT_TLP,
	OPT_SUMMARY,
	OPT_ACTION,
	OPT_FIRST,
	OPT_LAST,
	OPT_IOC,
	OPT_REFERS,
	OPT_DRY_RUN,
	OPT_QUIET
};

struct notify_args {
	const char *config;
	pocdir_notice n;
	const char *iocs[CLI_MAX_IOCS + 1];
	size_t nioc;
	bool dry_run, quiet, too_many;
};

static int notify_option(int opt, const char *arg, void *ctx)
{
	struct notify_args *a = ctx;

	switch (opt) {
	case OPT_CONFIG:
		a->config = arg;
		break;
	case OPT_COUNTRY:
		a->n.country = arg;
		break;
	case OPT_ROLE:
		a->n.role = arg;
		break;
	case OPT_TYPE:
		a->n.type = arg;
		break;
	case OPT_URGENCY:
		a->n.urgency = arg;
		break;
	case OPT_TLP:
		a->n.tlp = arg;
		break;
	case OPT_SUMMARY:
		a->n.summary = arg;
		break;
	case OPT_ACTION:
		a->n.action = arg;
		break;
	case OPT_FIRST:
		a->n.first_seen = arg;
		break;
	case OPT_LAST:
		a->n.last_seen = arg;
		break;
	case OPT_IOC:
		if (a->nioc == CLI_MAX_IOCS)
			a->too_many = true;
		else
			a->iocs[a->nioc++] = arg;
		break;
	case OPT_REFERS:
		a->n.refers_to = arg;
		break;
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	default:
		return -1;
	}
	return 0;
}

int cmd_notify(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"country", required_argument, NULL, OPT_COUNTRY},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"type", required_argument, NULL, OPT_TYPE},
	    {"urgency", required_argument, NULL, OPT_URGENCY},
	    {"tlp", required_argument, NULL, OPT_TLP},
	    {"summary", required_argument, NULL, OPT_SUMMARY},
	    {"action", required_argument, NULL, OPT_ACTION},
	    {"first-seen", required_argument, NULL, OPT_FIRST},
	    {"last-seen", required_argument, NULL, OPT_LAST},
	    {"ioc", required_argument, NULL, OPT_IOC},
	    {"refers-to", required_argument, NULL, OPT_REFERS},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {NULL, 0, NULL, 0},
	};
	struct notify_args *a = calloc(1, sizeof(*a));
	pocdir_notification *nt = NULL;
	pocdir_mail_config *mc = NULL;
	pocdir_mail_report rep = {0};
	pocdir_error err = {0};
	pocdir *dir = NULL;
	struct cli cli;
	int first, rc = EXIT_USAGE;

	if (a == NULL) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	first = cli_parse(cli0, &cli, argc, argv, own, notify_option, a);
	if (first < 0) {
		rc = first == -2 ? EXIT_FOUND : EXIT_USAGE;
		goto out;
	}
	if (first < argc) {
		rc = cli_usage_error("notify", "unexpected argument '%s'", argv[first]);
		goto out;
	}
	if (a->too_many) {
		rc = cli_usage_error("notify", "at most %d --ioc", CLI_MAX_IOCS);
		goto out;
	}
	if (a->n.summary == NULL) {
		rc = cli_usage_error("notify", "--summary TEXT is needed: what happened");
		goto out;
	}
	a->n.iocs = a->iocs;
	a->n.passphrase = getenv("POCDIR_PASSPHRASE");
	if ((mc = cli_mail_config(a->config)) == NULL || (dir = cli_open(&cli)) == NULL)
		goto out;
	if (pocdir_notify_prepare(mc, dir, &a->n, cli.now, &nt, &err) < 0) {
		cli_error("%s", err.message);
		rc = err.code == POCDIR_ERR_SYSTEM ? EXIT_NOTHING : EXIT_USAGE;
		goto out;
	}
	/* The choice first, where a person sees it before anything is sent. */
	for (size_t i = 0; i < nt->nunrouted; i++)
		fprintf(stderr, "pocdir: not routed: %s\n", nt->unrouted[i]);
	for (size_t i = 0; i < nt->count; i++)
		fprintf(a->dry_run ? stderr : stdout, "to %s <%s>: %s\n", nt->messages[i].entry,
		        nt->messages[i].address, nt->messages[i].choice);
	if (a->dry_run) {
		/* The exact bytes that would go to the SMTP server. */
		for (size_t i = 0; i < nt->count; i++)
			fwrite(nt->messages[i].data, 1, nt->messages[i].len, stdout);
		rc = EXIT_FOUND;
		goto out;
	}
	pocdir_notify_send(mc, nt, cli.now, cli_mail_event, &a->quiet, &rep, &err);
	printf("%u sent, %u failed%s\n", rep.sent, rep.failed,
	       rep.sent > 0 ? "; 'pocdir cases' follows the answers" : "");
	rc = rep.failed == 0 ? EXIT_FOUND : EXIT_NOTHING;
out:
	pocdir_notification_free(&nt);
	pocdir_free(&dir);
	pocdir_mail_config_free(&mc);
	free(a);
	return rc;
}

struct cases_args {
	const char *config;
	bool quiet;
};

static int cases_option(int opt, const char *arg, void *ctx)
{
	struct cases_args *a = ctx;

	if (opt == OPT_CONFIG)
		a->config = arg;
	else if (opt == OPT_QUIET)
		a->quiet = true;
	else
		return -1;
	return 0;
}

int cmd_cases(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {NULL, 0, NULL, 0},
	};
	struct cases_args a = {0};
	pocdir_mail_config *mc;
	pocdir_exchange *x;
	pocdir_error err = {0};
	unsigned overdue = 0, answered = 0;
	struct cli cli;
	int first, n;

	first = cli_parse(cli0, &cli, argc, argv, own, cases_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc && strcmp(argv[first], "fetch") != 0)
		return cli_usage_error("cases", "unknown action '%s' (fetch, or none to list)",
		                       argv[first]);
	if (first + 1 < argc)
		return cli_usage_error("cases", "unexpected argument '%s'", argv[first + 1]);
	if ((mc = cli_mail_config(a.config)) == NULL)
		return EXIT_USAGE;
	if (first < argc) {
		pocdir_mail_report rep = {0};
		int rc = pocdir_mail_fetch(mc, cli.now, cli_mail_event, &a.quiet, &rep, &err);

		if (rc == -1) {
			cli_error("%s", err.message);
			pocdir_mail_config_free(&mc);
			return err.code == POCDIR_ERR_USAGE ? EXIT_USAGE : EXIT_NOTHING;
		}
		printf("%u %s read: %u new %s, %u known, %u refused\n", rep.messages,
		       rep.messages == 1 ? "message" : "messages", rep.answers,
		       rep.answers == 1 ? "answer" : "answers", rep.known, rep.refused);
	}
	n = pocdir_exchange_list(pocdir_mail_config_state(mc), POCDIR_EXCHANGE_NOTIFICATION, &x,
	                         &err);
	pocdir_mail_config_free(&mc);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	if (n > 0)
		printf("%-22s %-17s %-24s %-23s %-8s %-12s %s\n", "CASE", "SENT", "TO", "TYPE",
		       "URGENCY", "TLP", "STATUS");
	for (int i = 0; i < n; i++) {
		char sent[32], when[32], took[16];
		const pocdir_exchange *c = &x[i];

		cli_time(c->sent, sent, sizeof(sent));
		printf("%-22s %-17s %-24s %-23s %-8s %-12s ", c->token, sent, c->entry, c->type,
		       c->urgency, c->tlp);
		if (c->answered != 0) {
			long long at = c->answer_date != 0 ? c->answer_date : c->answered;

			answered++;
			cli_time(at, when, sizeof(when));
			cli_duration(at - c->sent, took, sizeof(took));
			printf("answered %s (after %s) by %s\n", when, took, c->answer_from);
		} else if (cli.now > c->due) {
			overdue++;
			cli_time(c->due, when, sizeof(when));
			printf("OVERDUE (due %s)\n", when);
		} else {
			cli_time(c->due, when, sizeof(when));
			printf("sent, due %s\n", when);
		}
	}
	if (n == 0)
		printf("no notifications sent\n");
	else
		printf("%d %s: %u answered, %d open, %u overdue\n", n, n == 1 ? "case" : "cases",
		       answered, n - (int)answered - (int)overdue, overdue);
	pocdir_exchange_list_free(&x);
	return overdue == 0 ? EXIT_FOUND : EXIT_NOTHING;
}

int cmd_route(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {NULL, 0, NULL, 0},
	};
	struct cases_args a = {0};
	pocdir_mail_config *mc;
	pocdir_routes *routes;
	pocdir_error err = {0};
	struct cli cli;
	int first, rc = EXIT_FOUND;

	first = cli_parse(cli0, &cli, argc, argv, own, cases_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("route", "give addresses to route, or 'refresh'");
	if ((mc = cli_mail_config(a.config)) == NULL)
		return EXIT_USAGE;
	if (strcmp(argv[first], "refresh") == 0) {
		int r = pocdir_routes_refresh(mc, &err);

		pocdir_mail_config_free(&mc);
		if (r == -1) {
			cli_error("%s", err.message);
			return EXIT_NOTHING;
		}
		printf("%s\n", r == 1 ? "routing table updated" : "routing table not modified");
		return EXIT_FOUND;
	}
	routes = pocdir_routes_load(pocdir_mail_config_route_table(mc), &err);
	pocdir_mail_config_free(&mc);
	if (routes == NULL) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	for (int i = first; i < argc; i++) {
		char cc[3];
		int r = pocdir_route(routes, argv[i], cc);

		if (r == 1) {
			const char *name = pocdir_country_name(cc);

			printf("%s %s%s%s%s\n", argv[i], cc, name ? " (" : "", name ? name : "",
			       name ? ")" : "");
		} else {
			if (r == -1)
				cli_error("%s: not an IPv4 or IPv6 address or prefix", argv[i]);
			else
				printf("%s -: no block in the table holds it\n", argv[i]);
			rc = r == -1 ? EXIT_USAGE : (rc == EXIT_USAGE ? rc : EXIT_NOTHING);
		}
	}
	pocdir_routes_free(&routes);
	return rc;
}
