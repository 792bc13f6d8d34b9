/* ldape.c - the LDAP message envelope (RFC 4511 4.1): decode the messageID
 * and controls, dispatch each operation to its handler through one table,
 * and encode results. */
#include "config.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>

#include "pocdird.h"

#define MAX_CONTROLS 32
#define MAX_OID 256
#define SYNC_MAX_COOKIE 512

bool ldape_result(struct conn *c, ber_int_t msgid, ber_tag_t tag, int rc, const char *matched,
                  const char *text)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		return false;
	if (ber_printf(ber, "{it{ess}}", msgid, tag, (ber_int_t)rc, matched ? matched : "",
	               text ? text : "") == -1) {
		ber_free(ber, 1);
		return false;
	}
	return conn_queue_ber(c, ber);
}

void ldape_disconnect(struct conn *c, int rc, const char *text)
{
	ldape_notice(c, rc, text);
	conn_close(c, true);
}

void ldape_notice(struct conn *c, int rc, const char *text)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	/* RFC 4511 4.4.1: messageID 0, an ExtendedResponse named
	 * 1.3.6.1.4.1.1466.20036, then the server closes the connection. */
	log_debug("conn %llu: notice of disconnection: %s", (unsigned long long)c->id, text);
	if (ber != NULL &&
	    ber_printf(ber, "{it{essts}}", (ber_int_t)0, LDAP_RES_EXTENDED, (ber_int_t)rc, "", text,
	               LDAP_TAG_EXOP_RES_OID, LDAP_NOTICE_OF_DISCONNECTION) != -1)
		conn_queue_ber(c, ber);
	else if (ber != NULL)
		ber_free(ber, 1);
}

/* Open a control's value for decoding into *out (freed by the caller with
 * ber_free(ber, 1)). ber_init on an empty berval returns an element with no
 * buffer that ber_scanf then dereferences, so an absent or empty value (a
 * client's "controlValue ''") is a protocolError here, before liblber sees
 * it. Returns LDAP_SUCCESS, LDAP_PROTOCOL_ERROR or LDAP_OTHER (no memory). */
static int control_value_open(const struct berval *value, bool has_value, BerElement **out)
{
	/* The shortest encoding of anything is a tag and a length. */
	if (!has_value || value->bv_val == NULL || value->bv_len < 2)
		return LDAP_PROTOCOL_ERROR;
	*out = ber_init((struct berval *)value);
	return *out != NULL ? LDAP_SUCCESS : LDAP_OTHER;
}

/* True when the whole of ber has been read: a control value carries exactly
 * one encoding, nothing after it. */
static bool control_value_done(BerElement *ber)
{
	ber_len_t remaining = 1;

	return ber_get_option(ber, LBER_OPT_BER_REMAINING_BYTES, &remaining) == LBER_OPT_SUCCESS &&
	       remaining == 0;
}

/* Read the optional controls after the operation (RFC 4511 4.1.11). Returns
 * LDAP_SUCCESS, LDAP_PROTOCOL_ERROR for a bad encoding, or
 * LDAP_UNAVAILABLE_CRITICAL_EXTENSION when a critical control is not known.
 * *bad_oid names the control when its own value is at fault (the message is
 * still whole, so the request can be answered); it stays NULL when the
 * envelope itself is broken. */
