/* fuzz_config.c - fuzz harness: a pocdird configuration file through the
 * daemon's reader (config.c) and the library's sync: section reader. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "pocdird.h"

/* Both readers take a path, as the daemon does: one scratch file, rewritten
 * for every input. */
static char path[4096];

static void remove_scratch(void)
{
	unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/pocdir-fuzz-config-XXXXXX", dir != NULL ? dir : "/tmp");
	if ((fd = mkstemp(path)) == -1)
		fuzz_fail(__FILE__, __LINE__, "cannot make a scratch file");
	close(fd);
	atexit(remove_scratch);
	log_init(true, LOG_LEVEL_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	pocdir_error err;
	pocdir_sync_config *sc;
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return 0;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	if (fclose(f) != 0)
		return 0;
	FUZZ_ASSERT(config_defaults(&c, &err) == 0);
	if (config_load(&c, path, &err) == 0) {
		FUZZ_ASSERT(c.nlisten <= CONFIG_MAX_LISTEN);
		FUZZ_ASSERT(c.nbinds <= CONFIG_MAX_BINDS);
	} else {
		FUZZ_ASSERT(err.message[0] != '\0');
	}
	config_clear(&c);
	sc = pocdir_sync_config_load(path, &err);
	pocdir_sync_config_free(&sc);
	return 0;
}
