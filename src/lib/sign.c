/* sign.c - minisign-compatible Ed25519 keys and signatures over libsodium
 * (format: https://jedisct1.github.io/minisign/), and `pocdir sign`: raise an
 * origin file's serial in place and sign it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "abi.h"
#include "load.h"
#include "sign.h"
#include "util.h"
#include "yamldoc.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define SIGALG "Ed"        /* signature over the data itself (legacy) */
#define SIGALG_HASHED "ED" /* signature over BLAKE2b-512 of the data */
#define KDFALG "Sc"        /* scrypt(salsa20/8, sha256) */
#define CHKALG "B2"        /* BLAKE2b-256 checksum */
#define SALT_BYTES 32
#define CHK_BYTES 32
#define HASH_BYTES 64 /* BLAKE2b-512 */
/* Our own encrypted keys: scrypt parameters derived in well under a second
 * (minisign's own are heavier); reading honours whatever the file says, up
 * to MAX_MEMLIMIT. */
#define WRITE_OPSLIMIT 1048576ULL
#define WRITE_MEMLIMIT 33554432ULL
#define MAX_MEMLIMIT (2ULL * 1073741824ULL)

/* Binary layout of the three files, as minisign writes them (packed, no
 * padding: all members are byte arrays). */
struct pubkey_bin {
	uint8_t sig_alg[2];
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	uint8_t pk[SIGN_PK_BYTES];
};

struct keynum_sk {
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	uint8_t sk[SIGN_SK_BYTES];
	uint8_t chk[CHK_BYTES];
};

struct seckey_bin {
	uint8_t sig_alg[2];
	uint8_t kdf_alg[2];
	uint8_t chk_alg[2];
	uint8_t kdf_salt[SALT_BYTES];
	uint8_t kdf_opslimit_le[8];
	uint8_t kdf_memlimit_le[8];
	struct keynum_sk keynum_sk;
};

struct sig_bin {
	uint8_t sig_alg[2];
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	uint8_t sig[SIGN_SIG_BYTES];
};

_Static_assert(sizeof(struct pubkey_bin) == 42, "minisign public key is 42 bytes");
_Static_assert(sizeof(struct seckey_bin) == 158, "minisign secret key is 158 bytes");
_Static_assert(sizeof(struct sig_bin) == 74, "minisign signature is 74 bytes");

static int sodium_ready(pocdir_error *err)
{
	if (sodium_init() < 0)
		return error_set(err, POCDIR_ERR_SYSTEM, "libsodium cannot be initialised");
	return 0;
}

static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void le64_store(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)(v & 0xff);
}

void sign_keyid_hex(const uint8_t keynum[SIGN_KEYNUM_BYTES], char *buf, size_t size)
{
	/* minisign prints the key id as a little-endian 64-bit number. */
	snprintf(buf, size, "%016llX", (unsigned long long)le64_load(keynum));
}