static int read_controls(struct request *req, const char **bad_oid)
{
	BerElement *ber = req->ber;
	ber_len_t len, remaining = 0;
	ber_tag_t tag;
	char *last;
	unsigned n = 0;

	if (ber_get_option(ber, LBER_OPT_BER_REMAINING_BYTES, &remaining) != LBER_OPT_SUCCESS)
		return LDAP_PROTOCOL_ERROR;
	if (remaining == 0)
		return LDAP_SUCCESS;
	if (ber_peek_tag(ber, &len) != LDAP_TAG_CONTROLS)
		return LDAP_PROTOCOL_ERROR;
	for (tag = ber_first_element(ber, &len, &last); tag != LBER_DEFAULT;
	     tag = ber_next_element(ber, &len, last)) {
		struct berval oid = {0, NULL}, value = {0, NULL};
		ber_int_t critical = 0;
		bool has_value = false;

		if (++n > MAX_CONTROLS || tag != LBER_SEQUENCE)
			return LDAP_PROTOCOL_ERROR;
		/* The OID is compared as a C string: a NUL inside it would let
		 * "1.2.840.113556.1.4.319\0junk" pass for another control. */
		if (ber_scanf(ber, "{m", &oid) == LBER_ERROR || oid.bv_len == 0 ||
		    oid.bv_len > MAX_OID || memchr(oid.bv_val, '\0', oid.bv_len) != NULL)
			return LDAP_PROTOCOL_ERROR;
		tag = ber_peek_tag(ber, &len);
		if (tag == LBER_BOOLEAN) {
			if (ber_scanf(ber, "b", &critical) == LBER_ERROR)
				return LDAP_PROTOCOL_ERROR;
			tag = ber_peek_tag(ber, &len);
		}
		if (tag == LBER_OCTETSTRING) {
			if (ber_scanf(ber, "m", &value) == LBER_ERROR)
				return LDAP_PROTOCOL_ERROR;
			has_value = true;
		}
		if (ber_scanf(ber, "}") == LBER_ERROR)
			return LDAP_PROTOCOL_ERROR;

		if (strcmp(oid.bv_val, LDAP_CONTROL_PAGEDRESULTS) == 0 &&
		    req->op == LDAP_REQ_SEARCH) {
			/* RFC 2696: realSearchControlValue ::= SEQUENCE {
			 *   size INTEGER, cookie OCTET STRING } */
			BerElement *vb = NULL;
			struct berval cookie = {0, NULL};
			ber_int_t size = 0;
			int rc;

			*bad_oid = LDAP_CONTROL_PAGEDRESULTS;
			if (req->paged)
				return LDAP_PROTOCOL_ERROR;
			rc = control_value_open(&value, has_value, &vb);
			if (rc != LDAP_SUCCESS)
				return rc;
			/* liblber's "m" takes any tag: check it is the OCTET STRING. */
			if (ber_scanf(vb, "{i", &size) == LBER_ERROR || size < 0 ||
			    ber_peek_tag(vb, &len) != LBER_OCTETSTRING ||
			    ber_scanf(vb, "m}", &cookie) == LBER_ERROR || cookie.bv_len > 64 ||
			    !control_value_done(vb)) {
				ber_free(vb, 1);
				return LDAP_PROTOCOL_ERROR;
			}
			*bad_oid = NULL;
			req->paged = true;
			req->paged_critical = critical != 0;
			req->page_size = size;
			req->cookie.bv_len = cookie.bv_len;
			req->cookie.bv_val = NULL;
			if (cookie.bv_len > 0) {
				req->cookie.bv_val = malloc(cookie.bv_len);
				if (req->cookie.bv_val == NULL) {
					ber_free(vb, 1);
					return LDAP_OTHER;
				}
				memcpy(req->cookie.bv_val, cookie.bv_val, cookie.bv_len);
			}
			ber_free(vb, 1);
		} else if (strcmp(oid.bv_val, LDAP_CONTROL_SYNC) == 0 &&
		           req->op == LDAP_REQ_SEARCH) {
			/* RFC 4533 2.2: syncRequestValue ::= SEQUENCE { mode
			 *   ENUMERATED, cookie syncCookie OPTIONAL, reloadHint
			 *   BOOLEAN DEFAULT FALSE } */
			BerElement *vb = NULL;
			struct berval cookie = {0, NULL};
			ber_int_t mode = 0, reload = 0;
			int rc;

			*bad_oid = LDAP_CONTROL_SYNC;
			if (req->sync)
				return LDAP_PROTOCOL_ERROR;
			rc = control_value_open(&value, has_value, &vb);
			if (rc != LDAP_SUCCESS)
				return rc;
			if (ber_scanf(vb, "{e", &mode) == LBER_ERROR ||
			    (ber_peek_tag(vb, &len) == LBER_OCTETSTRING &&
			     ber_scanf(vb, "m", &cookie) == LBER_ERROR) ||
			    cookie.bv_len > SYNC_MAX_COOKIE ||
			    (ber_peek_tag(vb, &len) == LBER_BOOLEAN &&
			     ber_scanf(vb, "b", &reload) == LBER_ERROR) ||
			    ber_scanf(vb, "}") == LBER_ERROR || !control_value_done(vb)) {
				ber_free(vb, 1);
				return LDAP_PROTOCOL_ERROR;
			}
			*bad_oid = NULL;
			req->sync = true;
			req->sync_mode = mode;
			req->sync_csn[0] = '\0';
			/* slapd's consumers send back "rid=NNN,csn=..." */
			for (ber_len_t i = 0; i + 4 <= cookie.bv_len; i++) {
				if (memcmp(cookie.bv_val + i, "csn=", 4) != 0 ||
				    (i > 0 && cookie.bv_val[i - 1] != ','))
					continue;
				ber_len_t j = i + 4, k = 0;

				while (j < cookie.bv_len && cookie.bv_val[j] != ',' &&
				       cookie.bv_val[j] != ';' && k + 1 < sizeof(req->sync_csn))
					req->sync_csn[k++] = cookie.bv_val[j++];
				req->sync_csn[k] = '\0';
				break;
			}
			ber_free(vb, 1);
		} else if (strcmp(oid.bv_val, LDAP_CONTROL_MANAGEDSAIT) == 0) {
			/* RFC 3296: we hold no referrals, so there is nothing to manage. */
		} else if (critical) {
			static char oidbuf[MAX_OID + 1];

			memcpy(oidbuf, oid.bv_val, oid.bv_len);
			oidbuf[oid.bv_len] = '\0';
			*bad_oid = oidbuf;
			return LDAP_UNAVAILABLE_CRITICAL_EXTENSION;
		}
	}
	return LDAP_SUCCESS;
}

