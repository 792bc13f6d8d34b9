/* conn.c - client connections: accept, frame LDAPMessages with liblber's
 * Sockbuf and non-blocking ber_get_next, queue output with a cap, and keep
 * every client from stalling the others. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldap.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pocdird.h"
#include "util.h"

/* Connections whose searches run one batch in a turn of the event loop. */
#define RUNNABLE_PER_TURN 16

/* Bytes of answers one connection's new requests may queue in a turn. */
#define OUTPUT_PER_TURN (64 * 1024)

/* Requests read from one connection before the others get their turn. */
#define REQUESTS_PER_TURN 64

struct listener {
	struct watch watch;
	char addr[80];
	bool tls;      /* ldaps:// */
	bool loopback; /* bound to a loopback address */
};

static struct listener listeners[CONFIG_MAX_LISTEN];
static size_t nlisteners;

static struct conn **by_fd; /* indexed by fd */
static size_t by_fd_size;
static unsigned nconns;
static uint64_t next_id = 1;
static struct conn *run_head;        /* connections with search or read work */
static struct conn *run_tail;        /* ... in turn order: new work joins here */
static struct conn *dead;            /* closed, freed at the end of the turn */
static struct admit admission;       /* per-address counts and rates */
static struct log_limit refusal_log; /* refusals logged, rate-limited */

unsigned conn_count(void)
{
	return nconns;
}

static const struct config_limits *limits(void)
{
	return &server_config()->limits;
}

bool conn_output_full(const struct conn *c)
{
	return c->out.len >= limits()->output_queue;
}

static void conn_update_events(struct conn *c)
{
	uint32_t ev = 0;
	bool want_read = !c->closing && !c->bind_pending && !conn_output_full(c) &&
	                 c->nsearches < limits()->max_operations && c->tls_state != TLS_STARTING;

	if (c->tls_state == TLS_HANDSHAKE && !c->closing) {
		/* Only the handshake moves; it says which way it waits. */
		ev = tls_wants_write(c) ? EPOLLOUT : EPOLLIN;
		if (ev != c->events && loop_mod(&c->watch, ev) == 0)
			c->events = ev;
		return;
	}
	if (want_read)
		ev |= EPOLLIN;
	if (c->out.len > 0)
		ev |= EPOLLOUT;
	if (ev != c->events) {
		if (loop_mod(&c->watch, ev) == 0)
			c->events = ev;
	}
	/* liblber's read-ahead may hold whole requests the kernel no longer
	 * reports as readable: let the loop come back for them. */
	if (want_read && ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_DATA_READY, NULL) > 0)
		conn_set_runnable(c, true);
}

bool conn_queue(struct conn *c, const void *data, size_t n)
{
	struct outq *q = &c->out;

	if (c->closing && c->watch.fd < 0)
		return false;
	if (q->start + q->len + n > q->cap) {
		if (q->start > 0) {
			memmove(q->buf, q->buf + q->start, q->len);
			q->start = 0;
		}
		if (q->len + n > q->cap) {
			size_t cap = q->cap ? q->cap : 16384;
			char *nb;

			while (cap < q->len + n)
				cap *= 2;
			nb = realloc(q->buf, cap);
			if (nb == NULL) {
				log_err("conn %llu: out of memory for output",
				        (unsigned long long)c->id);
				conn_close(c, false);
				return false;
			}
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->start + q->len, data, n);
	q->len += n;
	return true;
}

bool conn_queue_ber(struct conn *c, BerElement *ber)
{
	struct berval bv;
	bool ok = false;

	if (ber_flatten2(ber, &bv, 0) == 0)
		ok = conn_queue(c, bv.bv_val, bv.bv_len);
	ber_free(ber, 1);
	return ok;
}

static void conn_free(struct conn *c)
{
	search_free_all(c);
	tls_detach(c);
	if (c->ber != NULL)
		ber_free(c->ber, 1);
	if (c->sb != NULL)
		ber_sockbuf_free(c->sb);
	free(c->out.buf);
	free(c->bound_dn);
	free(c);
}

void conn_close(struct conn *c, bool graceful)
{
	if (c->watch.fd < 0)
		return;
	if (graceful && c->out.len > 0) {
		/* Send what is queued (a result, a notice), then close. */
		c->closing = true;
		search_free_all(c);
		conn_update_events(c);
		return;
	}
	log_debug("conn %llu: closed, %lu operations", (unsigned long long)c->id, c->ops);
	tls_bye(c);
	conn_set_runnable(c, false);
	loop_del(&c->watch);
	if ((size_t)c->watch.fd < by_fd_size)
		by_fd[c->watch.fd] = NULL;
	/* The Sockbuf owns the descriptor: ber_sockbuf_free closes it. */
	ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_SET_FD, &(ber_socket_t){-1});
	close(c->watch.fd);
	c->watch.fd = -1;
	c->closing = true;
	nconns--;
	admit_close(&admission, &c->addr);
	c->run_next = dead;
	dead = c;
}