/* One text line of a key or signature file: [*pos, eol), with *pos moved
 * past the newline. A trailing '\r' is dropped. Returns false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *linelen)
{
	size_t start = *pos, end;

	if (start >= len)
		return false;
	for (end = start; end < len && text[end] != '\n'; end++)
		;
	*pos = end < len ? end + 1 : end;
	if (end > start && text[end - 1] == '\r')
		end--;
	*line = text + start;
	*linelen = end - start;
	return true;
}

/* Decode base64 text (standard alphabet, padded) of exactly want bytes. */
static int base64_exact(const char *text, size_t len, void *out, size_t want, const char *what,
                        pocdir_error *err)
{
	size_t got = 0;

	if (sodium_base642bin(out, want, text, len, NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want)
		return error_set(err, POCDIR_ERR_INVALID, "%s is not valid base64 of %zu bytes",
		                 what, want);
	return 0;
}

static char *base64_encode(const void *bin, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(n);

	if (s != NULL)
		sodium_bin2base64(s, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

static bool has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

int sign_pubkey_parse(const char *text, size_t len, struct sign_pubkey *out, pocdir_error *err)
{
	struct pubkey_bin bin;
	const char *line;
	size_t linelen, pos = 0;

	if (sodium_ready(err) == -1)
		return -1;
	if (!next_line(text, len, &pos, &line, &linelen))
		return error_set(err, POCDIR_ERR_INVALID, "public key is empty");
	/* A .pub file starts with its untrusted comment; a bare key does not. */
	if (has_prefix(line, linelen, UNTRUSTED_PREFIX) &&
	    !next_line(text, len, &pos, &line, &linelen))
		return error_set(err, POCDIR_ERR_INVALID, "public key file has no key line");
	if (base64_exact(line, linelen, &bin, sizeof(bin), "public key", err) == -1)
		return -1;
	if (memcmp(bin.sig_alg, SIGALG, 2) != 0)
		return error_set(err, POCDIR_ERR_INVALID,
		                 "public key: unsupported signature algorithm");
	memcpy(out->keynum, bin.keynum, sizeof(out->keynum));
	memcpy(out->pk, bin.pk, sizeof(out->pk));
	return 0;
}

int sign_pubkey_load(const char *spec, struct sign_pubkey *out, pocdir_error *err)
{
	char *text = NULL;
	size_t len;
	int rc;

	/* Base64 may hold '/', so a key and a path look alike: take spec as a
	 * key when no such file exists and it has a key's length. */
	if (access(spec, F_OK) == -1 && errno == ENOENT && strlen(spec) == 56)
		return sign_pubkey_parse(spec, strlen(spec), out, err);
	if (file_read(spec, SIGN_MAX_FILE_BYTES, &text, &len, err) == -1)
		return -1;
	rc = sign_pubkey_parse(text, len, out, err);
	if (rc == -1) {
		pocdir_error inner = *err;
		error_set(err, inner.code, "%s: %s", spec, inner.message);
	}
	free(text);
	return rc;
}

static void seckey_checksum(const struct seckey_bin *bin, uint8_t chk[CHK_BYTES])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, CHK_BYTES);
	crypto_generichash_update(&hs, bin->sig_alg, sizeof(bin->sig_alg));
	crypto_generichash_update(&hs, bin->keynum_sk.keynum, sizeof(bin->keynum_sk.keynum));
	crypto_generichash_update(&hs, bin->keynum_sk.sk, sizeof(bin->keynum_sk.sk));
	crypto_generichash_final(&hs, chk, CHK_BYTES);
}

/* XOR keynum_sk with the scrypt stream of the passphrase: the same operation
 * encrypts and decrypts. */
static int seckey_xor(struct seckey_bin *bin, const char *passphrase, pocdir_error *err)
{
	uint8_t stream[sizeof(struct keynum_sk)];
	uint8_t *p = (uint8_t *)&bin->keynum_sk;
	uint64_t ops = le64_load(bin->kdf_opslimit_le), mem = le64_load(bin->kdf_memlimit_le);

	if (mem > MAX_MEMLIMIT)
		return error_set(err, POCDIR_ERR_LIMIT,
		                 "secret key asks for %llu bytes of scrypt memory, more than %llu",
		                 (unsigned long long)mem, (unsigned long long)MAX_MEMLIMIT);
	if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream), passphrase,
	                                       strlen(passphrase), bin->kdf_salt, ops,
	                                       (size_t)mem) != 0)
		return error_set(err, POCDIR_ERR_SYSTEM,
		                 "cannot derive the key from the passphrase (out of memory?)");
	for (size_t i = 0; i < sizeof(stream); i++)
		p[i] ^= stream[i];
	sodium_memzero(stream, sizeof(stream));
	return 0;
}

void sign_seckey_wipe(struct sign_seckey *sk)
{
	if (sk != NULL)
		sodium_memzero(sk, sizeof(*sk));
}

