/* bind.c - the Bind operation (RFC 4511 4.2, RFC 4513): anonymous and simple
 * binds against argon2id hashes from the configuration. A password check
 * costs tens of milliseconds and 64 MiB by design, so it runs on a worker
 * thread and the event loop keeps serving everyone else meanwhile. */
#include "config.h"

#include <errno.h>
#include <ldap.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pocdird.h"
#include "util.h"

#define BIND_MAX_PENDING 16
#define BIND_MAX_PASSWORD 1024

/* A bind waiting for its password check. It owns the request; the
 * request's connection may close meanwhile, so it is looked up by id (and
 * the request freed unanswered when it is gone). */
struct bind_job {
	struct bind_job *next;
	uint64_t conn_id;
	struct request *req;
	char *dn;   /* as configured, or as the client sent it when unknown */
	bool known; /* a configured DN: else checked against dummy_hash, never ok */
	char hash[crypto_pwhash_STRBYTES];
	char *password;
	size_t password_len;
	bool ok;
};

/* An unknown DN is answered after the same argon2id work as a known one,
 * so that the time of the answer does not tell which DNs exist: against the
 * first configured bind's hash (whatever parameters the operator chose), or
 * when there is none against this hash of a random password nobody kept
 * (printed by `pocdir passwd`, so with its parameters). A job for an
 * unknown DN never succeeds, whatever the password. */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$JVpDpMuAahQ83SyTzaI6SQ$"
                                 "8bZBOOBv9iVHSbcffqQ9QQMbP2L+3Nasqk1h+FozZ4Y";

static pthread_t worker;
static bool worker_running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct bind_job *todo, *done; /* both LIFO; order does not matter */
static unsigned pending;
static bool stopping;
static struct watch done_watch = {.fd = -1};

static void job_free(struct bind_job *j)
{
	if (j == NULL)
		return;
	if (j->password != NULL) {
		sodium_memzero(j->password, j->password_len);
		free(j->password);
	}
	free(j->dn);
	request_free(&j->req);
	free(j);
}

