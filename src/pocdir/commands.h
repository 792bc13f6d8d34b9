/* commands.h - the pocdir tool's shared state, option parsing helpers and
 * the commands the dispatch table in main.c knows. To add a command: write
 * cmd_xxx() in its own file, declare it here, add one line to the table in
 * main.c and the file to src/pocdir/local.mk. */
#ifndef POCDIR_COMMANDS_H
#define POCDIR_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>

#include "pocdir.h"

/* Exit statuses, documented in pocdir(1). */
#define EXIT_FOUND 0
#define EXIT_NOTHING 1
#define EXIT_USAGE 2

/* Output formats: the library's four and the table for people. */
enum cli_format {
	CLI_FORMAT_TABLE,
	CLI_FORMAT_JSON,
	CLI_FORMAT_LDIF,
	CLI_FORMAT_VCARD,
	CLI_FORMAT_CSV,
	CLI_FORMAT_VCARD3 /* vCard 3.0 for address books that want it */
};

/* What the common options and the environment say. */
struct cli {
	const char *directory; /* -d, $POCDIR_DIRECTORY, or the installed sample */
	const char *base_dn;   /* --base; NULL: the library's default */
	enum cli_format format;
	bool format_given; /* --format was given (commands pick their own default) */
	bool no_color;     /* --no-color */
	bool color;        /* resolved: stdout is a TTY, NO_COLOR unset, no --no-color */
	long long now;     /* "now" for local times: $POCDIR_NOW (tests) or time() */
	const char *at;    /* --at SERIAL|DATE: open as of then (pocdir_open_at) */
	const char *state; /* --state DIR; NULL: $POCDIR_STATE or the default */
	bool local;        /* --local: the folder only, not the state's sets */
};

/* A command: runs with argv[0] = its name; returns an exit status. */
typedef int cli_command_fn(int argc, char **argv, const struct cli *cli);

/* Handler for a command's own options: returns 0, or -1 after printing why
 * the value is wrong. */
typedef int cli_option_fn(int opt, const char *arg, void *ctx);

/* Own option codes start here, clear of the common ones. */
#define CLI_OPT_OWN 512

/* Parse a command's arguments: its own long options (own, terminated by a
 * zero entry; may be NULL) mixed in any order with the common options and
 * operands. *out receives cli updated by the common options. Returns the
 * index in argv of the first operand; -1 after printing a usage error;
 * -2 when --help or --version was printed (the command then exits 0). */
int cli_parse(const struct cli *cli, struct cli *out, int argc, char **argv,
              const struct option *own, cli_option_fn *handle, void *ctx);

/* Print "pocdir: " and a printf-style message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error for command name: message, then a hint at --help.
 * Returns EXIT_USAGE. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open cli's directory (with --base); prints the error and returns NULL. */
pocdir *cli_open(const struct cli *cli);

int cmd_lookup(int argc, char **argv, const struct cli *cli);
int cmd_q(int argc, char **argv, const struct cli *cli);
int cmd_search(int argc, char **argv, const struct cli *cli);
int cmd_show(int argc, char **argv, const struct cli *cli);
int cmd_export(int argc, char **argv, const struct cli *cli);
int cmd_validate(int argc, char **argv, const struct cli *cli);
/* Signatures, history and sync (cmd_keys.c, cmd_history.c, cmd_sync.c). */
int cmd_keygen(int argc, char **argv, const struct cli *cli);
int cmd_sign(int argc, char **argv, const struct cli *cli);
int cmd_verify(int argc, char **argv, const struct cli *cli);
int cmd_log(int argc, char **argv, const struct cli *cli);
int cmd_diff(int argc, char **argv, const struct cli *cli);
int cmd_status(int argc, char **argv, const struct cli *cli);
int cmd_publish(int argc, char **argv, const struct cli *cli);
int cmd_sync(int argc, char **argv, const struct cli *cli);
int cmd_passwd(int argc, char **argv, const struct cli *cli); /* cmd_passwd.c */
int cmd_import(int argc, char **argv, const struct cli *cli); /* cmd_import.c */
/* Exchanges over mail (cmd_ping.c, cmd_notify.c). */
int cmd_ping(int argc, char **argv, const struct cli *cli);
int cmd_notify(int argc, char **argv, const struct cli *cli);
int cmd_cases(int argc, char **argv, const struct cli *cli);
int cmd_route(int argc, char **argv, const struct cli *cli);
/* The mail configuration of path (NULL: $POCDIR_CONFIG, else the installed
 * pocdird.conf); prints the error and returns NULL. */
pocdir_mail_config *cli_mail_config(const char *path);
/* Print what sending or fetching mail did (ctx: a bool, quiet). */
void cli_mail_event(const pocdir_mail_event *ev, void *ctx);
/* "2026-12-02 13:50Z" ("-" for 0); "4m", "3h", "2d" ("-" when negative). */
void cli_time(long long t, char *buf, size_t size);
void cli_duration(long long s, char *buf, size_t size);
/* For show: when this node last saw e answer a ping test (the state's
 * records), a line beside the origin's own pocVerified; nothing if never. */
void cli_show_verified(const struct cli *cli, const pocdir_entry *e);

#endif /* POCDIR_COMMANDS_H */
