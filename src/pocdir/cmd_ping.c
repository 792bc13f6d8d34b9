/* cmd_ping.c - pocdir ping: send communication checks to PoCs, fetch the
 * replies, and report who answered (exit status for cron). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"

#ifndef POCDIR_SYSCONFDIR
#define POCDIR_SYSCONFDIR "/etc"
#endif

enum { OPT_CONFIG = CLI_OPT_OWN + 80, OPT_COUNTRY, OPT_ROLE, OPT_ID, OPT_ORIGIN, OPT_QUIET };

struct ping_args {
	const char *config;
	pocdir_query q;
	bool any_query;
	const char *origin;
	bool quiet;
};

static int ping_option(int opt, const char *arg, void *ctx)
{
	struct ping_args *a = ctx;

	switch (opt) {
	case OPT_CONFIG:
		a->config = arg;
		return 0;
	case OPT_COUNTRY:
		a->q.country = arg;
		break;
	case OPT_ROLE:
		a->q.role = arg;
		break;
	case OPT_ID:
		a->q.id = arg;
		break;
	case OPT_ORIGIN:
		a->origin = arg;
		return 0;
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	default:
		return -1;
	}
	a->any_query = true;
	return 0;
}

pocdir_mail_config *cli_mail_config(const char *path)
{
	pocdir_error err = {0};
	pocdir_mail_config *mc;

	if (path == NULL)
		path = getenv("POCDIR_CONFIG");
	if (path == NULL || path[0] == '\0')
		path = POCDIR_SYSCONFDIR "/pocdir/pocdird.conf";
	if ((mc = pocdir_mail_config_load(path, &err)) == NULL)
		cli_error("%s", err.message);
	return mc;
}

void cli_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0) {
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%MZ", &tm);
}

void cli_duration(long long s, char *buf, size_t size)
{
	if (s < 0)
		snprintf(buf, size, "-");
	else if (s < 120)
		snprintf(buf, size, "%llds", s);
	else if (s < 7200)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lldh", s / 3600);
	else
		snprintf(buf, size, "%lldd", s / 86400);
}

void cli_show_verified(const struct cli *cli, const pocdir_entry *e)
{
	pocdir_error err = {0};
	char key[80], when[32];
	long long t;

	snprintf(key, sizeof(key), "%s/%s", pocdir_entry_country(e), pocdir_entry_id(e));
	if (pocdir_last_verified(cli->state, key, &t, &err) == -1 || t == 0)
		return;
	cli_time(t, when, sizeof(when));
	/* The local observation: the origin's signed pocVerified stays as it is. */
	printf("%-18s %s (answered a ping test from this node)\n", "verified here", when);
}

void cli_mail_event(const pocdir_mail_event *ev, void *ctx)
{
	const bool *quiet = ctx;
	const char *entry = ev->entry != NULL ? ev->entry : "-";

	switch (ev->kind) {
	case POCDIR_MAIL_SENT:
		if (!*quiet)
			printf("sent     %-24s %s  [%s]\n", entry, ev->address, ev->token);
		break;
	case POCDIR_MAIL_SEND_FAILED:
		fprintf(stderr, "pocdir: %s <%s>: not sent: %s\n", entry,
		        ev->address != NULL ? ev->address : "-", ev->message);
		break;
	case POCDIR_MAIL_NO_ADDRESS:
		fprintf(stderr, "pocdir: %s: skipped: %s\n", entry, ev->message);
		break;
	case POCDIR_MAIL_ANSWER:
		if (!*quiet)
			printf("answered %-24s from %s  [%s]\n", entry,
			       ev->address != NULL ? ev->address : "-", ev->token);
		break;
	case POCDIR_MAIL_KNOWN:
		break;
	case POCDIR_MAIL_REFUSED:
		fprintf(stderr, "pocdir: message UID %lu%s%s: refused: %s\n", ev->uid,
		        ev->address != NULL && ev->address[0] ? " from " : "",
		        ev->address != NULL ? ev->address : "", ev->message);
		break;
	}
	fflush(stdout);
	fflush(stderr);
}

