/* exchange.h - exchanges between PoCs over mail: configuration (mailconf.c),
 * the libcurl SMTP/IMAP transport (mail.c), building and reading messages
 * (mime.c), the append-only records of the state directory (record.c), ping
 * tests (ping.c) and the matching of replies (inbox.c).
 *
 * Records under STATE/exchanges:
 *	<token>.eml          the message exactly as it was sent
 *	<token>.yaml         what was sent: kind, entry, to, subject, sent, due, ...
 *	<token>.answer.yaml  the reply that matched: message-id, from, date, ...
 * Each file is written once, atomically (util.c), under the state lock
 * (history.c); <token>.yaml is written after the .eml and the answer is
 * linked into place without replacing one already there, so a kill -9 leaves
 * either a whole record or none. */
#ifndef POCDIR_EXCHANGE_H
#define POCDIR_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocdir.h"

#define MAIL_DEFAULT_TIMEOUT 30
#define MAIL_DEFAULT_MAX_REPLY (1u << 20) /* a reply larger than this is not read */
#define MAIL_MAX_HEADER (64u << 10)       /* bytes of a reply's header section */
#define MAIL_MAX_SEARCH (1u << 20)        /* bytes of an IMAP SEARCH answer */
#define MAIL_MAX_MESSAGES 10000           /* messages looked at in one fetch */
#define MAIL_MAX_LINE 998                 /* RFC 5322 2.1.1 */
#define MAIL_MAX_FIELDS 500
#define MAIL_DEFAULT_ANSWER_DAYS 7
#define MAIL_TOKEN_LEN 22 /* "pd" and 20 hex digits */
#define EXCHANGE_MAX_RECORD (16u << 10)
#define EXCHANGE_MAX_RECORDS 200000

struct pocdir_mail_config {
	char *file;
	char *state;       /* the sync: section's state, or the default */
	char *from;        /* addr-spec of this node */
	char *from_name;   /* display name, or NULL */
	char *smtp_url;    /* smtps://host:465 or smtp://host:587 (STARTTLS) */
	char *imap_url;    /* imaps://host/INBOX or imap://host/INBOX (STARTTLS) */
	char *credentials; /* netrc(5) file for both, or NULL */
	char *ca_file;     /* CA certificates, or NULL for the system's */
	unsigned timeout;  /* seconds for one SMTP or IMAP operation */
	uint64_t max_reply;
	unsigned ping_interval;    /* seconds; 0 = pocdird sends no pings */
	unsigned ping_answer_days; /* a check unanswered this long is overdue */
	/* notify: */
	unsigned notify_answer_days;
	char *sender_state; /* "Republic of Korea" */
	char *sender_poc;   /* "KrCERT/CC, +82 2 0000 0118" */
	char *sign_key;     /* minisign secret key for the machine-readable part */
	/* routing: */
	char *route_table; /* local RIR delegated-extended file */
	char *route_url;   /* where pocdir routes refresh fetches it, or NULL */
};

/* ---- mail.c: the transport ---- */

/* Is url's host the loopback (127.0.0.0/8, ::1, localhost)? Plain smtp://
 * and imap:// without STARTTLS are allowed only there. */
bool mail_url_loopback(const char *url);

/* Send the message data (len bytes, CRLF lines) to rcpt over SMTP. Returns
 * 0, or -1 with why filled ("SMTP server refused the recipient ...",
 * "timed out after 30 s"). */
int mail_send(const struct pocdir_mail_config *cfg, const char *rcpt, const char *data, size_t len,
              char *why, size_t whysize);

/* An IMAP session: one libcurl handle, so the search and every fetch after
 * it go over one connection and one login. */
struct mail_imap {
	const struct pocdir_mail_config *cfg;
	void *curl; /* CURL * */
};

/* Open (no network yet) and close a session. */
int mail_imap_open(struct mail_imap *s, const struct pocdir_mail_config *cfg, char *why,
                   size_t whysize);
void mail_imap_close(struct mail_imap *s);

/* UID SEARCH criteria (an IMAP search key list, RFC 3501 6.4.4) in the
 * configured mailbox. *uids (free()) receives the UIDs found. Returns the
 * count, or -1 with why. */
int mail_search(struct mail_imap *s, const char *criteria, unsigned long **uids, char *why,
                size_t whysize);

/* Fetch section (RFC 3501 6.4.5: "HEADER", "TEXT", "1") of message uid, at
 * most max bytes, into *out (NUL-terminated, free()). Returns the length or
 * -1 with why ("larger than the limit" when over max). */
long mail_fetch_section(struct mail_imap *s, unsigned long uid, const char *section, size_t max,
                        char **out, char *why, size_t whysize);

/* ---- mime.c: messages ---- */

/* One part of a message. */
struct mime_part {
	const char *type;     /* "text/plain; charset=utf-8" */
	const char *filename; /* Content-Disposition: attachment; filename=..., or NULL */
	const char *data;
	size_t len;
	bool binary; /* base64; text (and JSON, signatures) goes quoted-printable */
};

struct mime_message {
	const char *from, *from_name, *to, *subject;
	const char *message_id; /* without the angle brackets */
	const char *token;
	long long date; /* UTC seconds */
	const struct mime_part *parts;
	size_t nparts;
};

/* Render m as an RFC 5322 message with an RFC 2045 multipart/mixed body:
 * CRLF lines, textual parts quoted-printable, binary ones base64, subject and display
 * name RFC 2047-encoded when not ASCII. *out (free()) and *len. */
int mime_build(const struct mime_message *m, char **out, size_t *len, pocdir_error *err);

