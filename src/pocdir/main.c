/* main.c - the pocdir command-line tool: common options, the table of
 * commands and dispatch. Each command lives in its own cmd_*.c file. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

#ifndef POCDIR_DATADIR
#define POCDIR_DATADIR "/usr/local/share/pocdir"
#endif
#ifndef POCDIR_LOCALSTATEDIR
#define POCDIR_LOCALSTATEDIR "/usr/local/var"
#endif

struct command {
	const char *name;
	cli_command_fn *fn;
	const char *synopsis; /* arguments after "pocdir NAME" */
	const char *summary;  /* one line for the command list */
	const char *options;  /* help for the command's own options, or NULL */
};

/* The commands, in the order --help lists them. One line each. */
static const struct command commands[] = {
    {"lookup", cmd_lookup,
     "[--country CC|NAME] [--agency TEXT] [--role ROLE] [--id ID] [--language TAG]\n"
     "                     [--name TEXT] [--open-now] [--24x7] [--all] [--attrs LIST]",
     "find contacts by country, agency, role, id, language, name, or who answers now",
     "  --country CC     ISO 3166-1 alpha-2 code (any case) or an unambiguous country\n"
     "                   name (Japan, South Korea); served countries count too\n"
     "  --agency TEXT    part of the agency name (any case)\n"
     "  --role ROLE      a role: policy, technical, incident-response, 24x7, ...\n"
     "  --id ID          an entry id\n"
     "  --language TAG   a language spoken (BCP 47: en also finds en-GB)\n"
     "  --name TEXT      part of a name, function or title (case and accents ignored)\n"
     "  --open-now       only offices open now, in their own time zone\n"
     "  --24x7           only contacts reachable around the clock\n"
     "  --all            also contacts outside their valid-from/valid-until dates\n"
     "  --attrs LIST     comma-separated attributes to print, e.g. cn,mail\n"
     "A repeated option is any of its values (--country KR --country JP: either);\n"
     "different options must all hold (--country KR --role technical: both).\n"},
    {"q", cmd_q, "WORDS... [lookup options]",
     "free text: contacts where every word is in a name, agency, id, role or country",
     "  Case and accents are ignored: 'pocdir q korea cert', 'pocdir q elodie'.\n"
     "  Takes the options of lookup, which narrow the answer further.\n"},
    {"search", cmd_search, "FILTER [--attrs LIST] [--all]",
     "find contacts with an LDAP filter (RFC 4515), e.g. '(&(c=KR)(role=technical))'",
     "  --attrs LIST     comma-separated attributes to print, e.g. cn,mail\n"
     "  --all            also contacts outside their valid-from/valid-until dates\n"},
    {"show", cmd_show, "ID | CC/ID | DN", "show every field of one contact", NULL},
    {"export", cmd_export, "[--no-tree]",
     "write the whole directory (default: LDIF with base and country entries)",
     "  --no-tree        LDIF: contacts only, no base and country entries\n"},
    {"validate", cmd_validate, "[--strict] [PATH...]",
     "check origin files and name every problem as file:line:col", NULL},
    {"import", cmd_import, "--from FORMAT FILE|URL --origin NAME [--out FILE]",
     "turn a FIRST, Trusted Introducer, security.txt or CSV listing into an origin file",
     "  --from FORMAT    first, ti, security.txt or csv\n"
     "  --origin NAME    the origin id to write\n"
     "  --out FILE       the origin file (written atomically; default: stdout)\n"
     "  --name TEXT      the participant's name\n"
     "  --scope LIST     countries the origin speaks for (default: the entries')\n"
     "  --country CC     country of entries that give none (security.txt)\n"
     "  --agency TEXT    agency of entries that give none (security.txt)\n"
     "  --id ID          security.txt: the entry's id\n"
     "  --roles LIST     roles of entries that give none\n"
     "  --agency-type T  agency type of entries that give none (default csirt)\n"
     "  --columns MAP    CSV: Header=key,... (keys of pocdir-directory(5) or x-...)\n"
     "  --ca-file FILE   https: CA certificates instead of the system's\n"
     "  --timeout SECS   URL: seconds for the download (default 30)\n"
     "  --quiet          no warnings, no summary\n"},
    {"keygen", cmd_keygen, "[--key FILE] [--pubkey FILE] [--encrypt]",
     "make an origin's signing key pair (minisign format)",
     "  --key FILE       secret key to write (default pocdir.key; never overwritten)\n"
     "  --pubkey FILE    public key to write (default pocdir.pub)\n"
     "  --encrypt        encrypt the secret key with $POCDIR_PASSPHRASE, else with a\n"
     "                   passphrase asked at the terminal\n"},
    {"sign", cmd_sign, "FILE... --key KEY",
     "raise the serial of a changed origin file and sign it (FILE.minisig)",
     "  --key KEY        secret key (passphrase, if any, from $POCDIR_PASSPHRASE, else\n"
     "                   asked at the terminal)\n"},
    {"verify", cmd_verify, "FILE --pubkey KEY [--sig SIG]", "check an origin file's signature",
     "  --pubkey KEY     public key file or base64 key\n"
     "  --sig SIG        signature file (default FILE.minisig)\n"},
    {"log", cmd_log, "[ORIGIN] [--state DIR]", "list the versions held in the state directory",
     "  --state DIR      state directory (default $POCDIR_STATE, else /var/lib/pocdir)\n"},
    {"diff", cmd_diff, "ORIGIN SERIAL-A SERIAL-B [--state DIR] [--format ldif]",
     "show the entries added, removed and changed between two versions",
     "  --format ldif    LDIF change records (add, modify, delete) for ldapmodify;\n"
     "                   SERIAL-A 0: from nothing\n"
     "  --applied FILE   with ldif: \"origin serial\" lines, the versions the LDAP\n"
     "                   copy holds (default: the newest held in the state)\n"},
    {"status", cmd_status, "[--state DIR]",
     "each origin's serial and source, the peers' last syncs, the directory version", NULL},
    {"publish", cmd_publish, "--out FOLDER [--state DIR] [--publisher NAME]",
     "write this node's feed (index.yaml and signed sets) for a web server",
     "  --out FOLDER     the feed folder; index.yaml is replaced last, atomically\n"
     "  --publisher NAME this node's name in index.yaml\n"},
    {"sync", cmd_sync, "[--config FILE] [--peer URL] [--quiet]",
     "fetch newer signed sets from peers once (for cron); exit 1 when anything failed",
     "  --config FILE    pocdird.conf with the sync: section (default $POCDIR_CONFIG)\n"
     "  --peer URL       only this peer\n"},
    {"passwd", cmd_passwd, "", "hash a password (stdin) for pocdird.conf binds", NULL},
    {"ping", cmd_ping, "[send|fetch|report] [--country CC] [--role ROLE] [--id ID] [--origin O]",
     "mail communication checks to PoCs, fetch replies, report who answered",
     "  --config FILE    pocdird.conf with the mail: section (default $POCDIR_CONFIG)\n"
     "  --country CC, --role ROLE, --id ID, --origin O   whom to check (send)\n"
     "  --quiet          only problems and the summary\n"
     "Exit status: send 0 all sent, 1 some not; report 0 none overdue, 1 some overdue.\n"},
    {"notify", cmd_notify,
     "--summary TEXT [--country CC] [--ioc TYPE:VALUE]... [--type T] [--urgency U] [--tlp T] "
     "[--dry-run]",
     "send a notification with typed indicators to the right PoC, tracked as a case",
     "  --country CC     recipient country; without it, the IP indicators' countries\n"
     "  --role ROLE      recipient role (default technical or incident-response)\n"
     "  --type T         incident-notification (default), request-for-assistance,\n"
     "                   request-for-information, response\n"
     "  --urgency U      low, medium (default), high, critical\n"
     "  --tlp T          clear, green, amber (default), amber+strict, red\n"
     "  --summary TEXT   what happened (required)\n"
     "  --action TEXT    what the recipient is asked to do\n"
     "  --first-seen T, --last-seen T   dates or UTC times the indicators were seen\n"
     "  --ioc TYPE:VALUE ip, domain, url, email, md5, sha1, sha256, sha512, malware\n"
     "  --refers-to CASE the case this one answers\n"
     "  --dry-run        print the exact message; send and record nothing\n"
     "  --config FILE    pocdird.conf with mail: and notify: (default $POCDIR_CONFIG)\n"},
    {"cases", cmd_cases, "[fetch] [--config FILE]",
     "list notifications sent: answered, open or overdue (fetch: read replies first)", NULL},
    {"route", cmd_route, "ADDRESS... | refresh [--config FILE]",
     "the country of IP addresses by the RIR statistics table (refresh: fetch it if changed)",
     NULL},
};

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char common_help[] =
    "Common options (before or after the command):\n"
    "  -d, --directory PATH   directory folder or origin file\n"
    "                         (default: $POCDIR_DIRECTORY, else " POCDIR_DATADIR "/directory)\n"
    "      --format FORMAT    table, json, ldif, vcard (4.0), vcard3 or csv\n"
    "      --base DN          base DN of the LDAP tree (default dc=pocdir)\n"
    "      --no-color         no colours in tables (also: NO_COLOR set)\n"
    "      --at SERIAL|DATE   the directory as it stood then (versions in the state)\n"
    "      --state DIR        state directory whose synced sets are shown with the\n"
    "                         folder's, as pocdird serves them (default $POCDIR_STATE,\n"
    "                         else " POCDIR_LOCALSTATEDIR "/lib/pocdir)\n"
    "      --local            only the directory folder, not the synced sets\n"
    "  -h, --help             show help (pocdir COMMAND --help: the command's)\n"
    "      --version          show the version\n";

