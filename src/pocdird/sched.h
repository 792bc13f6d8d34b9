/* sched.h - pocdird's scheduled work: the sync side (the per-peer sync
 * schedule, a thread; the HTTP server of this node's feed, libmicrohttpd;
 * the store built from the local directory plus the sets accepted from
 * peers), off unless the configuration file has a "sync:" section; and the
 * exchange rounds (exchange.c), off unless it sets "ping: interval:". */
#ifndef POCDIRD_SCHED_H
#define POCDIRD_SCHED_H

#include "pocdird.h"
#include "source.h"

/* How to build the snapshots to serve for c (the library's snapshot source
 * builds them): with a sync: section, the local files are first recorded
 * in the state directory and the feed republished, then the snapshot is
 * built from the local files and the newest accepted set of every origin;
 * without, from the files alone. starting: the daemon is starting (else a
 * reload, which keeps the way the daemon started until a restart). spec
 * points into c and into *hold, a configuration to free with
 * pocdir_sync_config_free after the build. 0, or -1 with err. */
int sched_spec(const struct config *c, bool starting, struct source_spec *spec,
               pocdir_sync_config **hold, pocdir_error *err);

/* Start the feed's HTTP server and the sync thread (after daemonising: a
 * fork would lose the threads). After a commit the thread rebuilds through
 * src, which swaps the new snapshot in. Returns 0 (also when sync is not
 * configured) or -1. */
int sched_start(const struct config *c, struct source *src, pocdir_error *err);

/* After SIGHUP (the event loop's thread): read the sync: section again.
 * New peers, trusted origins and limits apply from the sync thread's next
 * turn; a new feed-listen address restarts the feed's HTTP server. Adding
 * or removing the whole section takes a restart (logged). */
void sched_reload(const struct config *c);

/* Stop the thread and the HTTP server; safe to call when never started. */
void sched_stop(void);

/* ---- http.c --------------------------------------------------------------- */

/* Serve the feed folder dir on addr ("127.0.0.1:8080") over HTTP/1.1 with
 * ETag (SHA-256 of the file), Last-Modified and 304 answers. 0 or -1. */
int http_start(const char *addr, const char *dir, pocdir_error *err);
void http_stop(void);

/* ---- exchange.c: the exchange rounds ------------------------------------------ */

/* A ping round to every PoC each "ping: interval:" seconds and the mailbox
 * read for replies in between, over the snapshot the daemon serves; off
 * unless ping: interval is set. Start the thread (after daemonising).
 * Returns 0 (also when no schedule is configured) or -1 with err (a mail:
 * section that does not load). */
int exchange_start(const struct config *c, struct source *src, pocdir_error *err);

/* After SIGHUP: the mail:, ping: and notify: sections again, from the
 * thread's next turn. Starting or stopping the schedule takes a restart. */
void exchange_reload(const struct config *c);

/* Stop the thread; safe when never started. */
void exchange_stop(void);

/* When the next round is due: a round interval seconds after the newest
 * one recorded (last, 0 = none), or first_delay seconds from now when
 * none is recorded or the due time is past. Pure, for the tests. */
long long exchange_next_round(long long now, long long last, unsigned interval,
                              unsigned first_delay);

#endif /* POCDIRD_SCHED_H */