void sign_seckey_public(const struct sign_seckey *sk, struct sign_pubkey *pk)
{
	memcpy(pk->keynum, sk->keynum, sizeof(pk->keynum));
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

int sign_seckey_parse(const char *text, size_t len, const char *path, const char *passphrase,
                      struct sign_seckey *out, pocdir_error *err)
{
	struct seckey_bin bin;
	uint8_t chk[CHK_BYTES], zero[CHK_BYTES] = {0};
	const char *line;
	size_t linelen, pos = 0;
	bool encrypted;
	int rc = -1;

	memset(&bin, 0, sizeof(bin));
	if (sodium_ready(err) == -1)
		return -1;
	if (!next_line(text, len, &pos, &line, &linelen) ||
	    !has_prefix(line, linelen, UNTRUSTED_PREFIX) ||
	    !next_line(text, len, &pos, &line, &linelen)) {
		error_set(err, POCDIR_ERR_INVALID,
		          "%s: not a minisign secret key (expected an untrusted comment line "
		          "and a base64 line)",
		          path);
		goto out;
	}
	if (base64_exact(line, linelen, &bin, sizeof(bin), "secret key", err) == -1) {
		pocdir_error inner = *err;
		error_set(err, inner.code, "%s: %s", path, inner.message);
		goto out;
	}
	if (memcmp(bin.sig_alg, SIGALG, 2) != 0 || memcmp(bin.chk_alg, CHKALG, 2) != 0) {
		error_set(err, POCDIR_ERR_INVALID, "%s: unsupported key or checksum algorithm",
		          path);
		goto out;
	}
	encrypted = memcmp(bin.kdf_alg, "\0\0", 2) != 0;
	if (encrypted && memcmp(bin.kdf_alg, KDFALG, 2) != 0) {
		error_set(err, POCDIR_ERR_INVALID, "%s: unsupported key derivation algorithm",
		          path);
		goto out;
	}
	if (encrypted) {
		if (passphrase == NULL) {
			error_set(err, POCDIR_ERR_PASSPHRASE,
			          "%s: the secret key is encrypted; give its passphrase "
			          "(POCDIR_PASSPHRASE)",
			          path);
			goto out;
		}
		if (seckey_xor(&bin, passphrase, err) == -1)
			goto out;
	}
	seckey_checksum(&bin, chk);
	/* minisign -W (0.11) leaves the checksum of an unencrypted key zero. */
	if (sodium_memcmp(chk, bin.keynum_sk.chk, CHK_BYTES) != 0 &&
	    (encrypted || sodium_memcmp(zero, bin.keynum_sk.chk, CHK_BYTES) != 0)) {
		error_set(err, POCDIR_ERR_INVALID,
		          encrypted ? "%s: wrong passphrase (key checksum does not match)"
		                    : "%s: key checksum does not match (damaged file?)",
		          path);
		goto out;
	}
	memcpy(out->keynum, bin.keynum_sk.keynum, sizeof(out->keynum));
	memcpy(out->sk, bin.keynum_sk.sk, sizeof(out->sk));
	rc = 0;
out:
	sodium_memzero(&bin, sizeof(bin));
	return rc;
}

int sign_seckey_load(const char *path, const char *passphrase, struct sign_seckey *out,
                     pocdir_error *err)
{
	char *text = NULL;
	size_t len;
	int rc;

	if (file_read(path, SIGN_MAX_FILE_BYTES, &text, &len, err) == -1)
		return -1;
	rc = sign_seckey_parse(text, len, path, passphrase, out, err);
	sodium_memzero(text, len);
	free(text);
	return rc;
}

int sign_keygen(const char *pubpath, const char *secpath, const char *passphrase, pocdir_error *err)
{
	struct seckey_bin sbin;
	struct pubkey_bin pbin;
	char keyid[17], *b64 = NULL, *text = NULL;
	size_t n;
	int rc = -1;

	if (sodium_ready(err) == -1)
		return -1;
	memset(&sbin, 0, sizeof(sbin));
	memcpy(sbin.sig_alg, SIGALG, 2);
	memcpy(sbin.chk_alg, CHKALG, 2);
	randombytes_buf(sbin.keynum_sk.keynum, SIGN_KEYNUM_BYTES);
	memcpy(pbin.sig_alg, SIGALG, 2);
	memcpy(pbin.keynum, sbin.keynum_sk.keynum, SIGN_KEYNUM_BYTES);
	crypto_sign_keypair(pbin.pk, sbin.keynum_sk.sk);
	seckey_checksum(&sbin, sbin.keynum_sk.chk);
	if (passphrase != NULL) {
		memcpy(sbin.kdf_alg, KDFALG, 2);
		randombytes_buf(sbin.kdf_salt, SALT_BYTES);
		le64_store(sbin.kdf_opslimit_le, WRITE_OPSLIMIT);
		le64_store(sbin.kdf_memlimit_le, WRITE_MEMLIMIT);
		if (seckey_xor(&sbin, passphrase, err) == -1)
			goto out;
	}
	sign_keyid_hex(pbin.keynum, keyid, sizeof(keyid));

	if ((b64 = base64_encode(&sbin, sizeof(sbin))) == NULL)
		goto oom;
	n = strlen(b64) + 128;
	if ((text = malloc(n)) == NULL)
		goto oom;
	snprintf(text, n, "%s%s\n%s\n", UNTRUSTED_PREFIX,
	         passphrase != NULL ? "minisign encrypted secret key"
	                            : "minisign secret key (not encrypted)",
	         b64);
	/* mode 0600, never over an existing key, crash-safe */
	if (file_write_atomic_mode(secpath, text, strlen(text), 0600, true, err) == -1)
		goto out;
	sodium_memzero(text, strlen(text));
	free(text);
	free(b64);
	text = NULL;
	if ((b64 = base64_encode(&pbin, sizeof(pbin))) == NULL)
		goto oom;
	n = strlen(b64) + 128;
	if ((text = malloc(n)) == NULL)
		goto oom;
	snprintf(text, n, "%sminisign public key %s\n%s\n", UNTRUSTED_PREFIX, keyid, b64);
	if (file_write_atomic(pubpath, text, strlen(text), err) == -1) {
		unlink(secpath); /* a secret key without its public half is useless */
		goto out;
	}
	rc = 0;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	sodium_memzero(&sbin, sizeof(sbin));
	if (text != NULL)
		sodium_memzero(text, strlen(text));
	free(text);
	free(b64);
	return rc;
}

static bool one_line(const char *s)
{
	return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

int sign_buffer(const struct sign_seckey *sk, const void *data, size_t len, const char *untrusted,
                const char *trusted, char **out, pocdir_error *err)
{
	struct sig_bin sbin;
	uint8_t hash[HASH_BYTES], global[SIGN_SIG_BYTES];
	uint8_t *msg = NULL;
	size_t tlen, n;
	char *b64sig = NULL, *b64global = NULL, *text = NULL;
	int rc = -1;

	if (sodium_ready(err) == -1)
		return -1;
	if (!one_line(untrusted) || !one_line(trusted) ||
	    strlen(trusted) > SIGN_MAX_COMMENT_BYTES || strlen(untrusted) > SIGN_MAX_COMMENT_BYTES)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "a signature comment must be one line of "
		                 "at most %d bytes",
		                 SIGN_MAX_COMMENT_BYTES);
	memcpy(sbin.sig_alg, SIGALG_HASHED, 2);
	memcpy(sbin.keynum, sk->keynum, SIGN_KEYNUM_BYTES);
	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	crypto_sign_detached(sbin.sig, NULL, hash, sizeof(hash), sk->sk);
	/* The global signature binds the trusted comment to the signature. */
	tlen = strlen(trusted);
	if ((msg = malloc(SIGN_SIG_BYTES + tlen)) == NULL)
		goto oom;
	memcpy(msg, sbin.sig, SIGN_SIG_BYTES);
	memcpy(msg + SIGN_SIG_BYTES, trusted, tlen);
	crypto_sign_detached(global, NULL, msg, SIGN_SIG_BYTES + tlen, sk->sk);
	if ((b64sig = base64_encode(&sbin, sizeof(sbin))) == NULL ||
	    (b64global = base64_encode(global, sizeof(global))) == NULL)
		goto oom;
	n = strlen(UNTRUSTED_PREFIX) + strlen(untrusted) + strlen(b64sig) + strlen(TRUSTED_PREFIX) +
	    tlen + strlen(b64global) + 8;
	if ((text = malloc(n)) == NULL)
		goto oom;
	snprintf(text, n, "%s%s\n%s\n%s%s\n%s\n", UNTRUSTED_PREFIX, untrusted, b64sig,
	         TRUSTED_PREFIX, trusted, b64global);
	*out = text;
	rc = 0;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	free(msg);
	free(b64sig);
	free(b64global);
	return rc;
}

/* The four lines of a signature file, decoded. */
struct sig_parsed {
	struct sig_bin bin;
	const char *trusted;
	size_t trusted_len;
	uint8_t global[SIGN_SIG_BYTES];
};

static int sig_parse(const char *text, size_t len, struct sig_parsed *out, pocdir_error *err)
{
	const char *line;
	size_t linelen, pos = 0, plen = strlen(TRUSTED_PREFIX);

	if (len > SIGN_MAX_FILE_BYTES)
		return error_set(err, POCDIR_ERR_LIMIT, "signature file larger than %d bytes",
		                 SIGN_MAX_FILE_BYTES);
	if (!next_line(text, len, &pos, &line, &linelen) ||
	    !has_prefix(line, linelen, UNTRUSTED_PREFIX))
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature: expected an \"untrusted comment:\" line first");
	if (!next_line(text, len, &pos, &line, &linelen) ||
	    base64_exact(line, linelen, &out->bin, sizeof(out->bin), "signature", err) == -1)
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature: line 2 is not a base64 minisign signature");
	if (!next_line(text, len, &pos, &line, &linelen) ||
	    !has_prefix(line, linelen, TRUSTED_PREFIX))
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature: expected a \"trusted comment:\" line 3");
	out->trusted = line + plen;
	out->trusted_len = linelen - plen;
	if (out->trusted_len > SIGN_MAX_COMMENT_BYTES)
		return error_set(err, POCDIR_ERR_LIMIT, "signature: trusted comment too long");
	if (!next_line(text, len, &pos, &line, &linelen) ||
	    base64_exact(line, linelen, out->global, sizeof(out->global), "global signature",
	                 err) == -1)
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature: line 4 is not a base64 global signature");
	return 0;
}