static void help_global(FILE *out)
{
	size_t i;

	fprintf(out, "usage: pocdir [OPTIONS] COMMAND [ARGS]\n\n"
	             "Points of contact for ICT-security incidents: who to call, where, now.\n\n"
	             "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
	        "\n%s\nExit status: 0 found, 1 nothing found, 2 bad usage or bad input.\n"
	        "See pocdir(1).\n",
	        common_help);
}

static void help_command(const struct command *c, FILE *out)
{
	/* The summary reads as a sentence here, as a list item in --help. */
	fprintf(out, "usage: pocdir %s %s\n\n%c%s.\n\n", c->name, c->synopsis,
	        toupper((unsigned char)c->summary[0]), c->summary + 1);
	if (c->options != NULL)
		fprintf(out, "Options:\n%s\n", c->options);
	fputs(common_help, out);
}

static void version(void)
{
	printf("pocdir %s (libpocdir %s)\n", POCDIR_VERSION_STRING, pocdir_library_version());
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pocdir: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fputs("pocdir: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pocdir %s%s--help'.\n", name != NULL ? name : "",
	        name != NULL ? " " : "");
	return EXIT_USAGE;
}

enum { OPT_FORMAT = 256, OPT_BASE, OPT_NO_COLOR, OPT_VERSION, OPT_AT, OPT_STATE, OPT_LOCAL };