static int ping_send(struct ping_args *a, const struct cli *cli)
{
	pocdir_mail_config *mc = cli_mail_config(a->config);
	pocdir_mail_report rep = {0};
	pocdir_error err = {0};
	pocdir *dir;
	int n;

	if (mc == NULL)
		return EXIT_USAGE;
	if ((dir = cli_open(cli)) == NULL) {
		pocdir_mail_config_free(&mc);
		return EXIT_USAGE;
	}
	n = pocdir_ping_send(mc, dir, a->any_query ? &a->q : NULL, a->origin, cli->now,
	                     cli_mail_event, &a->quiet, &rep, &err);
	pocdir_free(&dir);
	pocdir_mail_config_free(&mc);
	if (n < 0 && rep.sent + rep.failed + rep.no_address == 0) {
		cli_error("%s", err.message);
		return err.code == POCDIR_ERR_NOTFOUND ? EXIT_NOTHING : EXIT_USAGE;
	}
	printf("%u sent, %u failed, %u without an address\n", rep.sent, rep.failed, rep.no_address);
	return rep.failed == 0 && rep.sent > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

static int ping_fetch(struct ping_args *a, const struct cli *cli)
{
	pocdir_mail_config *mc = cli_mail_config(a->config);
	pocdir_mail_report rep = {0};
	pocdir_error err = {0};
	int rc;

	if (mc == NULL)
		return EXIT_USAGE;
	rc = pocdir_mail_fetch(mc, cli->now, cli_mail_event, &a->quiet, &rep, &err);
	pocdir_mail_config_free(&mc);
	if (rc == -1) {
		cli_error("%s", err.message);
		return err.code == POCDIR_ERR_USAGE ? EXIT_USAGE : EXIT_NOTHING;
	}
	printf("%u %s read: %u new %s, %u known, %u refused\n", rep.messages,
	       rep.messages == 1 ? "message" : "messages", rep.answers,
	       rep.answers == 1 ? "answer" : "answers", rep.known, rep.refused);
	return EXIT_FOUND;
}

static int ping_report(struct ping_args *a, const struct cli *cli)
{
	pocdir_mail_config *mc = cli_mail_config(a->config);
	pocdir_ping_status *rows;
	pocdir_error err = {0};
	unsigned overdue = 0;
	int n;

	if (mc == NULL)
		return EXIT_USAGE;
	n = pocdir_ping_status_list(pocdir_mail_config_state(mc), cli->now, &rows, &err);
	pocdir_mail_config_free(&mc);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	if (n > 0)
		printf("%-24s %-30s %-17s %-8s %-6s %-17s %s\n", "ENTRY", "ADDRESS", "LAST CHECK",
		       "ANSWER", "TIME", "LAST SUCCESS", "STATUS");
	for (int i = 0; i < n; i++) {
		const pocdir_ping_status *r = &rows[i];
		const char *status = r->last_answer != 0 ? "ok"
		                     : r->overdue        ? "OVERDUE"
		                                         : "waiting";
		char check[32], success[32], rtt[16];
		long long days = r->last_success != 0 ? (cli->now - r->last_success) / 86400 : -1;

		overdue += r->overdue != 0;
		cli_time(r->last_check, check, sizeof(check));
		cli_time(r->last_success, success, sizeof(success));
		cli_duration(r->rtt, rtt, sizeof(rtt));
		printf("%-24s %-30s %-17s %-8s %-6s %-17s %s", r->entry, r->to, check,
		       r->last_answer != 0 ? "yes" : "no", rtt, success, status);
		if (days >= 0)
			printf(" (%lld %s since success)", days, days == 1 ? "day" : "days");
		printf("\n");
	}
	if (n == 0)
		printf("no ping tests recorded\n");
	else
		printf("%d %s, %u overdue\n", n, n == 1 ? "contact" : "contacts", overdue);
	pocdir_ping_status_free(&rows);
	/* cron: a PoC that did not answer in time is worth a mail. */
	return overdue == 0 ? EXIT_FOUND : EXIT_NOTHING;
}

int cmd_ping(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"country", required_argument, NULL, OPT_COUNTRY},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"id", required_argument, NULL, OPT_ID},
	    {"origin", required_argument, NULL, OPT_ORIGIN},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {NULL, 0, NULL, 0},
	};
	struct ping_args a = {0};
	const char *sub = "send";
	struct cli cli;
	int first;

	first = cli_parse(cli0, &cli, argc, argv, own, ping_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		sub = argv[first++];
	if (first < argc)
		return cli_usage_error("ping", "unexpected argument '%s'", argv[first]);
	if (strcmp(sub, "send") == 0)
		return ping_send(&a, &cli);
	if (a.any_query || a.origin != NULL)
		return cli_usage_error("ping", "--country, --role, --id and --origin choose whom "
		                               "to send checks to ('pocdir ping send')");
	if (strcmp(sub, "fetch") == 0)
		return ping_fetch(&a, &cli);
	if (strcmp(sub, "report") == 0)
		return ping_report(&a, &cli);
	return cli_usage_error("ping", "unknown action '%s' (send, fetch or report)", sub);
}
