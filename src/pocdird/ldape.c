/* ldape.c - the LDAP message envelope (RFC 4511 4.1): decode the messageID
 * and controls, dispatch each operation to its handler through one table,
 * and answer each request from the result code its handler returns (the one
 * encoder of LDAPResults, the Notice of Disconnection's included). */
#include "config.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>

#include "pocdird.h"
#include "util.h"

#define MAX_CONTROLS 32
#define MAX_OID 256
#define SYNC_MAX_COOKIE 512

/* Response type of each request that has one (RFC 4511 4.2 - 4.14). */
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

/* The LDAPMessage answering req with rc (RFC 4511 4.1.1, 4.1.9): the
 * LDAPResult in the response type of its operation, an ExtendedResponse's
 * name and value (4.12), the response control (4.1.11). NULL when out of
 * memory; the caller frees it with ber_free(ber, 1). */
static BerElement *result_encode(const struct request *req, int rc)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		return NULL;
	if (ber_printf(ber, "{it{ess", req->msgid, response_tag(req->op), (ber_int_t)rc,
	               req->matched ? req->matched : "", req->text ? req->text : "") == -1 ||
	    (req->response_name != NULL &&
	     ber_printf(ber, "ts", LDAP_TAG_EXOP_RES_OID, req->response_name) == -1) ||
	    (req->response_value.bv_val != NULL &&
	     ber_printf(ber, "tO", LDAP_TAG_EXOP_RES_VALUE, &req->response_value) == -1) ||
	    ber_printf(ber, "}") == -1 ||
	    (req->control_oid != NULL && ber_printf(ber, "t{{sO}}", LDAP_TAG_CONTROLS,
	                                            req->control_oid, &req->control_value) == -1) ||
	    ber_printf(ber, "}") == -1) {
		ber_free(ber, 1);
		return NULL;
	}
	return ber;
}

void request_free(struct request **reqp)
{
	struct request *req = *reqp;

	if (req == NULL)
		return;
	free(req->cookie.bv_val);
	free(req->matched);
	free(req->text_copy);
	ber_memfree(req->response_value.bv_val);
	ber_memfree(req->control_value.bv_val);
	free(req);
	*reqp = NULL;
}

void ldape_respond(struct request **reqp, int rc)
{
	struct request *req = *reqp;
	struct conn *c = req->conn;
	BerElement *ber;

	if (rc == LDAPE_DISCONNECT) {
		ldape_disconnect(c, LDAP_PROTOCOL_ERROR, req->text);
	} else if (rc >= 0 && response_tag(req->op) != LBER_DEFAULT) {
		ber = result_encode(req, rc);
		if (ber != NULL) {
			conn_queue_ber(c, ber);
		} else {
			/* A client waiting for an answer that cannot come would
			 * wait for ever. */
			log_err("conn %llu op %d: out of memory for the answer; closing",
			        (unsigned long long)c->id, req->msgid);
			conn_close(c, false);
		}
	}
	request_free(reqp);
}

int ldape_text_copy(struct request *req, int rc, const char *text)
{
	free(req->text_copy);
	req->text_copy = str_dup(text);
	req->text = req->text_copy != NULL ? req->text_copy : "out of memory";
	return rc;
}

BerElement *ldape_notice_encode(int rc, const char *text)
{
	/* RFC 4511 4.4.1: messageID 0, an ExtendedResponse named
	 * 1.3.6.1.4.1.1466.20036, then the server closes the connection. */
	struct request notice = {.msgid = 0,
	                         .op = LDAP_REQ_EXTENDED,
	                         .text = text,
	                         .response_name = LDAP_NOTICE_OF_DISCONNECTION};

	return result_encode(&notice, rc);
}

void ldape_notice(struct conn *c, int rc, const char *text)
{
	BerElement *ber = ldape_notice_encode(rc, text);

	log_debug("conn %llu: notice of disconnection: %s", (unsigned long long)c->id, text);
	if (ber != NULL)
		conn_queue_ber(c, ber);
}

