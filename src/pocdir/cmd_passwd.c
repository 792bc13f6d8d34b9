/* cmd_passwd.c - pocdir passwd: print an argon2id hash (libsodium's
 * crypto_pwhash_str) of a password, for the binds: list of pocdird.conf(5). */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"

#define PASSWD_MAX 1024

/* Read one line from stdin into buf; without echo when stdin is a terminal.
 * Returns its length, or -1 at end of input or when it is too long. */
static int read_secret(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t len;
	int rc = -1;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) != NULL) {
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		else if (len == size - 1)
			goto out; /* longer than the limit */
		rc = (int)len;
	}
out:
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return rc;
}

int cmd_passwd(int argc, char **argv, const struct cli *cli0)
{
	char pw[PASSWD_MAX + 2], again[PASSWD_MAX + 2], hash[crypto_pwhash_STRBYTES];
	struct cli cli;
	int first, len, rc = EXIT_USAGE;

	first = cli_parse(cli0, &cli, argc, argv, NULL, NULL, NULL);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("passwd", "the password is read from standard input, "
		                                 "not from the command line");
	if (sodium_init() < 0) {
		cli_error("libsodium failed to initialise");
		return EXIT_USAGE;
	}
	len = read_secret("Password: ", pw, sizeof(pw));
	if (len <= 0) {
		cli_error("no password read (empty, or longer than %d bytes)", PASSWD_MAX);
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_secret("Again: ", again, sizeof(again)) != len || strcmp(pw, again) != 0) {
			cli_error("the passwords differ");
			goto out;
		}
	}
	/* The "interactive" cost: about 0.1 s and 64 MiB per check, paid by
	 * pocdird on a worker thread for each bind. */
	if (crypto_pwhash_str(hash, pw, (unsigned long long)len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		cli_error("out of memory while hashing");
		goto out;
	}
	printf("%s\n", hash);
	rc = EXIT_FOUND;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	return rc;
}