/* Response type of each request that has one (RFC 4511 4.2 - 4.12). */
static ber_tag_t response_tag(ber_tag_t op)
{
	switch (op) {
	case LDAP_REQ_BIND:
		return LDAP_RES_BIND;
	case LDAP_REQ_SEARCH:
		return LDAP_RES_SEARCH_RESULT;
	case LDAP_REQ_MODIFY:
		return LDAP_RES_MODIFY;
	case LDAP_REQ_ADD:
		return LDAP_RES_ADD;
	case LDAP_REQ_DELETE:
		return LDAP_RES_DELETE;
	case LDAP_REQ_MODDN:
		return LDAP_RES_MODDN;
	case LDAP_REQ_COMPARE:
		return LDAP_RES_COMPARE;
	case LDAP_REQ_EXTENDED:
		return LDAP_RES_EXTENDED;
	default:
		return LBER_DEFAULT;
	}
}

/* Writes: this server is a read-only view of files that are signed by their
 * origins, so every update is refused (RFC 4511 4.6 - 4.9). */
static void write_handle(struct request *req)
{
	struct berval skipped;
	const char *bad = NULL;
	int rc;

	if (ber_skip_element(req->ber, &skipped) == LBER_DEFAULT) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed update request");
		return;
	}
	rc = read_controls(req, &bad);
	if (rc == LDAP_PROTOCOL_ERROR) {
		ldape_disconnect(req->conn, rc, "malformed controls");
		return;
	}
	if (rc == LDAP_SUCCESS)
		rc = LDAP_UNWILLING_TO_PERFORM;
	log_debug("conn %llu op %d: update (tag 0x%lx) refused", (unsigned long long)req->conn->id,
	          req->msgid, (unsigned long)req->op);
	ldape_result(req->conn, req->msgid, response_tag(req->op), rc, "",
	             rc == LDAP_UNWILLING_TO_PERFORM ? "the directory is read-only; changes "
	                                               "come from the origins' signed files"
	                                             : "critical control not supported");
}

static void abandon_handle(struct request *req)
{
	ber_int_t target;
	const char *bad = NULL;

	if (ber_scanf(req->ber, "i", &target) == LBER_ERROR) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed abandon request");
		return;
	}
	/* RFC 4511 4.11: no response; an unknown or finished id is ignored.
	 * Controls are read only to check the encoding. */
	if (read_controls(req, &bad) == LDAP_PROTOCOL_ERROR) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed controls");
		return;
	}
	log_debug("conn %llu op %d: abandon %d", (unsigned long long)req->conn->id, req->msgid,
	          target);
	search_abandon(req->conn, target);
}

