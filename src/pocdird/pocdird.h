/* pocdird.h - the daemon's private interfaces: configuration, the event loop,
 * connections and the LDAP operations that run on them. */
#ifndef POCDIRD_H
#define POCDIRD_H

#include <lber.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "dn.h"
#include "filter.h"
#include "store.h"

/* ---- log.c ---------------------------------------------------------------- */

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Log to stderr (foreground) or to syslog as "pocdird". */
void log_init(bool foreground, enum log_level level);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_enabled(LOG_LEVEL_DEBUG))                                                  \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                     \
	} while (0)

/* Parse "err", "warning", "info" or "debug"; -1 when unknown. */
int log_level_parse(const char *s);

/* A rate limit on one kind of log line, so that an attacker cannot flood
 * the log with refusals: at most max lines per window seconds. */
struct log_limit {
	double start;
	unsigned lines, held;
};

/* True when another line of this kind may be logged at now. When a window
 * opens after lines were held back, first logs how many ("what" names
 * them). Not thread-safe: one limit per thread. */
bool log_limit_ok(struct log_limit *l, unsigned max, double window, double now, const char *what);

/* ---- config.c ------------------------------------------------------------- */

#define CONFIG_MAX_LISTEN 8
#define CONFIG_MAX_BINDS 64
#define CONFIG_MAX_WEB 2

struct config_bind {
	char *dn;      /* as written */
	char *dn_norm; /* dn_normalize (dn.h): the one DN equality */
	char *hash;    /* crypto_pwhash_str output ("$argon2id$...") */
};

struct config_limits {
	unsigned max_connections;  /* open client connections */
	unsigned idle_timeout;     /* seconds without traffic before a connection is closed */
	unsigned max_pdu;          /* bytes of one incoming LDAPMessage */
	unsigned max_results;      /* entries of one search (one page for paged searches) */
	unsigned time_limit;       /* seconds one search may run */
	unsigned max_operations;   /* outstanding operations per connection */
	unsigned max_pages;        /* paged searches kept open per connection */
	unsigned max_pages_total;  /* ... and in all: each holds its candidates */
	unsigned output_queue;     /* bytes queued for a client before its search pauses */
	unsigned batch;            /* entries sent by one search before it yields */
	unsigned per_address;      /* connections from one address (IPv6: one /64) */
	unsigned address_rate;     /* new connections per second from one address; 0: any */
	unsigned reserve;          /* of max_connections, kept for addresses holding none */
	unsigned lifetime;         /* seconds a connection may last in all; 0: forever */
	unsigned page_timeout;     /* seconds a paged search waits for its next page */
	unsigned http_connections; /* feed over HTTP: connections in all */
	unsigned http_per_address; /* ... from one address */
	unsigned http_timeout;     /* ... seconds idle before it is closed */
	struct filter_limits filter;
};

/* TLS for LDAPS, StartTLS and the HTTP server (GnuTLS). */
struct config_tls {
	char *certificate;    /* PEM file: the server's certificate chain; NULL = no TLS */
	char *key;            /* PEM file: its private key */
	char *client_ca;      /* PEM file: CAs whose client certificates are required; or NULL */
	unsigned min_version; /* 12 (TLS 1.2) or 13 (TLS 1.3) */
};

/* When a simple bind needs a TLS session (RFC 4513 5.1.3, 6.3.1). */
enum config_bind_tls {
	BIND_TLS_AUTO, /* on listeners whose address is not loopback */
	BIND_TLS_ALWAYS,
	BIND_TLS_NEVER
};

struct config {
	char *file;                      /* the YAML file it came from, or NULL */
	char *listen[CONFIG_MAX_LISTEN]; /* "ldap://A:P", "ldaps://A:P" or "A:P" */
	size_t nlisten;
	struct config_tls tls;
	enum config_bind_tls bind_tls;
	char *web_listen[CONFIG_MAX_WEB]; /* "http://A:P" or "https://A:P": page and API */
	size_t nweb_listen;
	char *base;
	char *directory;
	enum log_level log_level;
	bool hidden[ATTR_COUNT]; /* attributes anonymous clients may not read */
	struct config_bind binds[CONFIG_MAX_BINDS];
	size_t nbinds;
	struct config_limits limits;
};

