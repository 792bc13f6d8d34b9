/* exchange.h - pocdird's exchange schedule: a ping round to every PoC each
 * "ping: interval:" seconds and the mailbox read for replies in between,
 * over the snapshot the daemon serves. Off unless ping: interval is set. */
#ifndef POCDIRD_EXCHANGE_H
#define POCDIRD_EXCHANGE_H

#include "pocdird.h"
#include "source.h"

/* Start the thread (after daemonising). Returns 0 (also when no schedule
 * is configured) or -1 with err (a mail: section that does not load). */
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

#endif /* POCDIRD_EXCHANGE_H */
