/* fuzz_server.c - server.c's snapshot, configuration and clock for the
 * harnesses that run pocdird's code (fuzz_ldap, fuzz_api): the harness
 * serves one fixed snapshot, so a new source is ignored. */
#include "config.h"

#include <time.h>

#include "fuzz_server.h"

struct store *fuzz_live;
struct config fuzz_current;

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct store *server_store(void)
{
	return store_ref(fuzz_live);
}

void server_set_source(struct source *src)
{
	(void)src; /* the harness serves one fixed snapshot */
}

const struct config *server_config(void)
{
	return &fuzz_current;
}

struct config *server_config_edit(void)
{
	return &fuzz_current;
}