/* Fill c with the built-in defaults. Returns 0, or -1 on allocation failure. */
int config_defaults(struct config *c, pocdir_error *err);

/* Read the YAML file path over the values already in c (so defaults stay
 * where the file is silent). Returns 0, or -1 with err naming file:line:col. */
int config_load(struct config *c, const char *path, pocdir_error *err);

/* Set hidden attributes from a list of names; -1 with err for an unknown name. */
int config_set_hidden(struct config *c, const char *const *names, size_t n, pocdir_error *err);

/* Check a "HOST:PORT" or "[V6]:PORT" address; fills ss. 0 or -1 with err. */
int config_parse_address(const char *text, struct sockaddr_storage *ss, socklen_t *len,
                         pocdir_error *err);

/* Check a listen URL: "ldaps://HOST:PORT", "ldap://HOST:PORT" or a bare
 * "HOST:PORT" (plain LDAP); fills ss and *tls. 0 or -1 with err. */
int config_parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, bool *tls,
                        pocdir_error *err);

/* Is the address a loopback one (127.0.0.0/8, ::1)? */
bool config_address_loopback(const struct sockaddr_storage *ss);

/* Release what c holds (c itself is the caller's). */
void config_clear(struct config *c);

/* ---- admit.c: who may connect --------------------------------------------- */

/* An address as admission counts it: IPv4 as IPv4-mapped, IPv6 by /64. */
struct admit_key {
	unsigned char b[16];
};

struct admit_limits {
	unsigned max_total;   /* connections in all */
	unsigned per_address; /* connections from one address; 0: no limit */
	unsigned rate;        /* new connections per second from one address; 0: none */
	unsigned burst;       /* ... of which this many at once */
	unsigned reserve;     /* of max_total, slots only addresses holding none get */
};

struct admit_entry;

struct admit {
	struct admit_limits limits;
	struct admit_entry **buckets;
	size_t nbuckets, nentries, max_entries;
	unsigned total; /* open connections counted by admit_open */
	double swept;   /* last admit_sweep_every */
	uint64_t seed;
};

enum admit_verdict {
	ADMIT_OK,
	ADMIT_PER_ADDRESS, /* the address holds per_address connections */
	ADMIT_RATE,        /* the address connects faster than rate */
	ADMIT_RESERVE,     /* only the reserve is left, and the address holds some */
	ADMIT_FULL_EVICT,  /* all taken, but the address holds none: make room */
	ADMIT_FULL,        /* all taken */
	ADMIT_NO_MEMORY
};

/* 0, or -1 on allocation failure. seed keys the hash (a random number). */
int admit_init(struct admit *a, const struct admit_limits *l, uint64_t seed);
/* New limits (a reload); the counts stay. */
void admit_configure(struct admit *a, const struct admit_limits *l);
void admit_free(struct admit *a);
void admit_key_of(const struct sockaddr_storage *ss, struct admit_key *k);
/* May a connection from k open now? ADMIT_OK takes one of its rate tokens;
 * the caller then counts the connection with admit_open. */
enum admit_verdict admit_check(struct admit *a, const struct admit_key *k, double now);
/* Count an open connection from k / its end. admit_open: 0, -1 (memory). */
int admit_open(struct admit *a, const struct admit_key *k, double now);
void admit_close(struct admit *a, const struct admit_key *k);
/* Connections k holds; the address holding the most (false when none). */
unsigned admit_held(const struct admit *a, const struct admit_key *k);
bool admit_top(const struct admit *a, struct admit_key *k);
/* Forget addresses that hold nothing and may connect at full rate again;
 * admit_sweep_every does it at most once a second. */
void admit_sweep(struct admit *a, double now);
void admit_sweep_every(struct admit *a, double now);
/* Why a verdict refuses, for logs and the client's notice. */
const char *admit_reason(enum admit_verdict v);

/* ---- server.c: the event loop's set, the snapshot, the configuration -------- */

