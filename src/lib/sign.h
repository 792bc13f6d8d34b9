/* sign.h - minisign-compatible Ed25519 keys and signatures (libsodium): key
 * files, "hashed" signatures over BLAKE2b-512 of a file, and their checks. */
#ifndef POCDIR_SIGN_H
#define POCDIR_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocdir.h"

#define SIGN_KEYNUM_BYTES 8
#define SIGN_PK_BYTES 32
#define SIGN_SK_BYTES 64
#define SIGN_SIG_BYTES 64
/* A signature or key file is a few hundred bytes; anything much larger is
 * not one. */
#define SIGN_MAX_FILE_BYTES 4096
#define SIGN_MAX_COMMENT_BYTES 1024

/* A public key: the 8-byte key id minisign prints and the Ed25519 key. */
struct sign_pubkey {
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	uint8_t pk[SIGN_PK_BYTES];
};

/* A decrypted secret key. Wipe it with sign_seckey_wipe when done. */
struct sign_seckey {
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	uint8_t sk[SIGN_SK_BYTES]; /* libsodium layout: seed || public key */
};

/* Parse a public key: the text of a minisign .pub file (comment line, then
 * base64) or the bare base64 string minisign -P takes. */
int sign_pubkey_parse(const char *text, size_t len, struct sign_pubkey *out, pocdir_error *err);

/* Read a public key file, or take spec itself when it is a base64 key. */
int sign_pubkey_load(const char *spec, struct sign_pubkey *out, pocdir_error *err);

/* The key id as minisign shows it ("6D3742398C201403"); buf >= 17 bytes. */
void sign_keyid_hex(const uint8_t keynum[SIGN_KEYNUM_BYTES], char *buf, size_t size);

/* The public half of a secret key. */
void sign_seckey_public(const struct sign_seckey *sk, struct sign_pubkey *pk);

/* Read a minisign secret key file. An encrypted key (kdf "Sc", scrypt) needs
 * passphrase; an unencrypted one (kdf 0, minisign -W) ignores it. The
 * BLAKE2b-256 checksum over sig_alg || key id || sk is verified. */
int sign_seckey_load(const char *path, const char *passphrase, struct sign_seckey *out,
                     pocdir_error *err);

/* As sign_seckey_load on the text of a key file (path is what messages
 * call it). */
int sign_seckey_parse(const char *text, size_t len, const char *path, const char *passphrase,
                      struct sign_seckey *out, pocdir_error *err);
void sign_seckey_wipe(struct sign_seckey *sk);

/* Make a key pair and write pubpath (0644) and secpath (0600, refused when
 * it exists). passphrase NULL writes an unencrypted key (as minisign -W). */
int sign_keygen(const char *pubpath, const char *secpath, const char *passphrase,
                pocdir_error *err);

/* Sign data: *out receives the text of a .minisig file (free() it):
 * untrusted comment, base64("ED" || key id || Ed25519(BLAKE2b-512(data))),
 * trusted comment, base64(Ed25519(signature || trusted comment)). The
 * comments must be one line each. */
int sign_buffer(const struct sign_seckey *sk, const void *data, size_t len, const char *untrusted,
                const char *trusted, char **out, pocdir_error *err);

/* What a verified signature said. */
struct sign_info {
	uint8_t keynum[SIGN_KEYNUM_BYTES];
	char trusted_comment[SIGN_MAX_COMMENT_BYTES + 1];
};

/* Read the trusted comment of a signature and check only its global
 * signature (not the data): lets `pocdir sign` trust the serial recorded in
 * an old signature of a file that has since changed. */
int sign_read_trusted(const struct sign_pubkey *pk, const char *sig, size_t siglen,
                      struct sign_info *info, pocdir_error *err);

/* Verify sig (the text of a .minisig file) over data with pk: the key ids
 * must match, the data signature ("ED": over BLAKE2b-512 of data; legacy
 * "Ed": over data) and the global signature over the trusted comment must
 * both hold. info may be NULL. Returns 0, or -1 with POCDIR_ERR_INVALID. */
int sign_verify_buffer(const struct sign_pubkey *pk, const void *data, size_t len, const char *sig,
                       size_t siglen, struct sign_info *info, pocdir_error *err);

#endif /* POCDIR_SIGN_H */
