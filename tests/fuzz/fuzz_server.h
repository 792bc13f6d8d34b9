/* fuzz_server.h - what src/pocdird/server.c gives the daemon, for the
 * harnesses that drive pocdird's own code: one fixed snapshot and one
 * configuration, which the harness fills before the first input. */
#ifndef POCDIR_FUZZ_SERVER_H
#define POCDIR_FUZZ_SERVER_H

#include "pocdird.h"

/* The snapshot server_store() hands out (the harness loads it) and the
 * configuration server_config() answers with (the harness sets it). */
extern struct store *fuzz_live;
extern struct config fuzz_current;

#endif /* POCDIR_FUZZ_SERVER_H */