/* Anything that sits in the epoll set: the loop calls fn with the events. */
struct watch {
	int fd;
	void (*fn)(struct watch *w, uint32_t events);
};

struct epoll_event;
struct source;

/* The epoll set main.c's loop waits on: open it (0, or -1 with errno),
 * wait on it (as epoll_wait), close it. */
int loop_open(void);
int loop_wait(struct epoll_event *events, int max, int timeout_ms);
void loop_close(void);
/* Add, change or remove a watch (EPOLLIN, EPOLLOUT); 0 or -1 with errno. */
int loop_add(struct watch *w, uint32_t events);
int loop_mod(struct watch *w, uint32_t events);
void loop_del(struct watch *w);

/* The snapshot source main.c opened (it keeps and frees it; NULL at
 * shutdown). */
void server_set_source(struct source *src);
/* The live snapshot (from the library's snapshot source, which alone
 * builds and swaps them): searches take a reference when they start. */
struct store *server_store(void);
/* The configuration in force. */
const struct config *server_config(void);
/* The same, for main.c to build at start and replace on reload. */
struct config *server_config_edit(void);
/* Seconds on the monotonic clock. */
double now_monotonic(void);

/* ---- conn.c --------------------------------------------------------------- */

struct search;
struct tls_session;

/* Where a connection is with TLS. */
enum tls_state {
	TLS_NONE,      /* plain LDAP */
	TLS_STARTING,  /* StartTLS answered; the answer goes out in clear first */
	TLS_HANDSHAKE, /* nothing but the handshake until it completes */
	TLS_READY
};

struct outq {
	char *buf;
	size_t start, len, cap;
};

struct conn {
	struct watch watch;
	uint64_t id;
	Sockbuf *sb;
	BerElement *ber; /* the request being read */
	char peer[64];
	struct outq out;
	uint32_t events; /* current epoll interest */
	double last_active;
	bool closing;            /* send what is queued, then close */
	bool bind_pending;       /* a password check is running; reading waits */
	char *bound_dn;          /* NULL for anonymous */
	struct search *searches; /* running or paused searches, a list */
	unsigned nsearches;
	struct search *pages; /* paged searches waiting for the next page request */
	unsigned npages;
	uint64_t next_cookie;
	struct conn *run_next, *run_prev; /* in the runnable list when linked */
	bool runnable;
	unsigned long ops;
	struct tls_session *tls; /* NULL until LDAPS or StartTLS */
	enum tls_state tls_state;
	double tls_deadline;   /* the handshake must be done by then */
	bool bind_needs_tls;   /* simple binds refused until TLS is up */
	struct admit_key addr; /* the client's address, as admission counts it */
	double opened;         /* when it was accepted (connection-lifetime) */
};

/* Start listening on every configured address; -1 with err when none works. */
int conn_listen(const struct config *c, pocdir_error *err);
void conn_listen_close(void);
/* Take fd, a connected non-blocking socket from the peer at ss, as a new
 * client, through TLS from the first byte when tls (LDAPS); loopback says
 * the channel is local (simple binds without TLS allowed by default).
 * Returns the connection, or NULL (fd closed) when refused. */
struct conn *conn_new(int fd, const struct sockaddr_storage *ss, bool tls, bool loopback);

/* Queue n bytes for the client; false when the connection is being closed. */
bool conn_queue(struct conn *c, const void *data, size_t n);
/* Queue a BER message built by the caller and free it. */
bool conn_queue_ber(struct conn *c, BerElement *ber);
/* True when the output queue is over its cap: producers should pause. */
bool conn_output_full(const struct conn *c);
/* Try to write queued output now; closes the connection on error. */
void conn_flush(struct conn *c);
/* Close now (or after flushing when graceful). */
void conn_close(struct conn *c, bool graceful);
/* Read and dispatch requests until the socket would block. */
void conn_read(struct conn *c);
/* Mark c as having search work to do / none. */
void conn_set_runnable(struct conn *c, bool on);
/* Run one turn of every runnable connection's searches; true if work remains. */
bool conn_run_searches(void);
/* Close idle connections; called about once a second. */
void conn_sweep(double now);
/* Find a connection by id (NULL when it is gone). */
struct conn *conn_find(uint64_t id);
/* Close everything (shutdown). */
void conn_close_all(void);
unsigned conn_count(void);