static void unbind_handle(struct request *req)
{
	/* RFC 4511 4.3: the server ends the session without a response. */
	log_debug("conn %llu op %d: unbind", (unsigned long long)req->conn->id, req->msgid);
	conn_close(req->conn, false);
}

/* StartTLS (RFC 4511 4.14, RFC 4513 3): answer in clear, then the
 * connection's next bytes are the TLS handshake (see conn_flush). */
static void starttls_handle(struct request *req, bool has_value)
{
	struct conn *c = req->conn;
	const char *why = NULL;
	int rc = LDAP_OPERATIONS_ERROR;
	BerElement *ber;

	if (has_value) {
		rc = LDAP_PROTOCOL_ERROR;
		why = "StartTLS takes no requestValue";
	} else if (!tls_configured()) {
		/* RFC 4511 4.14.2: protocolError when TLS is not supported. */
		rc = LDAP_PROTOCOL_ERROR;
		why = "StartTLS is not offered: no tls: certificate is configured";
	} else if (c->tls_state != TLS_NONE) {
		why = "TLS is already established";
	} else if (c->nsearches > 0 || c->bind_pending) {
		/* RFC 4511 4.14.1: no operation may be outstanding. */
		why = "operations are outstanding";
	}
	if (why != NULL) {
		ldape_result(c, req->msgid, LDAP_RES_EXTENDED, rc, "", why);
		return;
	}
	ber = ber_alloc_t(LBER_USE_DER);
	if (ber == NULL ||
	    ber_printf(ber, "{it{essts}}", req->msgid, LDAP_RES_EXTENDED, (ber_int_t)LDAP_SUCCESS,
	               "", "", LDAP_TAG_EXOP_RES_OID, LDAP_EXOP_START_TLS) == -1) {
		ber_free(ber, 1);
		ldape_result(c, req->msgid, LDAP_RES_EXTENDED, LDAP_OTHER, "", "out of memory");
		return;
	}
	if (conn_queue_ber(c, ber))
		c->tls_state = TLS_STARTING;
}

static void extended_handle(struct request *req)
{
	struct berval oid = {0, NULL}, value = {0, NULL};
	ber_len_t len;
	const char *bad = NULL;
	int rc;
	BerElement *ber;

	if (ber_scanf(req->ber, "{m", &oid) == LBER_ERROR || oid.bv_len > MAX_OID) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed extended request");
		return;
	}
	if (ber_peek_tag(req->ber, &len) == LDAP_TAG_EXOP_REQ_VALUE &&
	    ber_scanf(req->ber, "m", &value) == LBER_ERROR) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed extended request");
		return;
	}
	if (ber_scanf(req->ber, "}") == LBER_ERROR) {
		ldape_disconnect(req->conn, LDAP_PROTOCOL_ERROR, "malformed extended request");
		return;
	}
	rc = read_controls(req, &bad);
	if (rc == LDAP_PROTOCOL_ERROR) {
		ldape_disconnect(req->conn, rc, "malformed controls");
		return;
	}
	log_debug("conn %llu op %d: extended %s", (unsigned long long)req->conn->id, req->msgid,
	          oid.bv_val);
	if (rc != LDAP_SUCCESS) {
		ldape_result(req->conn, req->msgid, LDAP_RES_EXTENDED, rc, "",
		             "critical control not supported");
		return;
	}
	if (strcmp(oid.bv_val, LDAP_EXOP_WHO_AM_I) == 0 && value.bv_val == NULL) {
		/* RFC 4532: the authzId of the session, "" when anonymous. */
		char authz[1100];

		authz[0] = '\0';
		if (req->conn->bound_dn != NULL)
			snprintf(authz, sizeof(authz), "dn:%s", req->conn->bound_dn);
		ber = ber_alloc_t(LBER_USE_DER);
		if (ber == NULL)
			return;
		if (ber_printf(ber, "{it{essto}}", req->msgid, LDAP_RES_EXTENDED,
		               (ber_int_t)LDAP_SUCCESS, "", "", LDAP_TAG_EXOP_RES_VALUE, authz,
		               (ber_len_t)strlen(authz)) == -1) {
			ber_free(ber, 1);
			return;
		}
		conn_queue_ber(req->conn, ber);
		return;
	}
	if (strcmp(oid.bv_val, LDAP_EXOP_START_TLS) == 0) {
		starttls_handle(req, value.bv_val != NULL);
		return;
	}
	/* RFC 4511 4.12: an unknown requestName is a protocolError. */
	ldape_result(req->conn, req->msgid, LDAP_RES_EXTENDED, LDAP_PROTOCOL_ERROR, "",
	             "unsupported extended operation");
}

