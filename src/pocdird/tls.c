/* tls.c - TLS on LDAP connections with GnuTLS: the server's credentials
 * (certificate, key, optional client CA, minimum version), replaced on
 * SIGHUP while sessions keep the ones they started with, and a liblber
 * Sockbuf layer so ber_get_next reads LDAPMessages through the session. */
#include "config.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pocdird.h"
#include "util.h"
#include "web.h"

/* Certificates in one chain file, server's first. */
#define TLS_MAX_CHAIN 8
/* TLS 1.2 and up only (RFC 8996 deprecates 1.0 and 1.1); GnuTLS's NORMAL
 * set otherwise, the server's order preferred. */
#define TLS_PRIORITY_12 "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_PRIORITY_13 "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.3"

/* One generation of credentials: every session holds a reference, so a
 * reload never pulls a certificate from under a handshake. Only the event
 * loop's thread touches these. */
struct tls_creds {
	gnutls_certificate_credentials_t x509;
	gnutls_priority_t priority;
	bool require_client_cert;
	unsigned refs;
	/* The same certificate and key for libmicrohttpd's handshakes, which
	 * ask for them through tls_http_certificate on their own threads. */
	gnutls_pcert_st pcerts[TLS_MAX_CHAIN];
	unsigned npcerts;
	gnutls_privkey_t key;
};

/* Guards current and the held generations for libmicrohttpd's threads. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct tls_session {
	gnutls_session_t session;
	struct tls_creds *creds;
	Sockbuf_IO_Desc *sbiod; /* our layer in the connection's Sockbuf */
	int fd;
	size_t send_pending; /* bytes of a record_send that returned AGAIN */
};

static struct tls_creds *current;
/* libmicrohttpd holds no reference while a handshake uses what
 * tls_http_certificate gave it: the two generations before the current one
 * stay alive, so only a third reload within one handshake could pull them. */
static struct tls_creds *held[2];

static void creds_free(struct tls_creds *c)
{
	gnutls_certificate_free_credentials(c->x509);
	if (c->priority != NULL)
		gnutls_priority_deinit(c->priority);
	for (unsigned i = 0; i < c->npcerts; i++)
		gnutls_pcert_deinit(&c->pcerts[i]);
	if (c->key != NULL)
		gnutls_privkey_deinit(c->key);
	free(c);
}