/* ---- tls.c ---------------------------------------------------------------- */

/* Seconds a TLS handshake may take, however slowly its bytes trickle in. */
#define TLS_HANDSHAKE_TIMEOUT 10

/* Load the certificate, key and client CA of c->tls (none: TLS off). On
 * failure the credentials in use stay. Sessions keep the credentials they
 * started with, so this is safe with connections open. 0 or -1 with err. */
int tls_configure(const struct config *c, pocdir_error *err);
bool tls_configured(void);
void tls_shutdown(void);
/* Start a server session on c's socket under its Sockbuf (the handshake
 * comes next: c->tls_state becomes TLS_HANDSHAKE). 0, or -1 when TLS is not
 * configured or on failure. */
int tls_attach(struct conn *c);
/* Free c's session (before its Sockbuf). */
void tls_detach(struct conn *c);
/* Go on with the handshake: 1 done, 0 waiting for the socket, -1 failed. */
int tls_handshake(struct conn *c);
/* Does the handshake wait to write (else to read)? */
bool tls_wants_write(const struct conn *c);
/* Send up to len bytes through the session: bytes taken, or -1 with errno
 * (EAGAIN: try again later with the same data). */
ssize_t tls_send(struct conn *c, const void *buf, size_t len);
/* Send close_notify, best effort. */
void tls_bye(struct conn *c);

/* ---- ldape.c: envelope, dispatch and the one answer ----------------------- */

/* What a handler returns: an LDAP resultCode (RFC 4511 4.1.9, never
 * negative) for ldape_respond to send, or one of these. */
enum {
	/* The request was handed on (a search that goes on in later turns, a
	 * bind on the password worker); its new owner answers it with
	 * ldape_respond. */
	LDAPE_LATER = -1,
	/* Nothing is sent (RFC 4511 4.3 unbind, 4.11 abandon). */
	LDAPE_NO_RESPONSE = -2,
	/* The message is broken: a Notice of Disconnection (protocolError,
	 * req->text) goes instead, and the connection closes (4.1.1). */
	LDAPE_DISCONNECT = -3
};

/* One request being answered. ldape_dispatch allocates it and gives it to
 * its operation's handler; whoever holds it when the answer is known calls
 * ldape_respond, which sends the answer from what is set here and frees it. */
struct request {
	struct conn *conn; /* outlives the request, but for a bind's: see bind.c */
	ber_int_t msgid;
	ber_tag_t op;
	BerElement *ber; /* at the operation's contents; valid only in the handler */

	/* From the controls (RFC 4511 4.1.11). */
	bool paged; /* a paged results control came with it */
	ber_int_t page_size;
	struct berval cookie; /* owned */
	bool paged_critical;
	bool sync;           /* a Sync Request control (RFC 4533 2.2) came with it */
	ber_int_t sync_mode; /* refreshOnly (1) or refreshAndPersist (3) */
	char sync_csn[64];   /* the csn= part of its cookie, "" when none */

	/* The answer, besides its resultCode. */
	char *matched;                /* matchedDN (RFC 4511 4.1.9), owned; NULL: "" */
	const char *text;             /* diagnosticMessage, static or text_copy; NULL: "" */
	char *text_copy;              /* owned, see ldape_text_copy */
	const char *response_name;    /* ExtendedResponse responseName; NULL: none */
	struct berval response_value; /* ... responseValue, liblber's memory */
	const char *control_oid;      /* one response control; NULL: none */
	struct berval control_value;  /* its value, liblber's memory */
};

/* Handle one complete LDAPMessage read into ber (takes ownership of ber). */
void ldape_dispatch(struct conn *c, BerElement *ber);