/* Check the key id and the global signature over signature || comment. */
static int sig_check_global(const struct sign_pubkey *pk, const struct sig_parsed *p,
                            struct sign_info *info, pocdir_error *err)
{
	uint8_t *msg;
	char want[17], got[17];
	int ok;

	if (memcmp(p->bin.keynum, pk->keynum, SIGN_KEYNUM_BYTES) != 0) {
		sign_keyid_hex(p->bin.keynum, got, sizeof(got));
		sign_keyid_hex(pk->keynum, want, sizeof(want));
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature made with key %s, expected key %s", got, want);
	}
	if ((msg = malloc(SIGN_SIG_BYTES + p->trusted_len)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	memcpy(msg, p->bin.sig, SIGN_SIG_BYTES);
	memcpy(msg + SIGN_SIG_BYTES, p->trusted, p->trusted_len);
	ok = crypto_sign_verify_detached(p->global, msg, SIGN_SIG_BYTES + p->trusted_len, pk->pk) ==
	     0;
	free(msg);
	if (!ok)
		return error_set(err, POCDIR_ERR_INVALID,
		                 "global signature (over the trusted comment) does not verify");
	if (info != NULL) {
		memcpy(info->keynum, p->bin.keynum, SIGN_KEYNUM_BYTES);
		memcpy(info->trusted_comment, p->trusted, p->trusted_len);
		info->trusted_comment[p->trusted_len] = '\0';
	}
	return 0;
}

int sign_read_trusted(const struct sign_pubkey *pk, const char *sig, size_t siglen,
                      struct sign_info *info, pocdir_error *err)
{
	struct sig_parsed p;

	if (sodium_ready(err) == -1 || sig_parse(sig, siglen, &p, err) == -1)
		return -1;
	return sig_check_global(pk, &p, info, err);
}

int sign_verify_buffer(const struct sign_pubkey *pk, const void *data, size_t len, const char *sig,
                       size_t siglen, struct sign_info *info, pocdir_error *err)
{
	struct sig_parsed p;
	uint8_t hash[HASH_BYTES];
	int ok;

	if (sodium_ready(err) == -1 || sig_parse(sig, siglen, &p, err) == -1)
		return -1;
	if (memcmp(p.bin.sig_alg, SIGALG_HASHED, 2) == 0) {
		crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
		ok = crypto_sign_verify_detached(p.bin.sig, hash, sizeof(hash), pk->pk) == 0;
	} else if (memcmp(p.bin.sig_alg, SIGALG, 2) == 0) {
		ok = crypto_sign_verify_detached(p.bin.sig, data, len, pk->pk) == 0;
	} else {
		return error_set(err, POCDIR_ERR_INVALID, "signature: unknown algorithm");
	}
	/* Report a key mismatch before a bad signature: it is the likelier
	 * mistake and the clearer message. */
	if (memcmp(p.bin.keynum, pk->keynum, SIGN_KEYNUM_BYTES) != 0)
		return sig_check_global(pk, &p, info, err);
	if (!ok)
		return error_set(err, POCDIR_ERR_INVALID,
		                 "signature does not verify: the data was changed or signed "
		                 "by another key");
	return sig_check_global(pk, &p, info, err);
}

/* ---- Signing origin files (pocdir sign) ---------------------------------- */

/* Where a top-level scalar value sits in the file's bytes. */
struct scalar_pos {
	bool found;
	size_t start, end; /* byte offsets of the value as written */
	size_t line_end;   /* offset just past the newline ending its line */
};

/* Byte offset of a libyaml mark: its line and column count characters, so
 * walk UTF-8 from the start of the line rather than trust mark.index. */
static size_t mark_offset(const char *text, size_t len, const yaml_mark_t *m)
{
	size_t off = 0, line = 0, col = 0;

	while (off < len && line < m->line)
		if (text[off++] == '\n')
			line++;
	while (off < len && col < m->column) {
		off++;
		while (off < len && ((unsigned char)text[off] & 0xc0) == 0x80)
			off++; /* continuation bytes belong to the same character */
		col++;
	}
	return off;
}

/* Is the text at pos exactly the scalar value (plain, or in quotes)? Guards
 * the in-place edit against any disagreement about offsets. */
static bool pos_matches(const char *text, const struct scalar_pos *p, const char *value)
{
	size_t n = p->end - p->start, vl = strlen(value);
	const char *s = text + p->start;

	if (n == vl && memcmp(s, value, vl) == 0)
		return true;
	return n == vl + 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0] &&
	       memcmp(s + 1, value, vl) == 0;
}

/* Find the top-level "serial" and "updated" values of an origin file,
 * read as the loader reads it. */
static int find_scalars(const char *path, const char *text, size_t len, struct scalar_pos *serial,
                        char *serial_text, size_t serial_size, struct scalar_pos *updated,
                        pocdir_error *err)
{
	yaml_document_t doc;
	yaml_node_t *root;
	char updated_text[64] = "";
	int rc = -1;

	memset(serial, 0, sizeof(*serial));
	memset(updated, 0, sizeof(*updated));
	if (yamldoc_load_limited(path, text, len, POCDIR_ERR_INVALID, load_yaml_limits(), &doc,
	                         err) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		error_set(err, POCDIR_ERR_INVALID, "%s: no top-level \"serial\" to raise", path);
		goto out;
	}
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(&doc, pair->value);
		struct scalar_pos *p;

		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			continue;
		p = strcmp((const char *)k->data.scalar.value, "serial") == 0    ? serial
		    : strcmp((const char *)k->data.scalar.value, "updated") == 0 ? updated
		                                                                 : NULL;
		if (p == NULL)
			continue;
		p->found = true;
		p->start = mark_offset(text, len, &v->start_mark);
		p->end = mark_offset(text, len, &v->end_mark);
		p->line_end = p->end;
		while (p->line_end < len && text[p->line_end] != '\n')
			p->line_end++;
		if (p->line_end < len)
			p->line_end++;
		snprintf(p == serial ? serial_text : updated_text,
		         p == serial ? serial_size : sizeof(updated_text), "%.*s",
		         (int)v->data.scalar.length, (const char *)v->data.scalar.value);
	}
	if (!serial->found) {
		error_set(err, POCDIR_ERR_INVALID, "%s: no top-level \"serial\" to raise", path);
		goto out;
	}
	if (!pos_matches(text, serial, serial_text) ||
	    (updated->found && !pos_matches(text, updated, updated_text))) {
		error_set(err, POCDIR_ERR_INVALID,
		          "%s: serial or updated is not a simple one-line value; cannot edit it in "
		          "place",
		          path);
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	return rc;
}

/* The text with serial and updated replaced (updated inserted after the
 * serial line when the file has none). Returns a string to free(). */
static char *edit_scalars(const char *text, size_t len, const struct scalar_pos *serial,
                          const char *new_serial, const struct scalar_pos *updated,
                          const char *new_updated, size_t *outlen)
{
	struct {
		size_t start, end;
		char repl[96];
	} edits[2];
	size_t n = 0, o = 0, cap, pos = 0;
	char *out;

	edits[n].start = serial->start;
	edits[n].end = serial->end;
	snprintf(edits[n++].repl, sizeof(edits[0].repl), "%s", new_serial);
	if (updated->found) {
		edits[n].start = updated->start;
		edits[n].end = updated->end;
		snprintf(edits[n++].repl, sizeof(edits[0].repl), "%s", new_updated);
	} else {
		/* The file's own line ending: CRLF files stay CRLF. */
		const char *eol =
		    serial->line_end >= 2 && text[serial->line_end - 2] == '\r' ? "\r\n" : "\n";

		edits[n].start = edits[n].end = serial->line_end;
		snprintf(edits[n++].repl, sizeof(edits[0].repl), "%supdated: %s%s",
		         serial->line_end > 0 && text[serial->line_end - 1] != '\n' ? eol : "",
		         new_updated, eol);
	}
	if (edits[1].start < edits[0].start) {
		edits[0] = edits[1]; /* keep them in file order */
		edits[1].start = serial->start;
		edits[1].end = serial->end;
		snprintf(edits[1].repl, sizeof(edits[1].repl), "%s", new_serial);
	}
	cap = len + sizeof(edits[0].repl) * 2 + 1;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		memcpy(out + o, text + pos, edits[i].start - pos);
		o += edits[i].start - pos;
		memcpy(out + o, edits[i].repl, strlen(edits[i].repl));
		o += strlen(edits[i].repl);
		pos = edits[i].end;
	}
	memcpy(out + o, text + pos, len - pos);
	o += len - pos;
	out[o] = '\0';
	*outlen = o;
	return out;
}