void conn_flush(struct conn *c)
{
	struct outq *q = &c->out;
	bool was_full = conn_output_full(c);

	if (c->watch.fd < 0)
		return;
	if (c->tls_state == TLS_HANDSHAKE)
		return; /* the handshake writes its own records */
	while (q->len > 0) {
		ssize_t n = c->tls_state == TLS_READY
		                ? tls_send(c, q->buf + q->start, q->len)
		                : send(c->watch.fd, q->buf + q->start, q->len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			log_debug("conn %llu: write: %s", (unsigned long long)c->id,
			          strerror(errno));
			conn_close(c, false);
			return;
		}
		q->start += (size_t)n;
		q->len -= (size_t)n;
		c->last_active = now_monotonic();
	}
	if (q->len == 0) {
		q->start = 0;
		if (q->cap > 256 * 1024) {
			/* Give a burst's memory back; 1,000 idle clients cost little. */
			free(q->buf);
			q->buf = NULL;
			q->cap = 0;
		}
		if (c->closing) {
			conn_close(c, false);
			return;
		}
		if (c->tls_state == TLS_STARTING) {
			/* RFC 4511 4.14.2: the StartTLS response went out in
			 * clear; the next bytes are the client's handshake. */
			if (tls_attach(c) == -1) {
				log_err("conn %llu from %s: cannot start TLS",
				        (unsigned long long)c->id, c->peer);
				conn_close(c, false);
				return;
			}
			conn_read(c);
			return;
		}
	}
	if (was_full && !conn_output_full(c) && search_runnable(c))
		conn_set_runnable(c, true);
	conn_update_events(c);
}

/* Drive the TLS handshake; false when reading cannot go on yet. */
static bool conn_handshake(struct conn *c)
{
	int rc = tls_handshake(c);

	if (rc == -1) {
		/* A failed handshake costs this connection only. */
		conn_close(c, false);
		return false;
	}
	c->last_active = now_monotonic();
	if (rc == 0) {
		conn_update_events(c);
		return false;
	}
	return true;
}

