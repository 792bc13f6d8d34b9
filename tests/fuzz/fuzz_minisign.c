/* fuzz_minisign.c - fuzz harness: the text of a minisign file as a public
 * key, a secret key and a signature over a fixed message (with the key that
 * made the seed signatures, so a seed gets through both checks). */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "sign.h"

/* The signatures in tests/fuzz/corpus/minisign were made with this key over
 * MESSAGE (minisign -S -t "timestamp:1 file:msg", and -l for the legacy one). */
#define FUZZ_PUBKEY "RWRzqjl2u3/g5qHZEC6tYFu7GvbvdcPsTofjXpjO9ZGOPb6M15tjeMtd"
#define MESSAGE "pocdir fuzz message\n"

static struct sign_pubkey key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pocdir_error err;

	(void)argc;
	(void)argv;
	if (sign_pubkey_parse(FUZZ_PUBKEY, strlen(FUZZ_PUBKEY), &key, &err) == -1)
		fuzz_fail(__FILE__, __LINE__, err.message);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sign_pubkey pk;
	struct sign_seckey sk;
	struct sign_info info;
	pocdir_error err;

	if (sign_pubkey_parse(text, size, &pk, &err) == 0) {
		char id[17];

		sign_keyid_hex(pk.keynum, id, sizeof(id));
		FUZZ_ASSERT(strlen(id) == 16);
	}
	/* No passphrase: an encrypted key stops before scrypt, which would
	 * cost the fuzzer a second per input. */
	if (sign_seckey_parse(text, size, "fuzz.key", NULL, &sk, &err) == 0) {
		sign_seckey_public(&sk, &pk);
		sign_seckey_wipe(&sk);
	}
	if (sign_read_trusted(&key, text, size, &info, &err) == 0)
		FUZZ_ASSERT(strlen(info.trusted_comment) <= SIGN_MAX_COMMENT_BYTES);
	if (sign_verify_buffer(&key, MESSAGE, strlen(MESSAGE), text, size, &info, &err) == 0)
		FUZZ_ASSERT(strlen(info.trusted_comment) <= SIGN_MAX_COMMENT_BYTES);
	return 0;
}