int pocdir_keygen(const char *pubkey_path, const char *seckey_path, const char *passphrase,
                  pocdir_error *err)
{
	error_clear(err);
	if (pubkey_path == NULL || seckey_path == NULL)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "keygen needs a public and a secret key path");
	return sign_keygen(pubkey_path, seckey_path, passphrase, err);
}

static int sign_file(const char *path, const char *seckey_path, const char *passphrase,
                     long long now, pocdir_sign_info *info, pocdir_error *err)
{
	struct sign_seckey sk;
	struct sign_pubkey pk;
	struct scalar_pos serial, updated;
	struct origin_set set;
	struct tm tm;
	time_t t;
	char serial_text[32], new_serial[32], stamp[32], trusted[256], *base;
	char *text = NULL, *edited = NULL, *oldsig = NULL, *sig = NULL, *sigpath = NULL;
	size_t len, edlen, oldlen, n;
	uint64_t old, today, bumped;
	int rc = -1;

	error_clear(err);
	memset(&set, 0, sizeof(set));
	if (path == NULL || seckey_path == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "sign needs a file and a secret key");
	if (sign_seckey_load(seckey_path, passphrase, &sk, err) == -1)
		return -1;
	sign_seckey_public(&sk, &pk);
	sign_keyid_hex(sk.keynum, info->keyid, sizeof(info->keyid));
	n = strlen(path) + 16;
	if ((sigpath = malloc(n)) == NULL)
		goto oom;
	snprintf(sigpath, n, "%s.minisig", path);
	if (file_read(path, LOAD_MAX_FILE_BYTES, &text, &len, err) == -1)
		goto out;
	if (find_scalars(path, text, len, &serial, serial_text, sizeof(serial_text), &updated,
	                 err) == -1)
		goto out;
	old = strtoull(serial_text, NULL, 10);
	info->old_serial = info->serial = old;

	/* Unchanged since its last signature by this key: nothing to do. */
	if (file_read(sigpath, SIGN_MAX_FILE_BYTES, &oldsig, &oldlen, NULL) == 0 &&
	    sign_verify_buffer(&pk, text, len, oldsig, oldlen, NULL, NULL) == 0) {
		if (load_origin_buffer(text, len, path, NULL, &set, NULL, NULL, NULL, err) == -1)
			goto out;
		snprintf(info->origin, sizeof(info->origin), "%s", set.origin.id);
		rc = 0;
		goto out;
	}

	t = now > 0 ? (time_t)now : time(NULL);
	gmtime_r(&t, &tm);
	today = (uint64_t)(tm.tm_year + 1900) * 10000 + (uint64_t)(tm.tm_mon + 1) * 100 +
	        (uint64_t)tm.tm_mday;
	bumped = old + 1 > today * 100 + 1 ? old + 1 : today * 100 + 1;
	snprintf(new_serial, sizeof(new_serial), "%llu", (unsigned long long)bumped);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((edited = edit_scalars(text, len, &serial, new_serial, &updated, stamp, &edlen)) ==
	    NULL)
		goto oom;
	/* Never sign what would not load: the message names file:line:col. */
	if (load_origin_buffer(edited, edlen, path, NULL, &set, NULL, NULL, NULL, err) == -1)
		goto out;
	if (set.origin.serial != bumped) {
		error_set(err, POCDIR_ERR_INVALID, "%s: serial edit did not take (read back %llu)",
		          path, (unsigned long long)set.origin.serial);
		goto out;
	}
	snprintf(info->origin, sizeof(info->origin), "%s", set.origin.id);
	base = strrchr(path, '/');
	snprintf(trusted, sizeof(trusted), "timestamp:%lld\tfile:%s\thashed\torigin:%s\tserial:%s",
	         (long long)t, base != NULL ? base + 1 : path, set.origin.id, new_serial);
	if (sign_buffer(&sk, edited, edlen, "signature from pocdir secret key", trusted, &sig,
	                err) == -1)
		goto out;
	/* File first, signature second: a crash in between leaves a file whose
	 * old signature fails, and the next `pocdir sign` raises it again. */
	if (file_write_atomic(path, edited, edlen, err) == -1 ||
	    file_write_atomic(sigpath, sig, strlen(sig), err) == -1)
		goto out;
	info->serial = bumped;
	info->changed = 1;
	rc = 0;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	sign_seckey_wipe(&sk);
	origin_set_clear(&set);
	free(text);
	free(edited);
	free(oldsig);
	free(sig);
	free(sigpath);
	return rc;
}