void ldape_disconnect(struct conn *c, int rc, const char *text)
{
	ldape_notice(c, rc, text);
	conn_close(c, true);
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

int ldape_controls(struct request *req)
{
	const char *bad = NULL;
	int rc = read_controls(req, &bad);

	if (rc == LDAP_SUCCESS)
		return rc;
	if (rc == LDAP_PROTOCOL_ERROR && bad == NULL) {
		req->text = "malformed controls";
		return LDAPE_DISCONNECT;
	}
	if (rc == LDAP_PROTOCOL_ERROR) {
		/* A known control with a bad value: the message is whole, so
		 * the request is answered and the session goes on (as slapd). */
		log_debug("conn %llu from %s op %d: malformed value of control %s",
		          (unsigned long long)req->conn->id, req->conn->peer, req->msgid, bad);
		req->text = "malformed control value";
		return rc;
	}
	log_debug("conn %llu op %d: critical control %s refused", (unsigned long long)req->conn->id,
	          req->msgid, bad ? bad : "?");
	req->text = rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION ? "critical control not supported"
	                                                      : "cannot read controls";
	return rc;
}

/* Writes: this server is a read-only view of files that are signed by their
 * origins, so every update is refused (RFC 4511 4.6 - 4.9). */
static int write_handle(struct request *req)
{
	struct berval skipped;
	int rc;

	if (ber_skip_element(req->ber, &skipped) == LBER_DEFAULT) {
		req->text = "malformed update request";
		return LDAPE_DISCONNECT;
	}
	rc = ldape_controls(req);
	if (rc == LDAPE_DISCONNECT)
		return rc;
	log_debug("conn %llu op %d: update (tag 0x%lx) refused", (unsigned long long)req->conn->id,
	          req->msgid, (unsigned long)req->op);
	if (rc != LDAP_SUCCESS)
		return rc;
	req->text = "the directory is read-only; changes come from the origins' signed files";
	return LDAP_UNWILLING_TO_PERFORM;
}

static int abandon_handle(struct request *req)
{
	ber_int_t target;
	const char *bad = NULL;

	if (ber_scanf(req->ber, "i", &target) == LBER_ERROR) {
		req->text = "malformed abandon request";
		return LDAPE_DISCONNECT;
	}
	/* RFC 4511 4.11: no response; an unknown or finished id is ignored.
	 * Controls are read only to check the encoding. */
	if (read_controls(req, &bad) == LDAP_PROTOCOL_ERROR) {
		req->text = "malformed controls";
		return LDAPE_DISCONNECT;
	}
	log_debug("conn %llu op %d: abandon %d", (unsigned long long)req->conn->id, req->msgid,
	          target);
	search_abandon(req->conn, target);
	return LDAPE_NO_RESPONSE;
}

static int unbind_handle(struct request *req)
{
	/* RFC 4511 4.3: the server ends the session without a response. */
	log_debug("conn %llu op %d: unbind", (unsigned long long)req->conn->id, req->msgid);
	conn_close(req->conn, false);
	return LDAPE_NO_RESPONSE;
}

/* StartTLS (RFC 4511 4.14, RFC 4513 3): answer in clear, then the
 * connection's next bytes are the TLS handshake (see conn_flush). */
static int starttls_handle(struct request *req, bool has_value)
{
	struct conn *c = req->conn;

	if (has_value) {
		req->text = "StartTLS takes no requestValue";
		return LDAP_PROTOCOL_ERROR;
	}
	if (!tls_configured()) {
		/* RFC 4511 4.14.2: protocolError when TLS is not supported. */
		req->text = "StartTLS is not offered: no tls: certificate is configured";
		return LDAP_PROTOCOL_ERROR;
	}
	if (c->tls_state != TLS_NONE) {
		req->text = "TLS is already established";
		return LDAP_OPERATIONS_ERROR;
	}
	if (c->nsearches > 0 || c->bind_pending) {
		/* RFC 4511 4.14.1: no operation may be outstanding. */
		req->text = "operations are outstanding";
		return LDAP_OPERATIONS_ERROR;
	}
	/* Nothing is read meanwhile; conn_flush starts the handshake once
	 * this answer is out (or the connection closes if it cannot go). */
	c->tls_state = TLS_STARTING;
	req->response_name = LDAP_EXOP_START_TLS;
	return LDAP_SUCCESS;
}

/* Who am I? (RFC 4532): the authzId of the session, "" when anonymous. */
static int whoami_handle(struct request *req)
{
	char authz[1100];

	authz[0] = '\0';
	if (req->conn->bound_dn != NULL)
		snprintf(authz, sizeof(authz), "dn:%s", req->conn->bound_dn);
	if (ber_str2bv(authz, strlen(authz), 1, &req->response_value) == NULL) {
		req->text = "out of memory";
		return LDAP_OTHER;
	}
	return LDAP_SUCCESS;
}

static int extended_handle(struct request *req)
{
	struct berval oid = {0, NULL}, value = {0, NULL};
	ber_len_t len;
	int rc;

	if (ber_scanf(req->ber, "{m", &oid) == LBER_ERROR || oid.bv_len > MAX_OID ||
	    (ber_peek_tag(req->ber, &len) == LDAP_TAG_EXOP_REQ_VALUE &&
	     ber_scanf(req->ber, "m", &value) == LBER_ERROR) ||
	    ber_scanf(req->ber, "}") == LBER_ERROR) {
		req->text = "malformed extended request";
		return LDAPE_DISCONNECT;
	}
	rc = ldape_controls(req);
	if (rc == LDAPE_DISCONNECT)
		return rc;
	log_debug("conn %llu op %d: extended %s", (unsigned long long)req->conn->id, req->msgid,
	          oid.bv_val);
	if (rc != LDAP_SUCCESS)
		return rc;
	if (strcmp(oid.bv_val, LDAP_EXOP_WHO_AM_I) == 0 && value.bv_val == NULL)
		return whoami_handle(req);
	if (strcmp(oid.bv_val, LDAP_EXOP_START_TLS) == 0)
		return starttls_handle(req, value.bv_val != NULL);
	/* RFC 4511 4.12: an unknown requestName is a protocolError. */
	req->text = "unsupported extended operation";
	return LDAP_PROTOCOL_ERROR;
}

/* Each operation's handler: it reads the rest of the request and returns
 * its result code or what else is to be done (LDAPE_*). */
static const struct {
	ber_tag_t op;
	const char *name;
	int (*handle)(struct request *req);
} handlers[] = {
    {LDAP_REQ_BIND, "bind", bind_handle},          {LDAP_REQ_UNBIND, "unbind", unbind_handle},
    {LDAP_REQ_SEARCH, "search", search_start},     {LDAP_REQ_MODIFY, "modify", write_handle},
    {LDAP_REQ_ADD, "add", write_handle},           {LDAP_REQ_DELETE, "delete", write_handle},
    {LDAP_REQ_MODDN, "modrdn", write_handle},      {LDAP_REQ_COMPARE, "compare", compare_handle},
    {LDAP_REQ_ABANDON, "abandon", abandon_handle}, {LDAP_REQ_EXTENDED, "extended", extended_handle},
};

void ldape_dispatch(struct conn *c, BerElement *ber)
{
	struct request *req = calloc(1, sizeof(*req));
	ber_len_t len;
	size_t i;
	int rc;

	if (req == NULL) {
		log_err("conn %llu: out of memory for a request; closing",
		        (unsigned long long)c->id);
		ber_free(ber, 1);
		conn_close(c, false);
		return;
	}
	req->conn = c;
	req->ber = ber;
	/* RFC 4511 4.1.1: LDAPMessage ::= SEQUENCE { messageID, protocolOp,
	 * controls [0] OPTIONAL }. messageID 0 is reserved for notices.
	 * ber_get_next has already read the SEQUENCE header. */
	if (ber_scanf(ber, "i", &req->msgid) == LBER_ERROR || req->msgid <= 0) {
		req->text = "bad messageID";
		rc = LDAPE_DISCONNECT;
		goto out;
	}
	req->op = ber_peek_tag(ber, &len);
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].op == req->op)
			break;
	if (i == sizeof(handlers) / sizeof(handlers[0])) {
		req->text = "unknown protocol operation";
		rc = LDAPE_DISCONNECT;
		goto out;
	}
	c->ops++;
	if (c->bind_pending && req->op != LDAP_REQ_ABANDON) {
		/* RFC 4511 4.2.1: nothing may be sent during a bind; we do not
		 * read past a BindRequest until it is answered, so this is a
		 * client that did not wait. */
		req->text = "request during bind";
		rc = LDAPE_DISCONNECT;
		goto out;
	}
	rc = handlers[i].handle(req);
out:
	/* LDAPE_LATER: req belongs to the search or the bind now (and may
	 * be answered and gone already). */
	if (rc != LDAPE_LATER)
		ldape_respond(&req, rc);
	ber_free(ber, 1);
}