static const struct option common_options[] = {
    {"directory", required_argument, NULL, 'd'}, {"format", required_argument, NULL, OPT_FORMAT},
    {"base", required_argument, NULL, OPT_BASE}, {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"at", required_argument, NULL, OPT_AT},     {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION}, {"state", required_argument, NULL, OPT_STATE},
    {"local", no_argument, NULL, OPT_LOCAL},
};
#define NCOMMON (sizeof(common_options) / sizeof(common_options[0]))

static int format_parse(const char *s, enum cli_format *fmt)
{
	static const char *const names[] = {"table", "json", "ldif", "vcard", "csv", "vcard3"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum cli_format)i;
			return 0;
		}
	return -1;
}

/* Say what getopt_long (with opterr 0 and a leading ':') rejected: arg is
 * the argument it stopped at. Returns EXIT_USAGE. */
static int getopt_error(const char *name, int opt, const char *arg)
{
	if (opt == ':')
		return cli_usage_error(name, "option '%s' needs a value", arg);
	if (strncmp(arg, "--", 2) != 0)
		return cli_usage_error(name, "unknown option '-%c'", optopt);
	if (optopt != 0)
		return cli_usage_error(name, "option '%.*s' takes no value", (int)strcspn(arg, "="),
		                       arg);
	return cli_usage_error(name, "unknown option '%.*s'", (int)strcspn(arg, "="), arg);
}

/* One common option; 1 handled, 0 not ours, -1 bad value (printed),
 * -2 help or version printed. */
static int common_option(struct cli *cli, int opt, const char *arg, const char *name)
{
	switch (opt) {
	case 'd':
		if (*arg == '\0') {
			cli_usage_error(name, "--directory needs a path");
			return -1;
		}
		cli->directory = arg;
		return 1;
	case OPT_FORMAT:
		if (format_parse(arg, &cli->format) == -1) {
			cli_usage_error(
			    name, "unknown format '%s' (table, json, ldif, vcard, vcard3 or csv)",
			    arg);
			return -1;
		}
		cli->format_given = true;
		return 1;
	case OPT_BASE:
		cli->base_dn = arg;
		return 1;
	case OPT_NO_COLOR:
		cli->no_color = true;
		return 1;
	case OPT_AT:
		cli->at = arg;
		return 1;
	case OPT_STATE:
		cli->state = arg;
		return 1;
	case OPT_LOCAL:
		cli->local = true;
		return 1;
	case 'h':
		if (name != NULL && command_find(name) != NULL)
			help_command(command_find(name), stdout);
		else
			help_global(stdout);
		return -2;
	case OPT_VERSION:
		version();
		return -2;
	}
	return 0;
}

/* Colours only for a person at a terminal: https://no-color.org says any
 * non-empty NO_COLOR turns them off. */
static void color_resolve(struct cli *cli)
{
	const char *nc = getenv("NO_COLOR");

	cli->color = !cli->no_color && (nc == NULL || *nc == '\0') && isatty(STDOUT_FILENO);
}