int pocdir_sign_file(const char *path, const char *seckey_path, const char *passphrase,
                     long long now, pocdir_sign_info *info, pocdir_error *err)
{
	pocdir_sign_info full = {0};
	int rc = sign_file(path, seckey_path, passphrase, now, &full, err);

	if (info != NULL)
		abi_out(info, &full, sizeof(full), ABI_SIGN_INFO_V1);
	return rc;
}

int pocdir_verify_file(const char *path, const char *sig_path, const char *pubkey, char *trusted,
                       size_t size, pocdir_error *err)
{
	struct sign_pubkey pk;
	struct sign_info info;
	char *data = NULL, *sig = NULL, *own = NULL;
	size_t len, siglen;
	int rc = -1;

	error_clear(err);
	if (path == NULL || pubkey == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "verify needs a file and a public key");
	if (sig_path == NULL) {
		size_t n = strlen(path) + 16;

		if ((own = malloc(n)) == NULL)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		snprintf(own, n, "%s.minisig", path);
		sig_path = own;
	}
	if (sign_pubkey_load(pubkey, &pk, err) == -1 ||
	    file_read(path, LOAD_MAX_FILE_BYTES, &data, &len, err) == -1 ||
	    file_read(sig_path, SIGN_MAX_FILE_BYTES, &sig, &siglen, err) == -1)
		goto out;
	if (sign_verify_buffer(&pk, data, len, sig, siglen, &info, err) == -1) {
		pocdir_error inner = *err;

		error_set(err, inner.code, "%s: %s", path, inner.message);
		goto out;
	}
	if (trusted != NULL && size > 0)
		snprintf(trusted, size, "%s", info.trusted_comment);
	rc = 0;
out:
	free(data);
	free(sig);
	free(own);
	return rc;
}
