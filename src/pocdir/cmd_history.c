/* cmd_history.c - pocdir log, diff and status: the versions held in the
 * state directory, what changed between two of them, and where each origin
 * stands. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"

enum { OPT_STATE = CLI_OPT_OWN + 40, OPT_CONFIG, OPT_APPLIED };

struct history_args {
	const char *state;
	const char *config;
	const char *applied; /* diff --format ldif: versions the LDAP copy holds */
};

static int history_option(int opt, const char *arg, void *ctx)
{
	struct history_args *a = ctx;

	switch (opt) {
	case OPT_STATE:
		a->state = arg;
		break;
	case OPT_CONFIG:
		a->config = arg;
		break;
	case OPT_APPLIED:
		a->applied = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

static const struct option history_options[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"applied", required_argument, NULL, OPT_APPLIED},
    {NULL, 0, NULL, 0},
};

static void time_text(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "-");
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool serial_arg(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

int cmd_log(int argc, char **argv, const struct cli *cli0)
{
	struct history_args a = {0};
	pocdir_version_info *v = NULL;
	pocdir_error err = {0};
	struct cli cli;
	int first, n;

	first = cli_parse(cli0, &cli, argc, argv, history_options, history_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first + 1 < argc)
		return cli_usage_error("log", "one origin at a time");
	n = pocdir_log(a.state, first < argc ? argv[first] : NULL, &v, &err);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	if (n == 0) {
		if (first < argc)
			fprintf(stderr, "pocdir: no version of origin %s is held\n", argv[first]);
		else
			fprintf(stderr, "pocdir: no versions held yet\n");
		return EXIT_NOTHING;
	}
	printf("%-8s %-12s %-21s %-21s %s\n", "ORIGIN", "SERIAL", "UPDATED", "RECEIVED", "SOURCE");
	for (int i = 0; i < n; i++) {
		char rec[32];

		time_text(v[i].received, rec, sizeof(rec));
		printf("%-8s %-12" PRIu64 " %-21s %-21s %s\n", v[i].origin, v[i].serial,
		       v[i].updated[0] ? v[i].updated : "-", rec,
		       v[i].source[0] ? v[i].source : "-");
	}
	pocdir_log_free(&v);
	return EXIT_FOUND;
}

static void print_change(const pocdir_change *c, void *ctx)
{
	(void)ctx;
	switch (c->kind) {
	case POCDIR_CHANGE_ADDED:
		printf("+ %s (added)\n", c->entry);
		break;
	case POCDIR_CHANGE_REMOVED:
		printf("- %s (removed)\n", c->entry);
		break;
	case POCDIR_CHANGE_FIELD:
		printf("~ %s %s: %s -> %s\n", c->entry, c->attr,
		       c->old_value != NULL ? c->old_value : "(none)",
		       c->new_value != NULL ? c->new_value : "(none)");
		break;
	}
}

/* The versions an LDAP copy holds: "origin serial" lines (as
 * pocdir-ldap-apply keeps them), at most 65536 of them. Returns the count
 * with *out (free()), or -1 after saying why. */
static int applied_read(const char *path, pocdir_version_info **out)
{
	FILE *f = fopen(path, "r");
	pocdir_version_info *list = NULL;
	char line[256];
	int n = 0, lineno = 0;

	*out = NULL;
	if (f == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		pocdir_version_info *grown;
		char origin[66];
		unsigned long long serial;
		char extra;

		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			cli_error("%s:%d: line too long", path, lineno);
			goto fail;
		}
		if (sscanf(line, "%65s %llu %c", origin, &serial, &extra) != 2 ||
		    strlen(origin) > 64) {
			cli_error("%s:%d: expected \"ORIGIN SERIAL\"", path, lineno);
			goto fail;
		}
		if (n >= 65536 ||
		    (grown = realloc(list, (size_t)(n + 1) * sizeof(*list))) == NULL) {
			cli_error("%s: too many lines", path);
			goto fail;
		}
		list = grown;
		memset(&list[n], 0, sizeof(list[n]));
		snprintf(list[n].origin, sizeof(list[n].origin), "%s", origin);
		list[n].serial = serial;
		n++;
	}
	fclose(f);
	*out = list;
	return n;
fail:
	fclose(f);
	free(list);
	return -1;
}

/* Change records for ldapmodify. Which country entries other origins keep
 * comes from the versions the copy holds (--applied), else from the newest
 * versions held in the state. */
static int diff_ldif(const struct cli *cli, const struct history_args *a, const char *origin,
                     uint64_t sa, uint64_t sb)
{
	pocdir_error err = {0};
	pocdir_version_info *held = NULL;
	int n, nheld;

	if (a->applied != NULL)
		nheld = applied_read(a->applied, &held);
	else if ((nheld = pocdir_log(a->state, NULL, &held, &err)) < 0)
		cli_error("%s", err.message);
	if (nheld < 0)
		return EXIT_USAGE;
	if (a->applied == NULL) {
		/* pocdir_log lists every version, by origin then serial: keep the
		 * newest of each. */
		int k = 0;

		for (int i = 0; i < nheld; i++) {
			if (k > 0 && strcmp(held[k - 1].origin, held[i].origin) == 0)
				k--;
			held[k++] = held[i];
		}
		nheld = k;
	}
	n = pocdir_diff_write(a->state, origin, sa, sb, POCDIR_FORMAT_LDIF, cli->base_dn, held,
	                      (size_t)nheld, stdout, &err);
	if (a->applied != NULL)
		free(held);
	else
		pocdir_log_free(&held);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	return n > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

int cmd_diff(int argc, char **argv, const struct cli *cli0)
{
	struct history_args a = {0};
	pocdir_error err = {0};
	struct cli cli;
	uint64_t sa, sb;
	int first, n;

	first = cli_parse(cli0, &cli, argc, argv, history_options, history_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first + 3 != argc)
		return cli_usage_error("diff", "expected ORIGIN SERIAL-A SERIAL-B, e.g. "
		                               "pocdir diff kr 2026112201 2026112202");
	if (!serial_arg(argv[first + 1], &sa) || !serial_arg(argv[first + 2], &sb))
		return cli_usage_error("diff", "serials are numbers (see pocdir log %s)",
		                       argv[first]);
	if (cli.format_given && cli.format == CLI_FORMAT_LDIF)
		return diff_ldif(&cli, &a, argv[first], sa, sb);
	if (cli.format_given && cli.format != CLI_FORMAT_TABLE)
		return cli_usage_error("diff", "--format ldif writes change records; the other "
		                               "formats are for look-ups");
	printf("origin %s: %" PRIu64 " -> %" PRIu64 "\n", argv[first], sa, sb);
	n = pocdir_diff(a.state, argv[first], sa, sb, print_change, NULL, &err);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	printf("%d %s\n", n, n == 1 ? "change" : "changes");
	return n > 0 ? EXIT_FOUND : EXIT_NOTHING;
}

int cmd_status(int argc, char **argv, const struct cli *cli0)
{
	struct history_args a = {0};
	pocdir_version_info *v = NULL;
	pocdir_peer_status *peers = NULL;
	pocdir_error err = {0};
	struct cli cli;
	pocdir *dir;
	char digest[80];
	int first, n, np;

	first = cli_parse(cli0, &cli, argc, argv, history_options, history_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[first]);
	n = pocdir_log(a.state, NULL, &v, &err);
	if (n < 0) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	/* The live directory: the local origin files and the newest held sets. */
	dir = pocdir_open_at(cli.directory, a.state, NULL, cli.base_dn, &err);
	if (dir == NULL) {
		cli_error("%s", err.message);
		pocdir_log_free(&v);
		return EXIT_USAGE;
	}
	if (pocdir_version(dir, digest, sizeof(digest)) == -1)
		snprintf(digest, sizeof(digest), "-");
	printf("directory version %s\n", digest);
	printf("%-8s %-12s %-9s %-21s %s\n", "ORIGIN", "SERIAL", "VERSIONS", "RECEIVED", "SOURCE");
	for (int i = 0; i < n; i++) {
		char rec[32];
		int count = 1;

		/* v is sorted by origin then serial: print the last of each run. */
		while (i + 1 < n && strcmp(v[i].origin, v[i + 1].origin) == 0) {
			i++;
			count++;
		}
		time_text(v[i].received, rec, sizeof(rec));
		printf("%-8s %-12" PRIu64 " %-9d %-21s %s\n", v[i].origin, v[i].serial, count, rec,
		       v[i].source[0] ? v[i].source : "-");
	}
	if (n == 0)
		printf("(no versions held in the state directory yet)\n");
	np = pocdir_peer_status_list(a.state, &peers, &err);
	if (np > 0) {
		printf("\n%-40s %-21s %-21s %-8s %s\n", "PEER", "LAST ATTEMPT", "LAST SUCCESS",
		       "FAILURES", "LAST ERROR");
		for (int i = 0; i < np; i++) {
			char t1[32], t2[32];

			time_text(peers[i].last_attempt, t1, sizeof(t1));
			time_text(peers[i].last_success, t2, sizeof(t2));
			printf("%-40s %-21s %-21s %-8u %s\n", peers[i].url, t1, t2,
			       peers[i].failures,
			       peers[i].last_error[0] ? peers[i].last_error : "-");
		}
	}
	pocdir_peer_status_free(&peers);
	pocdir_log_free(&v);
	pocdir_free(&dir);
	return EXIT_FOUND;
}