void conn_read(struct conn *c)
{
	if (c->tls_state == TLS_HANDSHAKE && (c->watch.fd < 0 || !conn_handshake(c)))
		return;
	for (unsigned n = 0;; n++) {
		ber_tag_t tag;
		ber_len_t len;
		BerElement *ber;

		if (c->watch.fd < 0 || c->closing || c->bind_pending || conn_output_full(c) ||
		    c->nsearches >= limits()->max_operations || c->tls_state == TLS_STARTING)
			break;
		if (n == REQUESTS_PER_TURN || (n > 0 && c->out.len >= OUTPUT_PER_TURN)) {
			/* A client that never stops sending (abandons cost no
			 * answer), or whose requests already made a turn's worth
			 * of answers, waits for the next turn like everyone else. */
			conn_set_runnable(c, true);
			break;
		}
		if (c->ber == NULL && (c->ber = ber_alloc_t(0)) == NULL) {
			conn_close(c, false);
			return;
		}
		errno = 0;
		tag = ber_get_next(c->sb, &len, c->ber);
		if (tag == LBER_DEFAULT) {
			int e = errno;

			if (e == EAGAIN || e == EWOULDBLOCK)
				break;
			if (e == 0 || e == ECONNRESET || e == EPIPE || e == ENOTCONN) {
				log_debug("conn %llu: end of input", (unsigned long long)c->id);
				conn_close(c, false);
				return;
			}
			/* ERANGE: longer than the PDU limit; EINVAL: bad tag or length. */
			log_info("conn %llu from %s: %s", (unsigned long long)c->id, c->peer,
			         e == ERANGE ? "message exceeds max-pdu-size"
			                     : "undecodable message");
			ldape_disconnect(c, LDAP_PROTOCOL_ERROR,
			                 e == ERANGE ? "message too large" : "undecodable message");
			break;
		}
		if (tag != LDAP_TAG_MESSAGE) {
			ldape_disconnect(c, LDAP_PROTOCOL_ERROR, "not an LDAPMessage");
			break;
		}
		c->last_active = now_monotonic();
		ber = c->ber;
		c->ber = NULL;
		ldape_dispatch(c, ber);
	}
	if (c->watch.fd >= 0) {
		conn_flush(c);
	}
}

static void conn_event(struct watch *w, uint32_t events)
{
	struct conn *c = (struct conn *)w;

	if (c->tls_state == TLS_HANDSHAKE) {
		if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
			conn_close(c, false);
		else
			conn_read(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (c->events & EPOLLIN)
			conn_read(c);
		else if (events & (EPOLLERR | EPOLLHUP))
			conn_close(c, false);
	}
	if (c->watch.fd >= 0 && (events & EPOLLOUT))
		conn_flush(c);
}

/* The table of connections by descriptor, as large as the descriptor limit. */
static int conn_table(void)
{
	struct rlimit rl;
	size_t want = 65536;

	if (by_fd != NULL)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 1024 * 1024)
		want = (size_t)rl.rlim_cur;
	if ((by_fd = calloc(want, sizeof(*by_fd))) == NULL)
		return -1;
	by_fd_size = want;
	return 0;
}

/* The admission limits from the configuration in force. */
static struct admit_limits admission_limits(void)
{
	const struct config_limits *l = limits();
	struct admit_limits a = {
	    .max_total = l->max_connections,
	    .per_address = l->per_address,
	    .rate = l->address_rate,
	    .burst = l->address_rate * 4 < 16 ? 16 : l->address_rate * 4,
	    /* Never more than half: the rest is for the addresses already in. */
	    .reserve = l->reserve < l->max_connections / 2 ? l->reserve : l->max_connections / 2,
	};

	return a;
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(buf, size, "%s:%d", host, port);
}

/* Tell a client we do not take why (RFC 4511 4.4.1, resultCode
 * unavailable), in one non-blocking write, and close. On an LDAPS port the
 * client expects a TLS handshake, not LDAP: there it is only closed. */