/* A new token: "pd" and 20 hex digits from libsodium's generator. */
void mime_token_new(char token[MAIL_TOKEN_LEN + 1]);

/* The fields of a reply's header that matching needs, each bounded. */
struct mime_header {
	char message_id[256];
	char in_reply_to[1024];
	char references[2048];
	char subject[512];
	char from[320];
	char date[80];
	char content_type[512];
	char auto_submitted[64];
	unsigned fields;
};

/* Read a header section (RFC 5322 2.2: fields, folded lines unfolded) of
 * len bytes. Refused, with why: a line over 998 bytes, a field without a
 * colon or with a bad name, NUL or bare CR, bytes that are not UTF-8
 * (RFC 6532), more than MAIL_MAX_FIELDS fields, a multipart Content-Type
 * without a boundary (RFC 2046 5.1.1). */
int mime_header_parse(const char *buf, size_t len, struct mime_header *h, char *why,
                      size_t whysize);

/* The token a reply refers to: the first "<pd...@" message id of
 * In-Reply-To, then References, then "[pocdir pd...]" in the subject.
 * Returns 1 with token filled, 0 when there is none. */
int mime_header_token(const struct mime_header *h, char token[MAIL_TOKEN_LEN + 1]);

/* Is s a token (as mime_token_new makes them)? */
bool mime_token_valid(const char *s);

/* RFC 5322 3.3 date of t (UTC): "Wed, 02 Dec 2026 13:50:00 +0000". */
void mime_date(long long t, char *buf, size_t size);

/* ---- record.c: the state directory's exchanges ---- */

/* What is recorded of a sent message (strings may be NULL or ""). */
struct record_sent {
	pocdir_exchange_kind kind;
	const char *token, *entry, *origin, *to, *from, *subject, *message_id;
	const char *type, *urgency, *tlp;
	long long sent, due;
};

/* Record a sent message: the .eml, then the .yaml, under the state lock. */
int record_sent_write(const char *state, const struct record_sent *r, const char *eml, size_t len,
                      pocdir_error *err);

/* Send eml (len bytes) to r->to over SMTP, then record it: the one path
 * every exchange goes out by, so a message that was not sent is never
 * recorded. Returns 0, or -1 with why ("SMTP server ... refused ...", or
 * "sent, but not recorded: ..."). */
int exchange_send(const struct pocdir_mail_config *cfg, const struct record_sent *r,
                  const char *eml, size_t len, char *why, size_t whysize);

struct record_answer {
	const char *token, *message_id, *from, *subject, *date;
	long long date_time; /* parsed Date:, clamped */
	long long fetched;
	unsigned long uid;
};

/* Record the answer to token. Returns 1 when written, 0 when the exchange
 * already has one (kept), -1 with err (POCDIR_ERR_NOTFOUND when no exchange
 * has that token). */
int record_answer_write(const char *state, const struct record_answer *a, pocdir_error *err);

/* Every exchange (both kinds) in state, oldest first; as
 * pocdir_exchange_list. */
int record_list(const char *state, pocdir_exchange **out, pocdir_error *err);

/* ---- inbox.c ---- */

/* What a reply's header says, as inbox_match read it. */
struct inbox_reply {
	struct mime_header h;
	bool parsed;                    /* h holds the header's fields */
	char token[MAIL_TOKEN_LEN + 1]; /* "" when the reply names none */
	pocdir_exchange *ex;            /* the exchange of token, or NULL */
	long long date;                 /* an answer's Date:, clamped to ex->sent..now */
};

enum { INBOX_REFUSED = -1, INBOX_KNOWN = 0, INBOX_ANSWER = 1 };

/* Match a reply's header section (len bytes, as the IMAP server returned
 * it) to one of the nx exchanges x, as of now: INBOX_ANSWER (r->ex and
 * r->date to record), INBOX_KNOWN (r->ex was answered before) or
 * INBOX_REFUSED with why (not a reply to us, our own message, an automatic
 * reply, a header that does not parse). */
int inbox_match(const char *hdr, size_t len, pocdir_exchange *x, size_t nx, long long now,
                struct inbox_reply *r, char *why, size_t whysize);

/* ---- ping.c ---- */

/* The pure core of the report: rows per entry from exchanges (any kind;
 * pings are picked), oldest first, as of now. *out is free()d by the
 * caller. Returns the count or -1. */
int ping_status_compute(const pocdir_exchange *x, size_t n, long long now, pocdir_ping_status **out,
                        pocdir_error *err);

/* ---- stix.c: the machine-readable part of a notification ---- */

/* What a notification says, checked and normalised by notify.c. */
struct notify_fields {
	const char *token, *type, *urgency, *tlp, *summary, *action;
	const char *first_seen, *last_seen; /* RFC 3339 UTC, or NULL */
	const char *sender_state, *sender_poc, *sender_address;
	const char *recipient, *country; /* "KR/krcert", "KR" */
	const char *refers_to;
	const pocdir_ioc *iocs;
	size_t nioc;
	long long now;
};

/* The disclaimer every notification carries (text and machine parts). */
extern const char notify_disclaimer[];

/* Render f as a STIX 2.1 bundle (JSON, RFC 8259): the sender's identity,
 * the TLP marking, an indicator per address, domain, URL, e-mail or hash
 * (STIX patterns), a malware object per name with "indicates"
 * relationships, sightings when first/last seen are given, and a report
 * that refers to them all and carries the template's fields. *out
 * (free()) and *len. */
int stix_render(const struct notify_fields *f, char **out, size_t *len, pocdir_error *err);

#endif /* POCDIR_EXCHANGE_H */
