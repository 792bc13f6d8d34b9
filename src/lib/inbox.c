/* inbox.c - reading replies: the IMAP mailbox searched for messages since
 * the oldest open exchange, each header fetched (bounded) and matched to an
 * exchange by its token; what matches is recorded as the answer. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "abi.h"
#include "exchange.h"
#include "history.h"
#include "util.h"

static void emit(pocdir_mail_event_fn fn, void *ctx, pocdir_mail_event_kind kind, const char *entry,
                 const char *address, const char *token, unsigned long uid, const char *message)
{
	pocdir_mail_event ev = {kind, entry, address, token, uid, message};

	if (fn != NULL)
		fn(&ev, ctx);
}

/* RFC 3501 9: date = day "-" month "-" year, as SEARCH SINCE takes it. */
static void imap_date(long long t, char *buf, size_t size)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, size, "%d-%s-%04d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

static pocdir_exchange *find_token(pocdir_exchange *x, size_t n, const char *token)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(x[i].token, token) == 0)
			return &x[i];
	return NULL;
}

int inbox_match(const char *hdr, size_t len, pocdir_exchange *x, size_t nx, long long now,
                struct inbox_reply *r, char *why, size_t whysize)
{
	memset(r, 0, sizeof(*r));
	if (mime_header_parse(hdr, len, &r->h, why, whysize) == -1)
		return INBOX_REFUSED;
	r->parsed = true;
	if (!mime_header_token(&r->h, r->token)) {
		snprintf(why, whysize, "%s",
		         "no pocdir token in In-Reply-To, References or the subject: not a reply");
		return INBOX_REFUSED;
	}
	if ((r->ex = find_token(x, nx, r->token)) == NULL) {
		snprintf(why, whysize, "%s", "its token matches nothing sent from this node");
		return INBOX_REFUSED;
	}
	/* A copy of our own message (Bcc, a list) carries the token too. */
	char own[MAIL_TOKEN_LEN + 3];
	snprintf(own, sizeof(own), "<%s@", r->token);
	if (strncmp(r->h.message_id, own, strlen(own)) == 0) {
		snprintf(why, whysize, "%s", "this node's own message, not a reply");
		return INBOX_REFUSED;
	}
	/* RFC 3834 5: an automatic reply (out of office) proves the mailbox,
	 * not that the PoC read the check. */
	if (r->h.auto_submitted[0] != '\0' && strncasecmp(r->h.auto_submitted, "no", 2) != 0) {
		snprintf(why, whysize, "an automatic reply (Auto-Submitted: %.40s), not an answer",
		         r->h.auto_submitted);
		return INBOX_REFUSED;
	}
	if (r->ex->answered != 0)
		return INBOX_KNOWN;
	/* The reply's own Date, kept within what is possible: not before the
	 * check went out, not after we fetched it. */
	r->date = r->h.date[0] != '\0' ? (long long)curl_getdate(r->h.date, NULL) : -1;
	if (r->date < r->ex->sent)
		r->date = r->date == -1 ? now : r->ex->sent;
	if (r->date > now)
		r->date = now;
	return INBOX_ANSWER;
}