/* Shared by the handlers that read their own fields: controls next. Returns
 * false when the request was answered (or the connection closed). */
bool ldape_controls(struct request *req)
{
	const char *bad = NULL;
	int rc = read_controls(req, &bad);

	if (rc == LDAP_SUCCESS)
		return true;
	if (rc == LDAP_PROTOCOL_ERROR && bad == NULL) {
		ldape_disconnect(req->conn, rc, "malformed controls");
		return false;
	}
	if (rc == LDAP_PROTOCOL_ERROR) {
		/* A known control with a bad value: the message is whole, so
		 * the request is answered and the session goes on (as slapd). */
		log_debug("conn %llu from %s op %d: malformed value of control %s",
		          (unsigned long long)req->conn->id, req->conn->peer, req->msgid, bad);
		ldape_result(req->conn, req->msgid, response_tag(req->op), rc, "",
		             "malformed control value");
		return false;
	}
	ldape_result(req->conn, req->msgid, response_tag(req->op), rc, "",
	             rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION ? "critical control not supported"
	                                                       : "cannot read controls");
	log_debug("conn %llu op %d: critical control %s refused", (unsigned long long)req->conn->id,
	          req->msgid, bad ? bad : "?");
	return false;
}

static const struct {
	ber_tag_t op;
	const char *name;
	void (*handle)(struct request *req);
} handlers[] = {
    {LDAP_REQ_BIND, "bind", bind_handle},          {LDAP_REQ_UNBIND, "unbind", unbind_handle},
    {LDAP_REQ_SEARCH, "search", search_start},     {LDAP_REQ_MODIFY, "modify", write_handle},
    {LDAP_REQ_ADD, "add", write_handle},           {LDAP_REQ_DELETE, "delete", write_handle},
    {LDAP_REQ_MODDN, "modrdn", write_handle},      {LDAP_REQ_COMPARE, "compare", compare_handle},
    {LDAP_REQ_ABANDON, "abandon", abandon_handle}, {LDAP_REQ_EXTENDED, "extended", extended_handle},
};

void ldape_dispatch(struct conn *c, BerElement *ber)
{
	struct request req = {.conn = c, .ber = ber};
	ber_len_t len;
	size_t i;

	/* RFC 4511 4.1.1: LDAPMessage ::= SEQUENCE { messageID, protocolOp,
	 * controls [0] OPTIONAL }. messageID 0 is reserved for notices.
	 * ber_get_next has already read the SEQUENCE header. */
	if (ber_scanf(ber, "i", &req.msgid) == LBER_ERROR || req.msgid <= 0) {
		ldape_disconnect(c, LDAP_PROTOCOL_ERROR, "bad messageID");
		goto out;
	}
	req.op = ber_peek_tag(ber, &len);
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].op == req.op)
			break;
	if (i == sizeof(handlers) / sizeof(handlers[0])) {
		ldape_disconnect(c, LDAP_PROTOCOL_ERROR, "unknown protocol operation");
		goto out;
	}
	c->ops++;
	if (c->bind_pending && req.op != LDAP_REQ_ABANDON) {
		/* RFC 4511 4.2.1: nothing may be sent during a bind; we do not
		 * read past a BindRequest until it is answered, so this is a
		 * client that did not wait. */
		ldape_disconnect(c, LDAP_PROTOCOL_ERROR, "request during bind");
		goto out;
	}
	handlers[i].handle(&req);
out:
	free(req.cookie.bv_val);
	ber_free(ber, 1);
}
