/* fuzz_ldap.c - fuzz harness: bytes a client sends to pocdird, through the
 * daemon's own connection code (conn.c: framing with liblber, the output
 * queue; tls.c, whose StartTLS is refused as no certificate is configured)
 * and operations (ldape.c, ldap_search.c, bind.c, rootdse.c, schema.c) over
 * a socketpair. In place of server.c: a loop over poll(2) instead of
 * epoll, and (in fuzz_server.c) the sample directory as the live snapshot
 * and a configuration with one bind DN (a cheap argon2id hash, so
 * the authenticated paths are reached too). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_server.h"
#include "pocdird.h"
#include "util.h"

/* The captured sessions in tests/fuzz/corpus/ldap bind with this. */
#define FUZZ_BIND_DN "cn=reader,dc=pocdir"
#define FUZZ_BIND_PASSWORD "fuzz-secret"

/* Turns of the loop one input may take before it is cut off. */
#define MAX_TURNS 20000

#define MAX_WATCHES 16

/* Descriptors: the harness's few, libFuzzer's and one socketpair. */
#define FUZZ_MAX_FDS 64

static struct watch *watches[MAX_WATCHES];
static uint32_t watch_events[MAX_WATCHES];
static size_t nwatches;

/* ---- server.c's event loop, over poll(2) ------------------------------------ */

int loop_add(struct watch *w, uint32_t events)
{
	if (nwatches == MAX_WATCHES) {
		errno = ENOSPC;
		return -1;
	}
	watches[nwatches] = w;
	watch_events[nwatches++] = events;
	return 0;
}

