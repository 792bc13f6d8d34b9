/* cmd_sync.c - pocdir publish and sync: write this node's feed to a folder,
 * and sync once from peers (for cron), with progress on a TTY. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#ifndef POCDIR_SYSCONFDIR
#define POCDIR_SYSCONFDIR "/etc"
#endif

enum { OPT_OUT = CLI_OPT_OWN + 60, OPT_STATE, OPT_PUBLISHER, OPT_CONFIG, OPT_PEER, OPT_QUIET };

struct sync_args {
	const char *out;
	const char *state;
	const char *publisher;
	const char *config;
	const char *peer;
	bool quiet;
};

static int sync_option(int opt, const char *arg, void *ctx)
{
	struct sync_args *a = ctx;

	switch (opt) {
	case OPT_OUT:
		a->out = arg;
		break;
	case OPT_STATE:
		a->state = arg;
		break;
	case OPT_PUBLISHER:
		a->publisher = arg;
		break;
	case OPT_CONFIG:
		a->config = arg;
		break;
	case OPT_PEER:
		a->peer = arg;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	default:
		return -1;
	}
	return 0;
}

int cmd_publish(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"out", required_argument, NULL, OPT_OUT},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"publisher", required_argument, NULL, OPT_PUBLISHER},
	    {NULL, 0, NULL, 0},
	};
	struct sync_args a = {.publisher = "pocdir"};
	pocdir_error err = {0};
	struct cli cli;
	int first, n;

	first = cli_parse(cli0, &cli, argc, argv, own, sync_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("publish", "unexpected argument '%s'", argv[first]);
	if (a.out == NULL)
		return cli_usage_error("publish", "--out FOLDER is needed (the folder a web server "
		                                  "serves)");
	n = pocdir_publish(cli.directory, a.state, a.out, a.publisher, &err);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	printf("published %d %s to %s/index.yaml\n", n, n == 1 ? "origin" : "origins", a.out);
	return n > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

/* What the sync command shows and remembers while it runs. */
struct sync_view {
	bool tty;
	bool quiet;
	unsigned peer_no;
	char reasons[2048]; /* the summary's "rejected: ..." list */
};

static void append_reason(struct sync_view *v, const char *origin, const char *why)
{
	size_t n = strlen(v->reasons);

	if (n + 8 >= sizeof(v->reasons))
		return;
	snprintf(v->reasons + n, sizeof(v->reasons) - n, "%s%s: %s", n > 0 ? "; " : "", origin,
	         why);
}

static void on_event(const pocdir_sync_event *ev, void *ctx)
{
	struct sync_view *v = ctx;

	if (v->tty && !v->quiet)
		fprintf(stderr, "\r\033[K"); /* clear the progress line */
	switch (ev->kind) {
	case POCDIR_SYNC_PEER:
		v->peer_no++;
		if (v->tty && !v->quiet)
			fprintf(stderr, "peer %u: %s ...", v->peer_no, ev->peer);
		break;
	case POCDIR_SYNC_FETCH:
		if (v->tty && !v->quiet)
			fprintf(stderr, "peer %u: %s: fetching %s %" PRIu64 " ...", v->peer_no,
			        ev->peer, ev->origin, ev->serial);
		break;
	case POCDIR_SYNC_NOT_MODIFIED:
		if (!v->quiet)
			printf("peer %s: not modified\n", ev->peer);
		break;
	case POCDIR_SYNC_UPDATED:
		if (!v->quiet)
			printf("peer %s origin %s: updated to %" PRIu64 "\n", ev->peer, ev->origin,
			       ev->serial);
		break;
	case POCDIR_SYNC_IGNORED:
		if (!v->quiet)
			printf("peer %s origin %s: %s\n", ev->peer, ev->origin, ev->message);
		break;
	case POCDIR_SYNC_REJECTED:
		/* The log line operators grep for: peer, origin, reason. */
		fprintf(stderr, "pocdir: peer %s origin %s: rejected: %s\n", ev->peer, ev->origin,
		        ev->message);
		append_reason(v, ev->origin, ev->message);
		break;
	case POCDIR_SYNC_PEER_FAILED:
		fprintf(stderr, "pocdir: peer %s: failed: %s\n", ev->peer, ev->message);
		append_reason(v, ev->peer, ev->message);
		break;
	}
	fflush(stdout);
	fflush(stderr);
}

int cmd_sync(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"peer", required_argument, NULL, OPT_PEER},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {NULL, 0, NULL, 0},
	};
	struct sync_args a = {0};
	struct sync_view view = {0};
	pocdir_sync_report rep = {.size = sizeof(rep)};
	pocdir_sync_config *cfg;
	pocdir_error err = {0};
	struct cli cli;
	int first, rc;

	first = cli_parse(cli0, &cli, argc, argv, own, sync_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("sync", "unexpected argument '%s'", argv[first]);
	if (a.config == NULL)
		a.config = getenv("POCDIR_CONFIG");
	if (a.config == NULL || a.config[0] == '\0')
		a.config = POCDIR_SYSCONFDIR "/pocdir/pocdird.conf";
	cfg = pocdir_sync_config_load(a.config, &err);
	if (cfg == NULL) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	view.tty = isatty(STDERR_FILENO) == 1;
	view.quiet = a.quiet;
	rc = pocdir_sync_run(cfg, a.peer, on_event, &view, &rep, &err);
	if (view.tty && !view.quiet)
		fprintf(stderr, "\r\033[K");
	printf("%u %s checked, %u updated, %u rejected", rep.checked,
	       rep.checked == 1 ? "origin" : "origins", rep.updated, rep.rejected);
	if (rep.peers_failed > 0)
		printf(", %u of %u %s failed", rep.peers_failed, rep.peers,
		       rep.peers == 1 ? "peer" : "peers");
	if (view.reasons[0] != '\0')
		printf(": %s", view.reasons);
	printf("\n");
	if (rc == -1 && rep.peers == 0)
		cli_error("%s", err.message); /* failed before any peer: say why */
	pocdir_sync_config_free(&cfg);
	/* cron mails whatever a failing job prints; the status says it failed. */
	return rc == 0 ? EXIT_FOUND : EXIT_NOTHING;
}