static void refuse(int fd, bool tls, const char *why)
{
	BerElement *ber = tls ? NULL : ldape_notice_encode(LDAP_UNAVAILABLE, why);
	struct berval bv;

	if (ber != NULL && ber_flatten2(ber, &bv, 0) == 0)
		(void)send(fd, bv.bv_val, bv.bv_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (ber != NULL)
		ber_free(ber, 1);
	close(fd);
}

/* Make room for a client from an address that holds no connection: close
 * the longest-idle connection of the address that holds the most. Returns
 * false when none can go (all are busy binding). */
static bool evict_for_newcomer(const char *newcomer)
{
	struct admit_key top;
	struct conn *victim = NULL;
	double now = now_monotonic();

	if (!admit_top(&admission, &top))
		return false;
	for (size_t fd = 0; fd < by_fd_size; fd++) {
		struct conn *c = by_fd[fd];

		if (c == NULL || c->bind_pending || memcmp(c->addr.b, top.b, sizeof(top.b)) != 0)
			continue;
		if (victim == NULL || c->last_active < victim->last_active)
			victim = c;
	}
	if (victim == NULL)
		return false;
	if (log_limit_ok(&refusal_log, 10, 60, now, "connection refusals"))
		log_warn("conn %llu from %s: closed after %.0f s idle to make room for %s "
		         "(max-connections %u reached; that address holds %u)",
		         (unsigned long long)victim->id, victim->peer, now - victim->last_active,
		         newcomer, limits()->max_connections, admit_held(&admission, &top));
	ldape_notice(victim, LDAP_UNAVAILABLE, "the server is full; closing an idle connection");
	conn_flush(victim);
	conn_close(victim, false);
	return true;
}

/* The per-address table, made on first use. */
static int admission_table(void)
{
	struct admit_limits al = admission_limits();

	if (admission.buckets != NULL) {
		admit_configure(&admission, &al);
		return 0;
	}
	return admit_init(&admission, &al,
	                  randombytes_random() | (uint64_t)randombytes_random() << 32);
}

struct conn *conn_new(int fd, const struct sockaddr_storage *ss, bool tls, bool loopback)
{
	struct conn *c;
	ber_len_t max = limits()->max_pdu;
	struct admit_key key;
	enum admit_verdict v;
	char peer[64];
	double now = now_monotonic();
	int one = 1,
	    sndbuf = (int)(limits()->output_queue < 4u * 1024 * 1024 ? limits()->output_queue
	                                                             : 4u * 1024 * 1024);

	peer_text(ss, peer, sizeof(peer));
	admit_key_of(ss, &key);
	if (conn_table() == -1 || admission_table() == -1 || (size_t)fd >= by_fd_size)
		v = ADMIT_NO_MEMORY;
	else
		v = admit_check(&admission, &key, now);
	if (v == ADMIT_FULL_EVICT && evict_for_newcomer(peer))
		v = admit_check(&admission, &key, now);
	if (v != ADMIT_OK) {
		if (log_limit_ok(&refusal_log, 10, 60, now, "connection refusals"))
			log_warn("refusing a connection from %s: %s (%u open)", peer,
			         admit_reason(v), nconns);
		refuse(fd, tls, admit_reason(v));
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return NULL;
	}
	c->watch.fd = fd;
	c->watch.fn = conn_event;
	c->id = next_id++;
	c->last_active = c->opened = now;
	c->addr = key;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Without a cap the kernel grows a socket's send buffer to megabytes
	 * for a client that does not read, and we would encode all of it:
	 * output-queue bytes in the kernel, as many in ours, is what a client
	 * that stops reading costs. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->sb = ber_sockbuf_alloc();
	if (c->sb == NULL ||
	    ber_sockbuf_add_io(c->sb, &ber_sockbuf_io_tcp, LBER_SBIOD_LEVEL_PROVIDER, &fd) != 0 ||
	    ber_sockbuf_add_io(c->sb, &ber_sockbuf_io_readahead, LBER_SBIOD_LEVEL_PROVIDER, NULL) !=
	        0 ||
	    ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_SET_NONBLOCK, (void *)1) != 1 ||
	    ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_SET_MAX_INCOMING, &max) != 1 ||
	    loop_add(&c->watch, EPOLLIN) == -1) {
		log_err("conn from %s: cannot set up", c->peer);
		if (c->sb != NULL) {
			ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_SET_FD, &(ber_socket_t){-1});
			ber_sockbuf_free(c->sb);
		}
		close(fd);
		free(c);
		return NULL;
	}
	c->events = EPOLLIN;
	/* RFC 4513 6.3.1: a password in clear is refused where it would cross
	 * a network; loopback is taken as a local channel by default. */
	c->bind_needs_tls = server_config()->bind_tls == BIND_TLS_ALWAYS ||
	                    (server_config()->bind_tls == BIND_TLS_AUTO && !loopback);
	if (tls && tls_attach(c) == -1) {
		log_err("conn from %s: cannot start TLS", c->peer);
		loop_del(&c->watch);
		ber_sockbuf_ctrl(c->sb, LBER_SB_OPT_SET_FD, &(ber_socket_t){-1});
		ber_sockbuf_free(c->sb);
		close(fd);
		free(c);
		return NULL;
	}
	by_fd[fd] = c;
	nconns++;
	if (admit_open(&admission, &c->addr, now) == -1)
		log_warn("conn %llu from %s: not counted per address (out of memory)",
		         (unsigned long long)c->id, c->peer);
	log_debug("conn %llu from %s: opened (%u open)", (unsigned long long)c->id, c->peer,
	          nconns);
	return c;
}