static void *worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		struct bind_job *j;
		uint64_t one = 1;

		while (todo == NULL && !stopping)
			pthread_cond_wait(&wake, &lock);
		if (stopping)
			break;
		j = todo;
		todo = j->next;
		pthread_mutex_unlock(&lock);
		j->ok = crypto_pwhash_str_verify(j->hash, j->password, j->password_len) == 0 &&
		        j->known;
		sodium_memzero(j->password, j->password_len);
		pthread_mutex_lock(&lock);
		j->next = done;
		done = j;
		/* Cannot block: the counter holds far more than 16 wake-ups. */
		if (write(done_watch.fd, &one, sizeof(one)) < 0)
			one = 0;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void done_event(struct watch *w, uint32_t events)
{
	uint64_t n;
	struct bind_job *list;

	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("bind: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&lock);
	list = done;
	done = NULL;
	pthread_mutex_unlock(&lock);
	while (list != NULL) {
		struct bind_job *j = list;
		struct conn *c = conn_find(j->conn_id);

		list = j->next;
		pending--;
		if (c != NULL) {
			c->bind_pending = false;
			if (j->ok) {
				c->bound_dn = j->dn;
				j->dn = NULL;
				log_info("conn %llu from %s: bound as \"%s\"",
				         (unsigned long long)c->id, c->peer, c->bound_dn);
			} else if (!j->known) {
				log_info("conn %llu from %s: bind as unknown DN \"%s\"",
				         (unsigned long long)c->id, c->peer, j->dn);
			} else {
				log_info("conn %llu from %s: wrong password for \"%s\"",
				         (unsigned long long)c->id, c->peer, j->dn);
			}
			ldape_respond(&j->req, j->ok ? LDAP_SUCCESS : LDAP_INVALID_CREDENTIALS);
			conn_read(c); /* resumes reading, and flushes */
		}
		job_free(j);
	}
}

int bind_worker_start(pocdir_error *err)
{
	done_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	done_watch.fn = done_event;
	if (done_watch.fd < 0)
		return error_set(err, POCDIR_ERR_SYSTEM, "eventfd: %s", strerror(errno));
	if (loop_add(&done_watch, EPOLLIN) == -1) {
		close(done_watch.fd);
		return error_set(err, POCDIR_ERR_SYSTEM, "epoll: %s", strerror(errno));
	}
	if (pthread_create(&worker, NULL, worker_main, NULL) != 0) {
		loop_del(&done_watch);
		close(done_watch.fd);
		return error_set(err, POCDIR_ERR_SYSTEM, "cannot start the bind worker");
	}
	worker_running = true;
	return 0;
}

void bind_worker_stop(void)
{
	if (!worker_running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(worker, NULL);
	worker_running = false;
	while (todo != NULL) {
		struct bind_job *j = todo;

		todo = j->next;
		job_free(j);
	}
	while (done != NULL) {
		struct bind_job *j = done;

		done = j->next;
		job_free(j);
	}
	loop_del(&done_watch);
	close(done_watch.fd);
	done_watch.fd = -1;
}

int bind_handle(struct request *req)
{
	struct conn *c = req->conn;
	const struct config *cfg = server_config();
	ber_int_t version;
	struct berval name, password = {0, NULL};
	ber_tag_t auth;
	ber_len_t len;
	const struct config_bind *b = NULL;
	struct bind_job *j;
	const char *decoy;
	char *norm;
	int rc;

	if (ber_scanf(req->ber, "{im", &version, &name) == LBER_ERROR) {
		req->text = "malformed bind request";
		return LDAPE_DISCONNECT;
	}
	auth = ber_peek_tag(req->ber, &len);
	if (auth != LDAP_AUTH_SIMPLE && auth != LDAP_AUTH_SASL) {
		req->text = "unknown authentication choice";
		return LDAPE_DISCONNECT;
	}
	if ((auth == LDAP_AUTH_SIMPLE && ber_scanf(req->ber, "m}", &password) == LBER_ERROR) ||
	    (auth == LDAP_AUTH_SASL && ber_scanf(req->ber, "x}") == LBER_ERROR)) {
		req->text = "malformed bind request";
		return LDAPE_DISCONNECT;
	}
	if ((rc = ldape_controls(req)) != LDAP_SUCCESS)
		return rc;
	/* RFC 4511 4.2.1: a bind abandons what is outstanding, and whatever
	 * its outcome the session starts over as anonymous. */
	search_free_all(c);
	free(c->bound_dn);
	c->bound_dn = NULL;
	log_debug("conn %llu op %d: bind \"%.*s\" %s", (unsigned long long)c->id, req->msgid,
	          (int)(name.bv_len > 200 ? 200 : name.bv_len), name.bv_val,
	          auth == LDAP_AUTH_SASL ? "sasl" : "simple");
	if (version != LDAP_VERSION3) {
		req->text = "only LDAPv3 is supported";
		return LDAP_PROTOCOL_ERROR;
	}
	if (auth == LDAP_AUTH_SASL) {
		req->text = "SASL is not supported; use a simple bind";
		return LDAP_AUTH_METHOD_NOT_SUPPORTED;
	}
	if (name.bv_len == 0 && password.bv_len == 0)
		return LDAP_SUCCESS;
	if (c->bind_needs_tls && c->tls_state != TLS_READY) {
		/* RFC 4513 6.3.1: no password in clear over the network. */
		sodium_memzero(password.bv_val, password.bv_len);
		log_info("conn %llu from %s: simple bind without TLS refused",
		         (unsigned long long)c->id, c->peer);
		req->text = "a simple bind needs TLS here: use StartTLS or ldaps://";
		return LDAP_CONFIDENTIALITY_REQUIRED;
	}
	if (password.bv_len == 0) {
		/* RFC 4513 5.1.2: an unauthenticated bind (a name, no password)
		 * is refused rather than silently treated as anonymous. */
		req->text = "unauthenticated bind (DN with an empty password) is not allowed";
		return LDAP_UNWILLING_TO_PERFORM;
	}
	norm = name.bv_len > 0 ? dn_normalize(name.bv_val, name.bv_len) : NULL;
	for (size_t i = 0; norm != NULL && i < cfg->nbinds; i++)
		if (strcmp(cfg->binds[i].dn_norm, norm) == 0)
			b = &cfg->binds[i];
	free(norm);
	if (b != NULL && strlen(b->hash) >= crypto_pwhash_STRBYTES)
		b = NULL; /* cannot be checked: as if not configured */
	if (password.bv_len > BIND_MAX_PASSWORD) {
		/* Refused before any work, known DN or not: says nothing. */
		sodium_memzero(password.bv_val, password.bv_len);
		return LDAP_INVALID_CREDENTIALS;
	}
	if (pending >= BIND_MAX_PENDING) {
		req->text = "too many binds in progress; retry";
		return LDAP_BUSY;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL || (j->password = malloc(password.bv_len)) == NULL ||
	    (j->dn = b != NULL
	                 ? str_dup(b->dn)
	                 : str_ndup(name.bv_val, name.bv_len > 200 ? 200 : name.bv_len)) == NULL) {
		job_free(j);
		req->text = "out of memory";
		return LDAP_OTHER;
	}
	memcpy(j->password, password.bv_val, password.bv_len);
	sodium_memzero(password.bv_val, password.bv_len); /* the request's copy */
	j->password_len = password.bv_len;
	j->known = b != NULL;
	decoy = dummy_hash;
	if (cfg->nbinds > 0 && strlen(cfg->binds[0].hash) < crypto_pwhash_STRBYTES)
		decoy = cfg->binds[0].hash;
	memcpy(j->hash, b != NULL ? b->hash : decoy, strlen(b != NULL ? b->hash : decoy) + 1);
	j->conn_id = c->id;
	j->req = req; /* answered by done_event */
	c->bind_pending = true;
	pending++;
	pthread_mutex_lock(&lock);
	j->next = todo;
	todo = j;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	return LDAPE_LATER;
}
