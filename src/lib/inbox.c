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

/* One message: fetch its header, match it, record it. */
static void inbox_one(const struct pocdir_mail_config *cfg, struct mail_imap *imap,
                      pocdir_exchange *x, size_t nx, unsigned long uid, long long now,
                      pocdir_mail_event_fn fn, void *ctx, pocdir_mail_report *rep)
{
	char why[700], token[MAIL_TOKEN_LEN + 1], own[MAIL_TOKEN_LEN + 3];
	struct mime_header h;
	pocdir_exchange *ex;
	pocdir_error err = {0};
	char *hdr = NULL;
	long len;
	int r;

	rep->messages++;
	len = mail_fetch_section(imap, uid, "HEADER", MAIL_MAX_HEADER, &hdr, why, sizeof(why));
	if (len < 0) {
		char msg[800];

		snprintf(msg, sizeof(msg), "header not read: %s", why);
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, NULL, NULL, uid, msg);
		return;
	}
	r = mime_header_parse(hdr, (size_t)len, &h, why, sizeof(why));
	free(hdr);
	if (r == -1) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, NULL, NULL, uid, why);
		return;
	}
	if (!mime_header_token(&h, token)) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, h.from, NULL, uid,
		     "no pocdir token in In-Reply-To, References or the subject: not a reply");
		return;
	}
	if ((ex = find_token(x, nx, token)) == NULL) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, NULL, h.from, token, uid,
		     "its token matches nothing sent from this node");
		return;
	}
	/* A copy of our own message (Bcc, a list) carries the token too. */
	snprintf(own, sizeof(own), "<%s@", token);
	if (strncmp(h.message_id, own, strlen(own)) == 0) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, ex->entry, h.from, token, uid,
		     "this node's own message, not a reply");
		return;
	}
	/* RFC 3834 5: an automatic reply (out of office) proves the mailbox,
	 * not that the PoC read the check. */
	if (h.auto_submitted[0] != '\0' && strncasecmp(h.auto_submitted, "no", 2) != 0) {
		rep->refused++;
		snprintf(why, sizeof(why),
		         "an automatic reply (Auto-Submitted: %.40s), not an answer",
		         h.auto_submitted);
		emit(fn, ctx, POCDIR_MAIL_REFUSED, ex->entry, h.from, token, uid, why);
		return;
	}
	if (ex->answered != 0) {
		rep->known++;
		emit(fn, ctx, POCDIR_MAIL_KNOWN, ex->entry, h.from, token, uid, "answered before");
		return;
	}
	/* The reply's own Date, kept within what is possible: not before the
	 * check went out, not after we fetched it. */
	long long date = h.date[0] != '\0' ? (long long)curl_getdate(h.date, NULL) : -1;
	if (date < ex->sent)
		date = date == -1 ? now : ex->sent;
	if (date > now)
		date = now;
	struct record_answer a = {token, h.message_id, h.from, h.subject, h.date, date, now, uid};
	r = record_answer_write(cfg->state, &a, &err);
	if (r == -1) {
		rep->refused++;
		emit(fn, ctx, POCDIR_MAIL_REFUSED, ex->entry, h.from, token, uid, err.message);
		return;
	}
	ex->answered = now;
	ex->answer_date = date;
	if (r == 0) {
		rep->known++;
		emit(fn, ctx, POCDIR_MAIL_KNOWN, ex->entry, h.from, token, uid, "answered before");
		return;
	}
	rep->answers++;
	emit(fn, ctx, POCDIR_MAIL_ANSWER, ex->entry, h.from, token, uid, NULL);
}

int pocdir_mail_fetch(const pocdir_mail_config *cfg, long long now, pocdir_mail_event_fn fn,
                      void *ctx, pocdir_mail_report *rep, pocdir_error *err)
{
	pocdir_mail_report local = {0};
	pocdir_exchange *x = NULL;
	struct mail_imap imap = {cfg, NULL};
	unsigned long *uids = NULL;
	char since[32], criteria[128], why[700];
	long long oldest;
	int nx, n;

	error_clear(err);
	if (rep == NULL)
		rep = &local;
	{
		/* Every member is of the first version: keep the caller's size. */
		size_t size = rep->size;

		memset(rep, 0, sizeof(*rep));
		rep->size = size;
	}
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
