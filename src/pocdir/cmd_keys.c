/* cmd_keys.c - pocdir keygen, sign and verify: an origin's Ed25519 key pair
 * and minisign-compatible signatures over its set. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"

enum { OPT_KEY = CLI_OPT_OWN, OPT_PUBKEY, OPT_SIG, OPT_ENCRYPT };

struct key_args {
	const char *key;
	const char *pubkey;
	const char *sig;
	bool encrypt;
};

static int key_option(int opt, const char *arg, void *ctx)
{
	struct key_args *a = ctx;

	switch (opt) {
	case OPT_KEY:
		a->key = arg;
		break;
	case OPT_PUBKEY:
		a->pubkey = arg;
		break;
	case OPT_SIG:
		a->sig = arg;
		break;
	case OPT_ENCRYPT:
		a->encrypt = true;
		break;
	default:
		return -1;
	}
	return 0;
}

/* The passphrase of an encrypted key comes from the environment, never from
 * the command line (where ps(1) shows it). */
static const char *passphrase(void)
{
	const char *p = getenv("POCDIR_PASSPHRASE");

	return p != NULL && p[0] != '\0' ? p : NULL;
}

#define PASSPHRASE_MAX 1024

/* Ask the person at the controlling terminal, echo off, as ssh-keygen and
 * minisign do: into buf, without the newline. Returns 0, or -1 when there
 * is no terminal (cron, a pipe) or nothing was typed. */
static int passphrase_prompt(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), rc = -1;
	size_t len = 0;
	bool restore;

	if (fd == -1)
		return -1;
	restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto done;
	while (len + 1 < size) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	rc = len > 0 ? 0 : -1;
done:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = -1;
	close(fd);
	return rc;
}

int cmd_keygen(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"key", required_argument, NULL, OPT_KEY},
	    {"pubkey", required_argument, NULL, OPT_PUBKEY},
	    {"encrypt", no_argument, NULL, OPT_ENCRYPT},
	    {NULL, 0, NULL, 0},
	};
	struct key_args a = {.key = "pocdir.key", .pubkey = "pocdir.pub"};
	struct cli cli;
	pocdir_error err = {0};
	const char *pass = NULL;
	char typed[PASSPHRASE_MAX];
	int first, rc;

	first = cli_parse(cli0, &cli, argc, argv, own, key_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("keygen", "unexpected argument '%s'", argv[first]);
	if (a.encrypt && (pass = passphrase()) == NULL) {
		char again[PASSPHRASE_MAX];

		if (passphrase_prompt("Passphrase for the new key: ", typed, sizeof(typed)) == -1)
			return cli_usage_error("keygen", "--encrypt takes the passphrase from a "
			                                 "terminal or from POCDIR_PASSPHRASE");
		if (passphrase_prompt("The same again: ", again, sizeof(again)) == -1 ||
		    strcmp(typed, again) != 0) {
			sodium_memzero(typed, sizeof(typed));
			sodium_memzero(again, sizeof(again));
			cli_error("the two passphrases differ; no key written");
			return EXIT_USAGE;
		}
		sodium_memzero(again, sizeof(again));
		pass = typed;
	}
	rc = pocdir_keygen(a.pubkey, a.key, pass, &err);
	sodium_memzero(typed, sizeof(typed));
	if (rc == -1) {
		cli_error("%s", err.message);
		return EXIT_USAGE;
	}
	printf("secret key: %s (%s; keep it secret)\npublic key: %s (give it to your peers)\n",
	       a.key, pass != NULL ? "encrypted" : "not encrypted", a.pubkey);
	return EXIT_FOUND;
}

int cmd_sign(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"key", required_argument, NULL, OPT_KEY},
	    {NULL, 0, NULL, 0},
	};
	struct key_args a = {0};
	struct cli cli;
	char typed[PASSPHRASE_MAX];
	const char *pass;
	int first, rc = EXIT_FOUND;

	first = cli_parse(cli0, &cli, argc, argv, own, key_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("sign",
		                       "which origin file? e.g. pocdir sign origins/kr.yaml "
		                       "--key kr.key");
	if (a.key == NULL)
		return cli_usage_error("sign", "--key SECRET-KEY is needed");
	pass = passphrase();
	for (int i = first; i < argc; i++) {
		pocdir_sign_info info = {.size = sizeof(info)};
		pocdir_error err = {0};
		int r = pocdir_sign_file(argv[i], a.key, pass, 0, &info, &err);

		/* An encrypted key and no $POCDIR_PASSPHRASE: ask once, at the
		 * terminal, and keep the answer for the other files. */
		if (r == -1 && err.code == POCDIR_ERR_PASSPHRASE && pass == NULL &&
		    passphrase_prompt("Passphrase for the secret key: ", typed, sizeof(typed)) ==
		        0) {
			pass = typed;
			r = pocdir_sign_file(argv[i], a.key, pass, 0, &info, &err);
		}
		if (r == -1) {
			cli_error("%s", err.message);
			rc = EXIT_USAGE;
			continue;
		}
		if (info.changed)
			printf("%s: origin %s serial %llu -> %llu, signed with key %s\n", argv[i],
			       info.origin, (unsigned long long)info.old_serial,
			       (unsigned long long)info.serial, info.keyid);
		else
			printf("%s: origin %s serial %llu unchanged, signature is current\n",
			       argv[i], info.origin, (unsigned long long)info.serial);
	}
	sodium_memzero(typed, sizeof(typed));
	return rc;
}

int cmd_verify(int argc, char **argv, const struct cli *cli0)
{
	static const struct option own[] = {
	    {"pubkey", required_argument, NULL, OPT_PUBKEY},
	    {"sig", required_argument, NULL, OPT_SIG},
	    {NULL, 0, NULL, 0},
	};
	struct key_args a = {0};
	struct cli cli;
	int first, rc = EXIT_FOUND;

	first = cli_parse(cli0, &cli, argc, argv, own, key_option, &a);
	if (first < 0)
		return first == -2 ? EXIT_FOUND : EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("verify", "which file? e.g. pocdir verify kr.yaml "
		                                 "--pubkey kr.pub");
	if (a.pubkey == NULL)
		return cli_usage_error("verify", "--pubkey KEY (a .pub file or a base64 key) is "
		                                 "needed");
	if (a.sig != NULL && first + 1 != argc)
		return cli_usage_error("verify", "--sig goes with one file only");
	for (int i = first; i < argc; i++) {
		pocdir_error err = {0};
		char trusted[1100];

		if (pocdir_verify_file(argv[i], a.sig, a.pubkey, trusted, sizeof(trusted), &err) ==
		    -1) {
			cli_error("%s", err.message);
			rc = err.code == POCDIR_ERR_INVALID ? EXIT_NOTHING : EXIT_USAGE;
			continue;
		}
		printf("%s: signature and trusted comment verified\ntrusted comment: %s\n", argv[i],
		       trusted);
	}
	return rc;
}
