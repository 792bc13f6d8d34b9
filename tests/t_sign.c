/* t_sign.c - minisign-compatible keys and signatures: our own round trip,
 * tampering, and interoperation with the real minisign tool both ways. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign.h"
#include "tap.h"
#include "util.h"

#define MINISIGN "/usr/bin/minisign"
/* A cleared error for each call, so that a test point shows its own message. */
#define E (error_clear(&err), &err)

static char dir[256];

static const char *at(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	pocdir_error err = {0};

	if (file_read(path, 1 << 20, &data, len, &err) == -1)
		tap_diag("%s", err.message);
	return data;
}

static int verify_files(const char *pubspec, const char *file, const char *sigfile,
                        struct sign_info *info, pocdir_error *err)
{
	struct sign_pubkey pk;
	size_t dlen = 0, slen = 0;
	char *data = slurp(file, &dlen), *sig = slurp(sigfile, &slen);
	int rc = -1;

	if (data != NULL && sig != NULL && sign_pubkey_load(pubspec, &pk, err) == 0)
		rc = sign_verify_buffer(&pk, data, dlen, sig, slen, info, err);
	free(data);
	free(sig);
	return rc;
}

static void test_roundtrip(void)
{
	struct sign_seckey sk;
	struct sign_pubkey pk, pk2;
	struct sign_info info;
	pocdir_error err = {0};
	const char data[] = "origin: kr\nserial: 2026112201\n";
	char *sig = NULL, *bad;
	size_t slen;

	tap_ok(sign_keygen(at("a.pub"), at("a.key"), NULL, E) == 0, "keygen: %s", err.message);
	tap_ok(sign_keygen(at("a.pub"), at("a.key"), NULL, E) == -1 &&
	           strstr(err.message, "not overwriting") != NULL,
	       "keygen refuses to overwrite a secret key");
	tap_ok(sign_seckey_load(at("a.key"), NULL, &sk, E) == 0, "load secret key: %s",
	       err.message);
	tap_ok(sign_pubkey_load(at("a.pub"), &pk, E) == 0, "load public key: %s", err.message);
	sign_seckey_public(&sk, &pk2);
	tap_ok(memcmp(&pk, &pk2, sizeof(pk)) == 0, "public half of the secret key matches");
	tap_ok(sign_buffer(&sk, data, strlen(data), "test", "origin:kr\tserial:2026112201", &sig,
	                   E) == 0,
	       "sign: %s", err.message);
	if (sig == NULL)
		return;
	slen = strlen(sig);
	tap_ok(sign_verify_buffer(&pk, data, strlen(data), sig, slen, &info, E) == 0, "verify: %s",
	       err.message);
	tap_is(info.trusted_comment, "origin:kr\tserial:2026112201", "trusted comment read back");
	tap_ok(sign_verify_buffer(&pk, "origin: kr\nserial: 2026112202\n", strlen(data), sig, slen,
	                          NULL, E) == -1 &&
	           strstr(err.message, "does not verify") != NULL,
	       "changed data is refused: %s", err.message);

	/* Change the trusted comment: the data signature still holds but the
	 * global one must not. */
	bad = strdup(sig);
	*strstr(bad, "2026112201") = '3';
	tap_ok(sign_verify_buffer(&pk, data, strlen(data), bad, slen, NULL, E) == -1 &&
	           strstr(err.message, "global signature") != NULL,
	       "edited trusted comment is refused: %s", err.message);
	tap_ok(sign_read_trusted(&pk, bad, slen, NULL, E) == -1,
	       "sign_read_trusted refuses it too");
	free(bad);

	/* Another key. */
	tap_ok(sign_keygen(at("b.pub"), at("b.key"), NULL, E) == 0, "second keygen");
	tap_ok(sign_pubkey_load(at("b.pub"), &pk2, E) == 0, "load second key");
	tap_ok(sign_verify_buffer(&pk2, data, strlen(data), sig, slen, NULL, E) == -1 &&
	           strstr(err.message, "expected key") != NULL,
	       "another key is refused: %s", err.message);

	/* Hostile signature texts. */
	tap_ok(sign_verify_buffer(&pk, data, strlen(data), "garbage", 7, NULL, E) == -1,
	       "garbage signature refused: %s", err.message);
	tap_ok(sign_verify_buffer(&pk, data, strlen(data), sig, slen / 2, NULL, E) == -1,
	       "truncated signature refused: %s", err.message);
	free(sig);
	sign_seckey_wipe(&sk);
}