/* Answer *reqp with rc (a resultCode, LDAPE_NO_RESPONSE or
 * LDAPE_DISCONNECT) in the response type of its operation (RFC 4511 4.2 -
 * 4.14), then free it and set *reqp to NULL. The one place that builds an
 * LDAPResult. */
void ldape_respond(struct request **reqp, int rc);
/* Free *reqp without answering it (its connection is gone, or it was
 * abandoned), and set *reqp to NULL; accepts NULL. */
void request_free(struct request **reqp);
/* Make req's diagnosticMessage a copy of text (for text that does not last,
 * as a pocdir_error's) and return rc: `return ldape_text_copy(req, rc, t);` */
int ldape_text_copy(struct request *req, int rc, const char *text);
/* Read the request's controls after its operation: LDAP_SUCCESS, or what
 * the handler returns at once (a resultCode or LDAPE_DISCONNECT, with
 * req->text set). */
int ldape_controls(struct request *req);
/* The Notice of Disconnection (RFC 4511 4.4.1) as a message to send, or
 * NULL when out of memory; the caller frees it with ber_free(ber, 1). */
BerElement *ldape_notice_encode(int rc, const char *text);
/* Queue the Notice of Disconnection on c; ldape_disconnect also closes the
 * connection once it is sent. */
void ldape_notice(struct conn *c, int rc, const char *text);
void ldape_disconnect(struct conn *c, int rc, const char *text);

/* ---- ldap_search.c ---------------------------------------------------------- */

/* Handle a SearchRequest: a result code, or LDAPE_LATER when the search
 * took req (it answers it when it ends, in this turn or a later one). */
int search_start(struct request *req);
/* Run one turn of c's searches (a bounded batch of entries). */
void search_run(struct conn *c);
/* End c's searches that are past their time limit (timeLimitExceeded). */
void search_expire(struct conn *c, double now);
/* Abandon the search with msgid on c (its request is freed unanswered). */
void search_abandon(struct conn *c, ber_int_t msgid);
/* Free every search and page state of c (their requests unanswered). */
void search_free_all(struct conn *c);
/* True when some running search of c is not paused on output. */
bool search_runnable(struct conn *c);
/* Compare answered for real (RFC 4511 4.10): compareTrue, compareFalse or
 * why neither. */
int compare_handle(struct request *req);

/* ---- bind.c --------------------------------------------------------------- */

/* A result code, or LDAPE_LATER when the password worker took req. */
int bind_handle(struct request *req);
/* Start / stop the password-checking worker thread; its watch joins the loop. */
int bind_worker_start(pocdir_error *err);
void bind_worker_stop(void);

/* ---- rootdse.c / schema.c ---------------------------------------------------- */

/* The fixed DNs. */
#define SUBSCHEMA_DN "cn=Subschema"

/* Attribute values of a special entry, for output: name and NULL-terminated
 * values; operational entries are only sent on request or with "+". */
struct special_attr {
	const char *name;
	const char *const *values;
	size_t count;
	bool operational;
};

/* The root DSE (RFC 4512 5.1) and the subschema subentry (RFC 4512 4.2). Each
 * returns a NULL-named-terminated array valid until the next call. */
const struct special_attr *rootdse_attrs(const char *base);
const struct special_attr *schema_attrs(void);

/* Entries for filter evaluation and Compare of the base entry (with
 * subordinates: entries hang below it), the root DSE and the subschema
 * subentry (objectClass, and o and dc for the base); valid until
 * special_free. base_attrs is what the base entry shows. NULL on failure. */
const entry_t *special_base(const char *base, bool subordinates);
const entry_t *special_rootdse(void);
const entry_t *special_subschema(void);
const struct special_attr *base_attrs(const char *base);
void special_free(void);
/* 0 when base's first RDN can make a base entry, else -1. Pure: safe from
 * any thread. */
int special_check_base(const char *base);

/* Build the subschema value strings from the attribute table; 0 or -1. */
int schema_init(void);
void schema_free(void);

/* Print the pocContact schema in OpenLDAP .schema form (ldif = false) or as a
 * cn=config LDIF (ldif = true). */
int schema_print(FILE *out, bool ldif);

#endif /* POCDIRD_H */