static void creds_unref(struct tls_creds **cp)
{
	struct tls_creds *c = *cp;
	bool last;

	*cp = NULL;
	if (c == NULL)
		return;
	pthread_mutex_lock(&lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		creds_free(c);
}

/* The chain and key again, in the form a retrieve callback hands out. */
static int load_pcerts(struct tls_creds *c, const struct config_tls *t, pocdir_error *err)
{
	gnutls_datum_t pem = {NULL, 0};
	int rc;

	c->npcerts = TLS_MAX_CHAIN;
	rc = gnutls_pcert_list_import_x509_file(c->pcerts, &c->npcerts, t->certificate,
	                                        GNUTLS_X509_FMT_PEM, NULL, NULL, 0);
	if (rc < 0) {
		c->npcerts = 0;
		return error_set(err, POCDIR_ERR_USAGE, "tls: certificate %s: %s", t->certificate,
		                 gnutls_strerror(rc));
	}
	if ((rc = gnutls_load_file(t->key, &pem)) < 0 || (rc = gnutls_privkey_init(&c->key)) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(c->key, &pem, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		if (pem.data != NULL) {
			gnutls_memset(pem.data, 0, pem.size);
			gnutls_free(pem.data);
		}
		return error_set(err, POCDIR_ERR_USAGE, "tls: key %s: %s", t->key,
		                 gnutls_strerror(rc));
	}
	gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	return 0;
}

/* Warn about a certificate that is expired or about to be: clients will
 * refuse it, and the log is where an operator looks first. */
static void check_expiry(gnutls_certificate_credentials_t x509, const char *file)
{
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = 0;
	time_t expires, now = time(NULL);

	if (gnutls_certificate_get_x509_crt(x509, 0, &crts, &n) < 0 || n == 0)
		return;
	expires = gnutls_x509_crt_get_expiration_time(crts[0]);
	if (expires != (time_t)-1 && expires < now)
		log_warn("tls: certificate %s has expired: clients will refuse it", file);
	else if (expires != (time_t)-1 && expires < now + 14 * 86400)
		log_warn("tls: certificate %s expires in %lld days", file,
		         (long long)(expires - now) / 86400);
	if (gnutls_x509_crt_get_activation_time(crts[0]) > now)
		log_warn("tls: certificate %s is not valid yet", file);
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
}

int tls_configure(const struct config *cfg, pocdir_error *err)
{
	const struct config_tls *t = &cfg->tls;
	struct tls_creds *c;
	const char *where = NULL;
	int rc;

	if (t->certificate == NULL) {
		struct tls_creds *old;

		pthread_mutex_lock(&lock);
		old = current;
		current = NULL;
		pthread_mutex_unlock(&lock);
		creds_unref(&old);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	c->refs = 1;
	if ((rc = gnutls_certificate_allocate_credentials(&c->x509)) < 0) {
		free(c);
		return error_set(err, POCDIR_ERR_SYSTEM, "tls: %s", gnutls_strerror(rc));
	}
	/* Read first on their own: GnuTLS 3.7's set_x509_key_file2 leaks
	 * what it parsed when a file is bad, and a reload may meet one. */
	if (load_pcerts(c, t, err) == -1)
		goto fail;
	rc = gnutls_certificate_set_x509_key_file2(c->x509, t->certificate, t->key,
	                                           GNUTLS_X509_FMT_PEM, NULL, 0);
	if (rc < 0) {
		error_set(err, POCDIR_ERR_USAGE, "tls: certificate %s with key %s: %s",
		          t->certificate, t->key, gnutls_strerror(rc));
		goto fail;
	}
	check_expiry(c->x509, t->certificate);
	if (t->client_ca != NULL) {
		rc = gnutls_certificate_set_x509_trust_file(c->x509, t->client_ca,
		                                            GNUTLS_X509_FMT_PEM);
		if (rc <= 0) {
			error_set(err, POCDIR_ERR_USAGE, "tls: client-ca %s: %s", t->client_ca,
			          rc == 0 ? "no certificate in the file" : gnutls_strerror(rc));
			goto fail;
		}
		c->require_client_cert = true;
	}
	rc = gnutls_priority_init(&c->priority,
	                          t->min_version >= 13 ? TLS_PRIORITY_13 : TLS_PRIORITY_12, &where);
	if (rc < 0) {
		error_set(err, POCDIR_ERR_SYSTEM, "tls: priority string at \"%s\": %s",
		          where ? where : "?", gnutls_strerror(rc));
		c->priority = NULL;
		goto fail;
	}
	pthread_mutex_lock(&lock);
	if (held[1] != NULL && --held[1]->refs == 0)
		creds_free(held[1]);
	held[1] = held[0];
	held[0] = current; /* takes over current's own reference */
	current = c;
	pthread_mutex_unlock(&lock);
	log_info("tls: certificate %s loaded%s", t->certificate,
	         c->require_client_cert ? ", client certificates required" : "");
	return 0;
fail:
	creds_free(c);
	return -1;
}

bool tls_configured(void)
{
	return current != NULL;
}

void tls_shutdown(void)
{
	creds_unref(&current);
	creds_unref(&held[0]);
	creds_unref(&held[1]);
}

const char *tls_priority_string(const struct config *c)
{
	return c->tls.min_version >= 13 ? TLS_PRIORITY_13 : TLS_PRIORITY_12;
}

int tls_http_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                         const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
                         unsigned int *npcert, gnutls_privkey_t *key)
{
	int rc = -1;

	(void)session;
	(void)req_ca_dn;
	(void)nreqs;
	(void)algos;
	(void)nalgos;
	pthread_mutex_lock(&lock);
	if (current != NULL) {
		*pcert = current->pcerts;
		*npcert = current->npcerts;
		*key = current->key;
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

/* ---- the Sockbuf layer ---- */

static int sb_tls_setup(Sockbuf_IO_Desc *sbiod, void *arg)
{
	struct tls_session *t = arg;

	sbiod->sbiod_pvt = t;
	t->sbiod = sbiod;
	return 0;
}

static int sb_tls_remove(Sockbuf_IO_Desc *sbiod)
{
	sbiod->sbiod_pvt = NULL;
	return 0;
}

static int sb_tls_ctrl(Sockbuf_IO_Desc *sbiod, int opt, void *arg)
{
	struct tls_session *t = sbiod->sbiod_pvt;

	/* Records already decrypted are data the kernel no longer reports. */
	if (opt == LBER_SB_OPT_DATA_READY && t != NULL &&
	    gnutls_record_check_pending(t->session) > 0)
		return 1;
	return LBER_SBIOD_CTRL_NEXT(sbiod, opt, arg);
}

static ber_slen_t sb_tls_read(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	struct tls_session *t = sbiod->sbiod_pvt;
	ssize_t n;

	if (t == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	n = gnutls_record_recv(t->session, buf, len);
	if (n >= 0)
		return n; /* 0: the client's close_notify */
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_REHANDSHAKE) {
		/* A renegotiation request is ignored: TLS 1.3 has none, and
		 * the session stays as it was negotiated. */
		errno = EAGAIN;
		return -1;
	}
	log_debug("tls: read: %s", gnutls_strerror((int)n));
	errno = ECONNRESET;
	return -1;
}

static ber_slen_t sb_tls_write(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	/* Output goes through conn_flush and tls_send, never through liblber. */
	(void)sbiod;
	(void)buf;
	(void)len;
	errno = ENOTSUP;
	return -1;
}

static int sb_tls_close(Sockbuf_IO_Desc *sbiod)
{
	(void)sbiod;
	return 0;
}

static Sockbuf_IO sb_tls_io = {
    sb_tls_setup, sb_tls_remove, sb_tls_ctrl, sb_tls_read, sb_tls_write, sb_tls_close,
};

/* GnuTLS's transport: ciphertext comes through the layers below ours (so
 * bytes liblber read ahead are not lost), and goes straight to the socket. */
static ssize_t transport_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct tls_session *t = ptr;

	return LBER_SBIOD_READ_NEXT(t->sbiod, buf, len);
}

static ssize_t transport_push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
	struct tls_session *t = ptr;

	return send(t->fd, buf, len, MSG_NOSIGNAL);
}

int tls_attach(struct conn *c)
{
	struct tls_session *t;
	int rc;

	if (current == NULL || c->tls != NULL)
		return -1;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	t->fd = c->watch.fd;
	if ((rc = gnutls_init(&t->session, GNUTLS_SERVER | GNUTLS_NONBLOCK)) < 0) {
		free(t);
		return -1;
	}
	if (gnutls_priority_set(t->session, current->priority) < 0 ||
	    gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, current->x509) < 0) {
		gnutls_deinit(t->session);
		free(t);
		return -1;
	}
	if (current->require_client_cert) {
		gnutls_certificate_server_set_request(t->session, GNUTLS_CERT_REQUIRE);
		/* The handshake fails unless the chain verifies to client-ca. */
		gnutls_session_set_verify_cert(t->session, NULL, 0);
	}
	gnutls_transport_set_ptr(t->session, t);
	gnutls_transport_set_pull_function(t->session, transport_pull);
	gnutls_transport_set_push_function(t->session, transport_push);
	if (ber_sockbuf_add_io(c->sb, &sb_tls_io, LBER_SBIOD_LEVEL_TRANSPORT, t) != 0) {
		gnutls_deinit(t->session);
		free(t);
		return -1;
	}
	t->creds = current;
	current->refs++;
	c->tls = t;
	c->tls_state = TLS_HANDSHAKE;
	c->tls_deadline = now_monotonic() + TLS_HANDSHAKE_TIMEOUT;
	return 0;
}

void tls_detach(struct conn *c)
{
	struct tls_session *t = c->tls;

	if (t == NULL)
		return;
	if (c->sb != NULL)
		ber_sockbuf_remove_io(c->sb, &sb_tls_io, LBER_SBIOD_LEVEL_TRANSPORT);
	gnutls_deinit(t->session);
	creds_unref(&t->creds);
	free(t);
	c->tls = NULL;
}

int tls_handshake(struct conn *c)
{
	struct tls_session *t = c->tls;
	int rc;

	for (int tries = 0; tries < 8; tries++) {
		rc = gnutls_handshake(t->session);
		if (rc == GNUTLS_E_SUCCESS) {
			char *desc = gnutls_session_get_desc(t->session);

			c->tls_state = TLS_READY;
			log_debug("conn %llu from %s: TLS established: %s",
			          (unsigned long long)c->id, c->peer, desc ? desc : "?");
			gnutls_free(desc);
			return 1;
		}
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
			return 0;
		if (gnutls_error_is_fatal(rc))
			break;
		/* A warning alert: go on with the handshake. */
	}
	log_info("conn %llu from %s: TLS handshake failed: %s", (unsigned long long)c->id, c->peer,
	         gnutls_strerror(rc));
	return -1;
}

bool tls_wants_write(const struct conn *c)
{
	return c->tls != NULL && gnutls_record_get_direction(c->tls->session) == 1;
}

ssize_t tls_send(struct conn *c, const void *buf, size_t len)
{
	struct tls_session *t = c->tls;
	ssize_t n;

	/* GnuTLS keeps a record it could not send whole: the retry must ask
	 * for the same length again (it does not read the data twice). */
	if (t->send_pending > 0 && len >= t->send_pending)
		len = t->send_pending;
	n = gnutls_record_send(t->session, buf, len);
	if (n >= 0) {
		t->send_pending = 0;
		return n;
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
		t->send_pending = len;
		errno = EAGAIN;
		return -1;
	}
	log_debug("conn %llu: TLS write: %s", (unsigned long long)c->id, gnutls_strerror((int)n));
	errno = EPIPE;
	return -1;
}

void tls_bye(struct conn *c)
{
	/* RFC 8446 6.1: close_notify, best effort (one non-blocking try). */
	if (c->tls != NULL && c->tls_state == TLS_READY)
		gnutls_bye(c->tls->session, GNUTLS_SHUT_WR);
}