static void test_encrypted(void)
{
	struct sign_seckey sk;
	pocdir_error err = {0};

	tap_ok(sign_keygen(at("e.pub"), at("e.key"), "correct horse", E) == 0,
	       "keygen with a passphrase: %s", err.message);
	tap_ok(sign_seckey_load(at("e.key"), NULL, &sk, E) == -1 &&
	           err.code == POCDIR_ERR_PASSPHRASE,
	       "encrypted key without passphrase: %s", err.message);
	tap_ok(sign_seckey_load(at("e.key"), "wrong", &sk, E) == -1 &&
	           strstr(err.message, "wrong passphrase") != NULL,
	       "wrong passphrase: %s", err.message);
	tap_ok(sign_seckey_load(at("e.key"), "correct horse", &sk, E) == 0, "right passphrase: %s",
	       err.message);
	sign_seckey_wipe(&sk);
}

static void test_minisign(void)
{
	struct sign_seckey sk;
	struct sign_info info;
	pocdir_error err = {0};
	char *sig = NULL;
	size_t len;
	char *data;

	if (access(MINISIGN, X_OK) != 0) {
		tap_ok(1, "# SKIP minisign not installed (%s)", MINISIGN);
		return;
	}
	run("printf 'origin: jp\\nserial: 1\\n' > %s", at("f.yaml"));
	data = slurp(at("f.yaml"), &len);

	/* We sign, minisign verifies. */
	tap_ok(sign_seckey_load(at("a.key"), NULL, &sk, E) == 0, "load our key");
	tap_ok(sign_buffer(&sk, data, len, "signature from pocdir", "file:f.yaml\thashed", &sig,
	                   E) == 0,
	       "sign f.yaml");
	tap_ok(file_write_atomic(at("f.yaml.minisig"), sig, strlen(sig), E) == 0,
	       "write f.yaml.minisig");
	tap_ok(run(MINISIGN " -q -Vm %s -p %s", at("f.yaml"), at("a.pub")) == 0,
	       "minisign verifies our signature with our public key file");
	run("echo tampered >> %s", at("f.yaml"));
	tap_ok(run(MINISIGN " -q -Vm %s -p %s 2>/dev/null", at("f.yaml"), at("a.pub")) != 0,
	       "minisign refuses our signature over changed data");
	free(sig);
	free(data);

	/* minisign signs with OUR secret key file (checks our key format). */
	run("printf 'x: 1\\n' > %s", at("g.yaml"));
	tap_ok(run(MINISIGN " -S -s %s -m %s >/dev/null 2>&1 </dev/null", at("a.key"),
	           at("g.yaml")) == 0,
	       "minisign signs with a key written by sign_keygen");
	tap_ok(verify_files(at("a.pub"), at("g.yaml"), at("g.yaml.minisig"), &info, E) == 0,
	       "we verify it: %s", err.message);

	/* minisign's own unencrypted key pair (-W). */
	tap_ok(run(MINISIGN " -G -W -p %s -s %s >/dev/null 2>&1", at("m.pub"), at("m.key")) == 0,
	       "minisign -G -W");
	run("printf 'origin: th\\n' > %s", at("h.yaml"));
	tap_ok(run(MINISIGN " -S -s %s -m %s -t 'serial:7' >/dev/null 2>&1", at("m.key"),
	           at("h.yaml")) == 0,
	       "minisign -S");
	tap_ok(verify_files(at("m.pub"), at("h.yaml"), at("h.yaml.minisig"), &info, E) == 0,
	       "we verify minisign's signature: %s", err.message);
	tap_is(info.trusted_comment, "serial:7", "and read its trusted comment");
	run("echo tampered >> %s", at("h.yaml"));
	tap_ok(verify_files(at("m.pub"), at("h.yaml"), at("h.yaml.minisig"), NULL, E) == -1,
	       "we refuse minisign's signature over changed data");
	tap_ok(sign_seckey_load(at("m.key"), NULL, &sk, E) == 0,
	       "we load minisign's unencrypted secret key: %s", err.message);
	sign_seckey_wipe(&sk);

	/* A bare base64 key, as minisign -P takes it. */
	{
		char *pub = slurp(at("m.pub"), &len), *nl, line[128];

		nl = pub ? strchr(pub, '\n') : NULL;
		if (nl != NULL) {
			snprintf(line, sizeof(line), "%.56s", nl + 1);
			run("printf 'origin: th\\n' > %s", at("h.yaml"));
			run(MINISIGN " -S -s %s -m %s >/dev/null 2>&1", at("m.key"), at("h.yaml"));
			tap_ok(verify_files(line, at("h.yaml"), at("h.yaml.minisig"), NULL, E) == 0,
			       "a base64 public key string works: %s", err.message);
		}
		free(pub);
	}

	/* minisign's own encrypted keys use scrypt at 1 GiB ("sensitive"), too
	 * slow for make check; the same code path reads ours, which minisign
	 * decrypts below. */
	/* And minisign decrypts ours. */
	run("printf 'y: 2\\n' > %s", at("k.yaml"));
	tap_ok(run("printf 'correct horse\\n' | " MINISIGN " -S -s %s -m %s >/dev/null 2>&1",
	           at("e.key"), at("k.yaml")) == 0,
	       "minisign decrypts and signs with our encrypted key");
	tap_ok(verify_files(at("e.pub"), at("k.yaml"), at("k.yaml.minisig"), NULL, E) == 0,
	       "we verify that: %s", err.message);
}