static void listener_event(struct watch *w, uint32_t events)
{
	/* Accept a bounded number per turn so a connection flood cannot starve
	 * the clients already connected. */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", strerror(errno));
			break;
		}
		conn_new(fd, &ss, ((const struct listener *)w)->tls,
		         ((const struct listener *)w)->loopback);
	}
}

int conn_listen(const struct config *cfg, pocdir_error *err)
{
	if (conn_table() == -1)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	for (size_t i = 0; i < cfg->nlisten; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fd, one = 1;
		bool tls;

		if (config_parse_listen(cfg->listen[i], &ss, &len, &tls, err) == -1)
			goto fail;
		if (tls && !tls_configured()) {
			error_set(err, POCDIR_ERR_USAGE, "%s needs tls: certificate and key",
			          cfg->listen[i]);
			goto fail;
		}
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			error_set(err, POCDIR_ERR_SYSTEM, "socket: %s", strerror(errno));
			goto fail;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, 512) == -1) {
			error_set(err, POCDIR_ERR_SYSTEM, "listen on %s: %s", cfg->listen[i],
			          strerror(errno));
			close(fd);
			goto fail;
		}
		listeners[nlisteners].watch.fd = fd;
		listeners[nlisteners].watch.fn = listener_event;
		snprintf(listeners[nlisteners].addr, sizeof(listeners[nlisteners].addr), "%s",
		         cfg->listen[i]);
		listeners[nlisteners].tls = tls;
		listeners[nlisteners].loopback = config_address_loopback(&ss);
		if (loop_add(&listeners[nlisteners].watch, EPOLLIN) == -1) {
			error_set(err, POCDIR_ERR_SYSTEM, "epoll: %s", strerror(errno));
			close(fd);
			goto fail;
		}
		nlisteners++;
		log_info("listening on %s%s", strstr(cfg->listen[i], "://") ? "" : "ldap://",
		         cfg->listen[i]);
	}
	return 0;
fail:
	conn_listen_close();
	return -1;
}

void conn_listen_close(void)
{
	for (size_t i = 0; i < nlisteners; i++) {
		loop_del(&listeners[i].watch);
		close(listeners[i].watch.fd);
	}
	nlisteners = 0;
}

void conn_set_runnable(struct conn *c, bool on)
{
	if (on == c->runnable)
		return;
	if (on) {
		if (c->watch.fd < 0)
			return;
		c->run_next = NULL;
		c->run_prev = run_tail;
		if (run_tail != NULL)
			run_tail->run_next = c;
		else
			run_head = c;
		run_tail = c;
	} else {
		if (c->run_prev != NULL)
			c->run_prev->run_next = c->run_next;
		else
			run_head = c->run_next;
		if (c->run_next != NULL)
			c->run_next->run_prev = c->run_prev;
		else
			run_tail = c->run_prev;
		c->run_next = c->run_prev = NULL;
	}
	c->runnable = on;
}