/* One message: fetch its header, match it, record it. */
static void inbox_one(const struct pocdir_mail_config *cfg, struct mail_imap *imap,
                      pocdir_exchange *x, size_t nx, unsigned long uid, long long now,
                      pocdir_mail_event_fn fn, void *ctx, pocdir_mail_report *rep)
{
	char why[700];
	struct inbox_reply r;
	pocdir_error err = {0};
	char *hdr = NULL;
	long len;
	int verdict;

	rep->messages++;
	len = mail_fetch_section(imap, uid, "HEADER", MAIL_MAX_HEADER, &hdr, why, sizeof(why));
	if (len < 0) {
		char msg[800];

		snprintf(msg, sizeof(msg), "header not read: %s", why);
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, NULL, NULL, uid, msg);
		return;
	}
	verdict = inbox_match(hdr, (size_t)len, x, nx, now, &r, why, sizeof(why));
	free(hdr);
	const char *entry = r.ex != NULL ? r.ex->entry : NULL;
	const char *from = r.parsed ? r.h.from : NULL;
	const char *token = r.token[0] != '\0' ? r.token : NULL;
	if (verdict == INBOX_REFUSED) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, entry, from, token, uid, why);
		return;
	}
	if (verdict == INBOX_KNOWN) {
		rep->known++;
		emit(fn, ctx, POCDIR_MAIL_KNOWN, entry, from, token, uid, "answered before");
		return;
	}
	struct record_answer a = {r.token,  r.h.message_id, r.h.from, r.h.subject,
	                          r.h.date, r.date,         now,      uid};
	int rc = record_answer_write(cfg->state, &a, &err);
	if (rc == -1) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, entry, from, token, uid, err.message);
		return;
	}
	r.ex->answered = now;
	r.ex->answer_date = r.date;
	if (rc == 0) {
		rep->known++;
		emit(fn, ctx, POCDIR_MAIL_KNOWN, entry, from, token, uid, "answered before");
		return;
	}
	rep->answers++;
	emit(fn, ctx, POCDIR_MAIL_ANSWER, entry, from, token, uid, NULL);
}

static int mail_fetch(const pocdir_mail_config *cfg, long long now, pocdir_mail_event_fn fn,
                      void *ctx, pocdir_mail_report *rep, pocdir_error *err)
{
	pocdir_exchange *x = NULL;
	struct mail_imap imap = {cfg, NULL};
	unsigned long *uids = NULL;
	char since[32], criteria[128], why[700];
	long long oldest;
	int nx, n;

	error_clear(err);
	if (cfg->imap_url == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "%s: mail: needs imap: to read replies",
		                 cfg->file);
	if (now == 0)
		now = (long long)time(NULL);
	if ((nx = record_list(cfg->state, &x, err)) < 0)
		return -1;
	if (mail_imap_open(&imap, cfg, why, sizeof(why)) == -1)
		goto fail;
	/* From a day before the oldest open exchange: SINCE compares dates in
	 * the server's time zone (RFC 3501 6.4.4). */
	oldest = now;
	for (int i = 0; i < nx; i++)
		if (x[i].answered == 0 && x[i].sent < oldest)
			oldest = x[i].sent;
	imap_date(oldest - 86400, since, sizeof(since));

	/* The server measures sizes (RFC 3501 6.4.4 LARGER): a huge message is
	 * never downloaded. */
	snprintf(criteria, sizeof(criteria), "SINCE %s LARGER %llu", since,
	         (unsigned long long)cfg->max_reply);
	if ((n = mail_search(&imap, criteria, &uids, why, sizeof(why))) < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		char msg[200];

		snprintf(msg, sizeof(msg),
		         "larger than the limit of %llu bytes (mail: max-reply); "
		         "not read",
		         (unsigned long long)cfg->max_reply);
		rep->messages++;
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, NULL, NULL, uids[i], msg);
	}
	free(uids);
	snprintf(criteria, sizeof(criteria), "SINCE %s NOT LARGER %llu", since,
	         (unsigned long long)cfg->max_reply);
	if ((n = mail_search(&imap, criteria, &uids, why, sizeof(why))) < 0)
		goto fail;
	for (int i = 0; i < n; i++)
		inbox_one(cfg, &imap, x, (size_t)nx, uids[i], now, fn, ctx, rep);
	free(uids);
	mail_imap_close(&imap);
	free(x);
	return 0;
fail:
	mail_imap_close(&imap);
	free(x);
	return error_set(err, POCDIR_ERR_SYSTEM, "%s", why);
}

int pocdir_mail_fetch(const pocdir_mail_config *cfg, long long now, pocdir_mail_event_fn fn,
                      void *ctx, pocdir_mail_report *rep, pocdir_error *err)
{
	pocdir_mail_report full = {0};
	int rc = mail_fetch(cfg, now, fn, ctx, &full, err);

	if (rep != NULL)
		abi_out(rep, &full, sizeof(full), ABI_MAIL_REPORT_V1);
	return rc;
}