int cli_parse(const struct cli *cli, struct cli *out, int argc, char **argv,
              const struct option *own, cli_option_fn *handle, void *ctx)
{
	struct option *all;
	size_t nown = 0, i;
	int opt, rc = -1;

	*out = *cli;
	while (own != NULL && own[nown].name != NULL)
		nown++;
	all = calloc(nown + NCOMMON + 1, sizeof(*all));
	if (all == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (i = 0; i < nown; i++)
		all[i] = own[i];
	for (i = 0; i < NCOMMON; i++)
		all[nown + i] = common_options[i];
	/* glibc: optind 0 restarts the scan, after main's own pass. Options
	 * and operands may be mixed (GNU permutation); "--" ends options. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:h", all, NULL)) != -1) {
		int r;

		if (opt == '?' || opt == ':') {
			getopt_error(argv[0], opt, argv[optind - 1]);
			goto done;
		}
		r = common_option(out, opt, optarg, argv[0]);
		if (r < 0) {
			rc = r;
			goto done;
		}
		if (r == 0 && (handle == NULL || handle(opt, optarg, ctx) == -1))
			goto done;
	}
	color_resolve(out);
	rc = optind;
done:
	free(all);
	return rc;
}

/* Does the state directory hold synced or published sets? Then the node's
 * daemon serves them beside the folder's, and so does the tool. */
static bool state_holds_sets(const char *state)
{
	pocdir_version_info *v = NULL;
	pocdir_error err = {0};
	int n = pocdir_log(state, NULL, &v, &err);

	pocdir_log_free(&v);
	return n > 0;
}

pocdir *cli_open(const struct cli *cli)
{
	pocdir_options opts = {.path = cli->directory, .base_dn = cli->base_dn};
	pocdir_error err = {0};
	pocdir *dir;

	/* --at, or sets held in the state: the local files and the history,
	 * the highest serial of each origin winning, as pocdird loads them. */
	if (cli->at != NULL || (!cli->local && state_holds_sets(cli->state)))
		dir = pocdir_open_at(cli->directory, cli->state, cli->at, cli->base_dn, &err);
	else
		dir = pocdir_open_options(&opts, &err);
	if (dir == NULL) {
		if (err.count > 1)
			cli_error("%s (and %u more problem%s: run 'pocdir validate')", err.message,
			          err.count - 1, err.count > 2 ? "s" : "");
		else
			cli_error("%s", err.message);
	}
	return dir;
}

/* An answer that did not reach stdout (a full disk, a closed pipe) is a
 * failure, whatever the command thought: flush and check, as coreutils'
 * close_stdout does. */
static int stdout_check(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (rc != EXIT_USAGE) /* else the command has said why */
			cli_error("cannot write the output: %s",
			          strerror(errno != 0 ? errno : EIO));
		return EXIT_USAGE;
	}
	return rc;
}

/* $POCDIR_NOW fixes the clock of the local-time column, for tests. */
static int now_init(struct cli *cli)
{
	const char *s = getenv("POCDIR_NOW");
	char *end;
	long long v;

	if (s == NULL || *s == '\0') {
		cli->now = (long long)time(NULL);
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL) {
		cli_error("POCDIR_NOW must be seconds since 1970-01-01 UTC, not '%s'", s);
		return -1;
	}
	cli->now = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {.format = CLI_FORMAT_TABLE};
	const struct command *cmd;
	const char *env;
	int opt;

	/* Character classes only: display widths of names in tables and the
	 * choice of "…" depend on the terminal's encoding. */
	setlocale(LC_CTYPE, "");
	env = getenv("POCDIR_DIRECTORY");
	cli.directory = env != NULL && *env != '\0' ? env : POCDIR_DATADIR "/directory";
#ifdef POCDIR_SOURCE_DIRECTORY
	/* Run from a build tree before `make install`: the bundled sample. */
	if ((env == NULL || *env == '\0') && access(cli.directory, F_OK) == -1 &&
	    access(POCDIR_SOURCE_DIRECTORY, F_OK) == 0)
		cli.directory = POCDIR_SOURCE_DIRECTORY;
#endif
	if (now_init(&cli) == -1)
		return EXIT_USAGE;

	/* Common options before the command; '+' stops at the command name. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:d:h", common_options, NULL)) != -1) {
		int r;

		if (opt == '?' || opt == ':')
			return getopt_error(NULL, opt, argv[optind - 1]);
		r = common_option(&cli, opt, optarg, NULL);
		if (r == -2)
			return stdout_check(EXIT_FOUND);
		if (r < 0)
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		help_global(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (cmd == NULL) {
		if (strcmp(argv[optind], "help") == 0) {
			if (optind + 1 < argc && command_find(argv[optind + 1]) != NULL)
				help_command(command_find(argv[optind + 1]), stdout);
			else
				help_global(stdout);
			return stdout_check(EXIT_FOUND);
		}
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	}
	return stdout_check(cmd->fn(argc - optind, argv + optind, &cli));
}