bool conn_run_searches(void)
{
	struct conn *c, *last = run_tail;
	unsigned n = 0;

	/* Every search yields after a batch (see search_step), and a turn of
	 * the loop runs at most RUNNABLE_PER_TURN connections, in order, those
	 * with work left going to the back: with hundreds of clients that
	 * never stop asking, the sockets are still looked at between every few
	 * batches, so a new client waits for a few batches, not for all. */
	while ((c = run_head) != NULL && n++ < RUNNABLE_PER_TURN) {
		conn_set_runnable(c, false);
		if (c->watch.fd >= 0 && !conn_output_full(c))
			search_run(c);
		if (c->watch.fd >= 0)
			conn_read(c); /* read-ahead data, or reading resumed */
		if (c->watch.fd >= 0 && search_runnable(c) && !conn_output_full(c))
			conn_set_runnable(c, true);
		if (c == last)
			break; /* the rest joined during this turn */
	}
	while (dead != NULL) {
		c = dead;
		dead = c->run_next;
		conn_free(c);
	}
	return run_head != NULL;
}

void conn_sweep(double now)
{
	unsigned idle = limits()->idle_timeout, lifetime = limits()->lifetime;

	for (size_t fd = 0; fd < by_fd_size; fd++) {
		struct conn *c = by_fd[fd];

		if (c != NULL && (c->searches != NULL || c->pages != NULL)) {
			search_expire(c, now);
			conn_flush(c);
			c = by_fd[fd]; /* conn_flush may have closed it */
		}
		if (c != NULL && c->tls_state == TLS_HANDSHAKE && now > c->tls_deadline) {
			log_info("conn %llu from %s: TLS handshake not done in %ds, closing",
			         (unsigned long long)c->id, c->peer, TLS_HANDSHAKE_TIMEOUT);
			conn_close(c, false);
			continue;
		}
		if (c != NULL && now - c->last_active > idle && !c->bind_pending) {
			log_debug("conn %llu from %s: idle for %us, closing",
			          (unsigned long long)c->id, c->peer, idle);
			conn_close(c, false);
			continue;
		}
		/* A request now and then keeps a connection from going idle;
		 * its lifetime still ends, once its searches are answered (or
		 * a time limit after, whatever it does). */
		if (c != NULL && !c->closing && lifetime > 0 && now - c->opened > lifetime &&
		    ((c->nsearches == 0 && !c->bind_pending) ||
		     now - c->opened > lifetime + limits()->time_limit)) {
			log_debug("conn %llu from %s: open for %us (connection-lifetime), closing",
			          (unsigned long long)c->id, c->peer, lifetime);
			ldape_disconnect(c, LDAP_UNAVAILABLE,
			                 "connection lifetime reached; reconnect");
		}
	}
	if (admission.buckets != NULL)
		admit_sweep(&admission, now);
	while (dead != NULL) {
		struct conn *c = dead;

		dead = c->run_next;
		conn_free(c);
	}
}

struct conn *conn_find(uint64_t id)
{
	for (size_t fd = 0; fd < by_fd_size; fd++)
		if (by_fd[fd] != NULL && by_fd[fd]->id == id)
			return by_fd[fd];
	return NULL;
}

void conn_close_all(void)
{
	for (size_t fd = 0; fd < by_fd_size; fd++) {
		struct conn *c = by_fd[fd];

		if (c == NULL)
			continue;
		/* RFC 4511 4.4.1: tell the client why (best effort: one
		 * non-blocking write), then close. */
		if (!c->closing) {
			ldape_notice(c, LDAP_UNAVAILABLE, "pocdird is shutting down");
			conn_flush(c);
		}
		if (c->watch.fd >= 0)
			conn_close(c, false);
	}
	while (dead != NULL) {
		struct conn *c = dead;

		dead = c->run_next;
		conn_free(c);
	}
	free(by_fd);
	by_fd = NULL;
	by_fd_size = 0;
	admit_free(&admission);
}
