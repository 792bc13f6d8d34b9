/* exchange.c - pocdird's exchange schedule: one thread sends a ping round to
 * every PoC when it is due (ping: interval after the newest round recorded,
 * so a restart does not ping everyone again) and reads the mailbox for
 * replies to pings and notifications every interval / 24 seconds. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "util.h"

/* Seconds after start before the first round when none is recorded, so a
 * daemon that fails to start does not mail anyone. */
#define FIRST_ROUND_DELAY 10

static pocdir_mail_config *cfg, *pending_cfg; /* pending: guarded by lock */
static struct source *source;
static pthread_t thread;
static atomic_bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static bool stopping;

long long exchange_next_round(long long now, long long last, unsigned interval,
                              unsigned first_delay)
{
	long long due = last + (long long)interval;

	return last == 0 || due <= now ? now + first_delay : due;
}

static void on_event(const pocdir_mail_event *ev, void *ctx)
{
	const char *entry = ev->entry != NULL ? ev->entry : "-";

	(void)ctx;
	switch (ev->kind) {
	case POCDIR_MAIL_SENT:
		log_debug("ping: %s <%s>: sent [%s]", entry, ev->address, ev->token);
		break;
	case POCDIR_MAIL_SEND_FAILED:
		log_warn("ping: %s <%s>: not sent: %s", entry, ev->address ? ev->address : "-",
		         ev->message);
		break;
	case POCDIR_MAIL_NO_ADDRESS:
		log_debug("ping: %s: skipped: %s", entry, ev->message);
		break;
	case POCDIR_MAIL_ANSWER:
		log_info("mail: %s answered [%s] from %s", entry, ev->token,
		         ev->address ? ev->address : "-");
		break;
	case POCDIR_MAIL_KNOWN:
		break;
	case POCDIR_MAIL_REFUSED:
		log_warn("mail: message UID %lu refused: %s", ev->uid, ev->message);
		break;
	}
}

/* The newest ping round recorded in the state, 0 when none. */
static long long last_round(const char *state)
{
	pocdir_exchange *x;
	pocdir_error err = {0};
	long long last = 0;
	int n = pocdir_exchange_list(state, POCDIR_EXCHANGE_PING, &x, &err);

	for (int i = 0; i < n; i++)
		if (x[i].sent > last)
			last = x[i].sent;
	pocdir_exchange_list_free(&x);
	return last;
}

static unsigned fetch_period(unsigned interval)
{
	unsigned p = interval / 24;

	return p < 2 ? 2 : p > 3600 ? 3600 : p;
}

static void *exchange_thread(void *arg)
{
	long long next_round, next_fetch;

	(void)arg;
	next_round =
	    exchange_next_round((long long)time(NULL), last_round(pocdir_mail_config_state(cfg)),
	                        pocdir_mail_config_ping_interval(cfg), FIRST_ROUND_DELAY);
	next_fetch = (long long)time(NULL) + fetch_period(pocdir_mail_config_ping_interval(cfg));
	pthread_mutex_lock(&lock);
	while (!stopping) {
		long long now = (long long)time(NULL);
		pocdir_mail_report rep = {0};
		pocdir_error err = {0};

		if (pending_cfg != NULL) {
			pocdir_mail_config_free(&cfg);
			cfg = pending_cfg;
			pending_cfg = NULL;
			log_info("ping: reloaded: a round every %u s",
			         pocdir_mail_config_ping_interval(cfg));
		}
		if (now < next_round && now < next_fetch) {
			struct timespec until;

			/* The wall clock: rounds are due at dates, and a wait of at
			 * most a minute notices a clock that jumped. */
			until.tv_sec = (time_t)(next_round < next_fetch ? next_round : next_fetch);
			if (until.tv_sec > now + 60)
				until.tv_sec = (time_t)(now + 60);
			until.tv_nsec = 0;
			pthread_cond_timedwait(&wake, &lock, &until);
			continue;
		}
		pthread_mutex_unlock(&lock);
		if (now >= next_round) {
			/* A handle over the daemon's own source: the round sees
			 * exactly the contacts that are being served. */
			pocdir *view = source_handle(source);

			if (view == NULL)
				error_set(&err, POCDIR_ERR_SYSTEM, "out of memory");
			if ((view == NULL || pocdir_ping_send(cfg, view, NULL, NULL, 0, on_event,
			                                      NULL, &rep, &err) < 0) &&
			    rep.sent == 0)
				log_warn("ping: round not sent: %s", err.message);
			else
				log_info("ping: round sent: %u checks, %u failed, %u without an "
				         "address",
				         rep.sent, rep.failed, rep.no_address);
			pocdir_free(&view);
			next_round = now + pocdir_mail_config_ping_interval(cfg);
		}
		if (now >= next_fetch) {
			if (pocdir_mail_fetch(cfg, 0, on_event, NULL, &rep, &err) == -1)
				log_warn("mail: replies not read: %s", err.message);
			else if (rep.answers > 0 || rep.refused > 0)
				log_info("mail: %u messages read: %u new answers, %u refused",
				         rep.messages, rep.answers, rep.refused);
			next_fetch = (long long)time(NULL) +
			             fetch_period(pocdir_mail_config_ping_interval(cfg));
		}
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int exchange_start(const struct config *c, struct source *src, pocdir_error *err)
{
	if (c->file == NULL)
		return 0;
	if ((cfg = pocdir_mail_config_load(c->file, err)) == NULL)
		return -1;
	if (pocdir_mail_config_ping_interval(cfg) == 0) {
		pocdir_mail_config_free(&cfg);
		return 0;
	}
	source = src;
	pthread_cond_init(&wake, NULL);
	stopping = false;
	if (pthread_create(&thread, NULL, exchange_thread, NULL) != 0) {
		pocdir_mail_config_free(&cfg);
		return error_set(err, POCDIR_ERR_SYSTEM, "ping: cannot start the ping thread");
	}
	atomic_store(&running, true);
	log_info("ping: a round every %u s, replies read every %u s, state %s",
	         pocdir_mail_config_ping_interval(cfg),
	         fetch_period(pocdir_mail_config_ping_interval(cfg)),
	         pocdir_mail_config_state(cfg));
	return 0;
}

void exchange_reload(const struct config *c)
{
	pocdir_mail_config *next;
	pocdir_error err = {0};

	if (!atomic_load(&running) || c->file == NULL)
		return;
	if ((next = pocdir_mail_config_load(c->file, &err)) == NULL) {
		log_err("ping: reload: %s; the previous mail settings stay", err.message);
		return;
	}
	if (pocdir_mail_config_ping_interval(next) == 0) {
		log_warn("ping: reload: ping: interval is now 0; stopping the rounds takes a "
		         "restart");
		pocdir_mail_config_free(&next);
		return;
	}
	pthread_mutex_lock(&lock);
	pocdir_mail_config_free(&pending_cfg);
	pending_cfg = next;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

void exchange_stop(void)
{
	if (atomic_load(&running)) {
		pthread_mutex_lock(&lock);
		stopping = true;
		pthread_cond_signal(&wake);
		pthread_mutex_unlock(&lock);
		pthread_join(thread, NULL);
		atomic_store(&running, false);
		pthread_cond_destroy(&wake);
	}
	pocdir_mail_config_free(&pending_cfg);
	pocdir_mail_config_free(&cfg);
	source = NULL;
}