/* pocdir sign: serial raised once per change, comments kept, minisign
 * verifies the result. */
static void test_sign_file(void)
{
	pocdir_sign_info info = {.size = sizeof(info)};
	pocdir_error err = {0};
	char trusted[256], *text;
	size_t len;
	const char *src = getenv("top_srcdir");
	/* 2026-11-22T10:00:00Z */
	const long long now = 1795341600LL;

	run("cp %s/tests/sync/kr.yaml %s", src ? src : ".", at("kr.yaml"));
	tap_ok(pocdir_sign_file(at("kr.yaml"), at("a.key"), NULL, now, &info, E) == 0,
	       "sign kr.yaml: %s", err.message);
	tap_ok(info.changed == 1 && info.old_serial == 2026112201ULL &&
	           info.serial == 2026112202ULL,
	       "unsigned file: serial raised to old+1 (%llu)", (unsigned long long)info.serial);
	tap_is(info.origin, "kr", "origin reported");
	text = slurp(at("kr.yaml"), &len);
	tap_ok(text != NULL &&
	           strstr(text, "serial: 2026112202   # raised by pocdir sign\n") != NULL,
	       "serial edited in place, comment kept");
	tap_ok(text != NULL && strstr(text, "updated: 2026-11-22T10:00:00Z\n") != NULL,
	       "updated set");
	tap_ok(text != NULL && strncmp(text, "# Republic of Korea", 19) == 0,
	       "leading comment kept");
	free(text);
	tap_ok(pocdir_verify_file(at("kr.yaml"), NULL, at("a.pub"), trusted, sizeof(trusted), E) ==
	           0,
	       "pocdir_verify_file: %s", err.message);
	tap_ok(strstr(trusted, "serial:2026112202") != NULL, "trusted comment names the serial");
	if (access(MINISIGN, X_OK) == 0)
		tap_ok(run(MINISIGN " -q -Vm %s -p %s", at("kr.yaml"), at("a.pub")) == 0,
		       "minisign verifies the signed origin file");
	tap_ok(pocdir_sign_file(at("kr.yaml"), at("a.key"), NULL, now, &info, E) == 0 &&
	           info.changed == 0 && info.serial == 2026112202ULL,
	       "signing again without a change keeps the serial");
	run("sed -i 's/KrCERT\\/CC/KrCERT/' %s", at("kr.yaml"));
	tap_ok(pocdir_verify_file(at("kr.yaml"), NULL, at("a.pub"), NULL, 0, E) == -1,
	       "edited file no longer verifies: %s", err.message);
	tap_ok(pocdir_sign_file(at("kr.yaml"), at("a.key"), NULL, now + 86400, &info, E) == 0 &&
	           info.changed == 1 && info.serial == 2026112301ULL,
	       "next day's change: serial becomes YYYYMMDD01 (%llu)",
	       (unsigned long long)info.serial);
	/* A file without updated gets one after serial. */
	run("grep -v '^updated:' %s > %s", at("kr.yaml"), at("kr2.yaml"));
	tap_ok(pocdir_sign_file(at("kr2.yaml"), at("a.key"), NULL, now, &info, E) == 0,
	       "sign a file without updated: %s", err.message);
	text = slurp(at("kr2.yaml"), &len);
	tap_ok(text != NULL &&
	           strstr(text, "# raised by pocdir sign\nupdated: 2026-11-22T10:00:00Z\n") != NULL,
	       "updated inserted after the serial line");
	free(text);
	/* Quoted values are replaced by plain ones; CRLF files stay CRLF. */
	run("sed 's/^serial: .*/serial: \"2026112201\"/; s/^updated: .*/updated: \x27x\x27/' "
	    "%s/tests/sync/kr.yaml > %s",
	    src ? src : ".", at("quoted.yaml"));
	tap_ok(pocdir_sign_file(at("quoted.yaml"), at("a.key"), NULL, now, &info, E) == 0 &&
	           info.serial == 2026112202ULL,
	       "quoted serial raised: %s", err.message);
	text = slurp(at("quoted.yaml"), &len);
	tap_ok(text != NULL &&
	           strstr(text, "\nserial: 2026112202\nupdated: 2026-11-22T10:00:00Z\n"),
	       "quoted serial and updated replaced in place");
	free(text);
	run("grep -v '^updated:' %s/tests/sync/kr.yaml | sed 's/$/\r/' > %s", src ? src : ".",
	    at("crlf.yaml"));
	tap_ok(pocdir_sign_file(at("crlf.yaml"), at("a.key"), NULL, now, &info, E) == 0,
	       "CRLF file signed: %s", err.message);
	text = slurp(at("crlf.yaml"), &len);
	tap_ok(text != NULL &&
	           strstr(text, "sign\r\nupdated: 2026-11-22T10:00:00Z\r\nentries:") != NULL,
	       "inserted updated line ends in CRLF like the others");
	free(text);
	/* An invalid file is not signed. */
	run("printf 'origin: kr\\nserial: 1\\nscope: [KR]\\nentries:\\n  - id: x\\n    country: "
	    "JP\\n' > %s",
	    at("bad.yaml"));
	tap_ok(pocdir_sign_file(at("bad.yaml"), at("a.key"), NULL, now, &info, E) == -1 &&
	           access(at("bad.yaml.minisig"), F_OK) != 0,
	       "invalid file refused, no signature written: %s", err.message);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/pocdir-sign.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_encrypted();
	test_minisign();
	test_sign_file();
	run("rm -rf %s", dir);
	return tap_done();
}