int loop_mod(struct watch *w, uint32_t events)
{
	for (size_t i = 0; i < nwatches; i++)
		if (watches[i] == w) {
			watch_events[i] = events;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

void loop_del(struct watch *w)
{
	for (size_t i = 0; i < nwatches; i++)
		if (watches[i] == w) {
			watches[i] = watches[nwatches - 1];
			watch_events[i] = watch_events[nwatches - 1];
			nwatches--;
			return;
		}
}

/* ---- the harness ------------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rlimit rl = {.rlim_cur = FUZZ_MAX_FDS, .rlim_max = FUZZ_MAX_FDS};
	char hash[crypto_pwhash_STRBYTES];
	pocdir_error err;

	(void)argc;
	(void)argv;
	/* A small descriptor table: conn.c sizes its own by it, and walks
	 * it to find a connection (every turn) and to sweep (every input). */
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur > FUZZ_MAX_FDS)
		rl.rlim_cur = FUZZ_MAX_FDS;
	setrlimit(RLIMIT_NOFILE, &rl);
	log_init(true, getenv("FUZZ_LDAP_DEBUG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
	if (sodium_init() < 0 || config_defaults(&fuzz_current, &err) == -1)
		fuzz_fail(__FILE__, __LINE__, "cannot initialise");
	/* Smaller than the defaults, so the limits are reached by short inputs. */
	fuzz_current.limits.max_pdu = 64 * 1024;
	fuzz_current.limits.max_results = 50;
	fuzz_current.limits.output_queue = 16 * 1024;
	fuzz_current.limits.batch = 8;
	fuzz_current.limits.max_operations = 4;
	fuzz_current.limits.max_pages = 2;
	/* One connection per input: conn.c's per-address table is sized by
	 * this and made, swept and freed for every input (4096 slots at the
	 * default of 1024, 1024 here). */
	fuzz_current.limits.max_connections = 16;
	if (crypto_pwhash_str(hash, FUZZ_BIND_PASSWORD, strlen(FUZZ_BIND_PASSWORD),
	                      crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0 ||
	    (fuzz_current.binds[0].dn = str_dup(FUZZ_BIND_DN)) == NULL ||
	    (fuzz_current.binds[0].dn_norm = dn_normalize(FUZZ_BIND_DN, strlen(FUZZ_BIND_DN))) ==
	        NULL ||
	    (fuzz_current.binds[0].hash = str_dup(hash)) == NULL)
		fuzz_fail(__FILE__, __LINE__, "cannot set up the bind DN");
	fuzz_current.nbinds = 1;
	if (special_check_base(fuzz_current.base) == -1 || schema_init() == -1)
		fuzz_fail(__FILE__, __LINE__, "cannot build the special entries");
	fuzz_live = store_load(POCDIR_SOURCE_DIRECTORY, fuzz_current.base, NULL, NULL, &err);
	if (fuzz_live == NULL)
		fuzz_fail(__FILE__, __LINE__, err.message);
	if (bind_worker_start(&err) == -1)
		fuzz_fail(__FILE__, __LINE__, err.message);
	return 0;
}

/* One turn: hand every watch the events poll(2) reports for it. Returns the
 * number of watches that had events. */
static int loop_turn(int timeout_ms)
{
	struct pollfd pfd[MAX_WATCHES];
	struct watch *w[MAX_WATCHES];
	size_t n = nwatches;
	int ready, fired = 0;

	for (size_t i = 0; i < n; i++) {
		w[i] = watches[i];
		pfd[i].fd = watches[i]->fd;
		pfd[i].events = (short)(((watch_events[i] & EPOLLIN) ? POLLIN : 0) |
		                        ((watch_events[i] & EPOLLOUT) ? POLLOUT : 0));
		pfd[i].revents = 0;
	}
	ready = poll(pfd, n, timeout_ms);
	for (size_t i = 0; ready > 0 && i < n; i++) {
		uint32_t ev = 0;
		bool present = false;

		if (pfd[i].revents == 0)
			continue;
		/* An earlier callback of this turn may have removed it. */
		for (size_t k = 0; k < nwatches; k++)
			present = present || watches[k] == w[i];
		if (!present)
			continue;
		ev |= (pfd[i].revents & POLLIN) ? EPOLLIN : 0;
		ev |= (pfd[i].revents & POLLOUT) ? EPOLLOUT : 0;
		ev |= (pfd[i].revents & POLLERR) ? EPOLLERR : 0;
		ev |= (pfd[i].revents & POLLHUP) ? EPOLLHUP : 0;
		w[i]->fn(w[i], ev);
		fired++;
	}
	return fired;
}

/* Bytes of the first LDAPMessage in data (its BER header and contents), or
 * size when they do not frame as one. */
static size_t message_length(const uint8_t *data, size_t size)
{
	struct berval bv = {.bv_len = size, .bv_val = (char *)data};
	BerElement *ber = ber_init(&bv);
	ber_len_t len = 0, remaining = 0;
	size_t n = size;

	if (ber == NULL)
		return size;
	if (ber_skip_tag(ber, &len) != LBER_DEFAULT &&
	    ber_get_option(ber, LBER_OPT_BER_REMAINING_BYTES, &remaining) == LBER_OPT_SUCCESS &&
	    len <= remaining)
		n = size - remaining + len;
	ber_free(ber, 1);
	return n;
}

/* The input's first byte says how the client sends the rest: bit 0 set,
 * everything at once (pipelined requests); clear, one LDAPMessage at a time,
 * each once the server has answered the one before, as ldapsearch does. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss = {.ss_family = AF_UNIX};
	struct conn *c;
	char sink[65536];
	size_t sent = 0, until = 0;
	bool shut = false, pipelined;
	uint64_t id;
	int sv[2];

	if (size == 0)
		return 0;
	pipelined = (data[0] & 1) != 0;
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == -1)
		return 0;
	if ((c = conn_new(sv[0], &ss, false, true)) == NULL) {
		close(sv[1]);
		return 0;
	}
	id = c->id;
	/* The client reads every answer, and closes its side when it has
	 * nothing more to say; the server side ends when it closes. */
	for (unsigned turn = 0; turn < MAX_TURNS && conn_count() > 0; turn++) {
		bool busy, quiet, waiting;
		ssize_t n;

		if (sent < until) {
			n = send(sv[1], data + sent, until - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = until = size;
		}
		if (sent == size && !shut) {
			shutdown(sv[1], SHUT_WR);
			shut = true;
		}
		quiet = true;
		while ((n = recv(sv[1], sink, sizeof(sink), 0)) > 0)
			quiet = false;
		busy = conn_run_searches();
		c = conn_find(id);
		waiting = c != NULL && c->bind_pending;
		/* A bind waits for the password thread: only then wait. */
		if (loop_turn(waiting && !busy ? 5 : 0) > 0 || busy || waiting)
			quiet = false;
		if (sent == until && until < size && (pipelined || quiet))
			until =
			    pipelined ? size : until + message_length(data + until, size - until);
	}
	conn_sweep(now_monotonic());
	conn_close_all();
	close(sv[1]);
	return 0;
}
