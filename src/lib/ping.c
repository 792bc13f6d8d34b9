/* ping.c - ping tests: a communication check mailed to each PoC chosen,
 * recorded as sent, and the report of who answered and how fast. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi.h"
#include "exchange.h"
#include "export.h"
#include "history.h"
#include "util.h"

static void emit(pocdir_mail_event_fn fn, void *ctx, pocdir_mail_event_kind kind, const char *entry,
                 const char *address, const char *token, const char *message)
{
	pocdir_mail_event ev = {kind, entry, address, token, 0, message};

	if (fn != NULL)
		fn(&ev, ctx);
}

static void iso_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The text a person reads, and the JSON a program reads. */
static int ping_render(const struct pocdir_mail_config *cfg, const pocdir_entry *e, const char *key,
                       const char *to, const char *token, long long now, char **text, char **json,
                       pocdir_error *err)
{
	const char *const *v;
	const char *agency = pocdir_entry_get(e, "o", &v) > 0 ? v[0] : "";
	char when[32], *tb = NULL, *jb = NULL;
	size_t tl = 0, jl = 0;
	FILE *t, *j;

	iso_time(now, when, sizeof(when));
	if ((t = open_memstream(&tb, &tl)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	fprintf(t,
	        "This is a communication check (ping test) of the directory of points of\n"
	        "contact, sent by %s%s<%s> at %s.\n\n"
	        "Please reply to this message, keeping its subject line, so that we know\n"
	        "this address reaches you. Nothing else is needed.\n\n"
	        "Contact checked: %s - %s <%s>\n"
	        "Reference:       %s\n",
	        cfg->from_name != NULL ? cfg->from_name : "", cfg->from_name != NULL ? " " : "",
	        cfg->from, when, key, agency, to, token);
	if (fclose(t) != 0 || tb == NULL)
		goto oom;
	if ((j = open_memstream(&jb, &jl)) == NULL)
		goto oom;
	fputs("{\"type\": \"pocdir-ping\", \"version\": 1, \"token\": ", j);
	export_json_quote(token, j);
	fputs(", \"entry\": ", j);
	export_json_quote(key, j);
	fputs(", \"origin\": ", j);
	export_json_quote(pocdir_entry_origin(e), j);
	fputs(", \"to\": ", j);
	export_json_quote(to, j);
	fputs(", \"from\": ", j);
	export_json_quote(cfg->from, j);
	fprintf(j, ", \"sent\": \"%s\"}\n", when);
	if (fclose(j) != 0 || jb == NULL)
		goto oom;
	*text = tb;
	*json = jb;
	return 0;
oom:
	free(tb);
	free(jb);
	return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
}

/* Send one check to entry e and record it. Returns 0, or -1 with why. */
static int ping_one(const struct pocdir_mail_config *cfg, const pocdir_entry *e, const char *key,
                    const char *to, long long now, char token[MAIL_TOKEN_LEN + 1], char *why,
                    size_t whysize)
{
	char subject[300], msgid[400], *text = NULL, *json = NULL, *eml = NULL;
	const char *domain = strrchr(cfg->from, '@') + 1;
	pocdir_error err = {0};
	size_t len = 0;
	int rc = -1;

	mime_token_new(token);
	snprintf(subject, sizeof(subject), "[pocdir %s] Communication check for %s", token, key);
	/* RFC 5322 3.6.4: the token before "@" and this node's domain make
	 * the id unique; replies quote it in In-Reply-To and References. */
	snprintf(msgid, sizeof(msgid), "%s@%s", token, domain);
	if (ping_render(cfg, e, key, to, token, now, &text, &json, &err) == -1)
		goto out;
	struct mime_part parts[] = {
	    {"text/plain; charset=utf-8", NULL, text, strlen(text), false},
	    {"application/json", "pocdir-ping.json", json, strlen(json), false},
	};
	struct mime_message m = {cfg->from, cfg->from_name, to, subject, msgid, token,
	                         now,       parts,          2};
	if (mime_build(&m, &eml, &len, &err) == -1)
		goto out;
	struct record_sent r = {.kind = POCDIR_EXCHANGE_PING,
	                        .token = token,
	                        .entry = key,
	                        .origin = pocdir_entry_origin(e),
	                        .to = to,
	                        .from = cfg->from,
	                        .subject = subject,
	                        .message_id = msgid,
	                        .sent = now,
	                        .due = now + (long long)cfg->ping_answer_days * 86400};
	if (exchange_send(cfg, &r, eml, len, why, whysize) == -1)
		goto done;
	rc = 0;
	goto done;
out:
	snprintf(why, whysize, "%s", err.message);
done:
	free(text);
	free(json);
	free(eml);
	return rc;
}

static int ping_send(const pocdir_mail_config *cfg, pocdir *dir, const pocdir_query *q,
                     const char *origin, long long now, pocdir_mail_event_fn fn, void *ctx,
                     pocdir_mail_report *rep, pocdir_error *err)
{
	pocdir_result *res = NULL;
	size_t count, tried = 0;

	error_clear(err);
	if (cfg->from == NULL || cfg->smtp_url == NULL)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "%s: a mail: section with from: and smtp: is needed to send",
		                 cfg->file);
	if (now == 0)
		now = (long long)time(NULL);
	if ((q != NULL ? pocdir_lookup(dir, q, &res, err) : pocdir_all(dir, &res, err)) == -1)
		return -1;
	count = pocdir_result_count(res);
	for (size_t i = 0; i < count; i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);
		const char *const *mail;
		char key[80], token[MAIL_TOKEN_LEN + 1] = "", why[1200] = "";

		if (origin != NULL && strcmp(pocdir_entry_origin(e), origin) != 0)
			continue;
		tried++;
		snprintf(key, sizeof(key), "%s/%s", pocdir_entry_country(e), pocdir_entry_id(e));
		if (pocdir_entry_get(e, "mail", &mail) == 0) {
			rep->no_address++;
			emit(fn, ctx, POCDIR_MAIL_NO_ADDRESS, key, NULL, NULL,
			     "no e-mail address to check");
			continue;
		}
		if (ping_one(cfg, e, key, mail[0], now, token, why, sizeof(why)) == -1) {
			rep->failed++;
			emit(fn, ctx, POCDIR_MAIL_SEND_FAILED, key, mail[0], NULL, why);
			if (rep->failed == 1)
				error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", key, why);
			continue;
		}
		rep->sent++;
		emit(fn, ctx, POCDIR_MAIL_SENT, key, mail[0], token, NULL);
	}
	pocdir_result_free(&res);
	if (tried == 0)
		return error_set(err, POCDIR_ERR_NOTFOUND, "no contact matches%s%s",
		                 origin != NULL ? " in origin " : "", origin != NULL ? origin : "");
	return (int)rep->sent;
}

int pocdir_ping_send(const pocdir_mail_config *cfg, pocdir *dir, const pocdir_query *q,
                     const char *origin, long long now, pocdir_mail_event_fn fn, void *ctx,
                     pocdir_mail_report *rep, pocdir_error *err)
{
	pocdir_mail_report full = {0};
	int rc = ping_send(cfg, dir, q, origin, now, fn, ctx, &full, err);

	if (rep != NULL)
		abi_out(rep, &full, sizeof(full), ABI_MAIL_REPORT_V1);
	return rc;
}

static int by_entry(const void *a, const void *b)
{
	return strcmp(((const pocdir_ping_status *)a)->entry,
	              ((const pocdir_ping_status *)b)->entry);
}

int ping_status_compute(const pocdir_exchange *x, size_t n, long long now, pocdir_ping_status **out,
                        pocdir_error *err)
{
	pocdir_ping_status *rows = NULL;
	size_t nrows = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		pocdir_ping_status *r = NULL;

		if (x[i].kind != POCDIR_EXCHANGE_PING)
			continue;
		for (size_t j = 0; j < nrows; j++)
			if (strcmp(rows[j].entry, x[i].entry) == 0) {
				r = &rows[j];
				break;
			}
		if (r == NULL) {
			pocdir_ping_status *nr = realloc(rows, (nrows + 1) * sizeof(*rows));

			if (nr == NULL) {
				free(rows);
				return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			}
			rows = nr;
			r = &rows[nrows++];
			memset(r, 0, sizeof(*r));
			snprintf(r->entry, sizeof(r->entry), "%s", x[i].entry);
		}
		/* x is oldest first: each check replaces the "latest" fields. */
		r->checks++;
		snprintf(r->to, sizeof(r->to), "%s", x[i].to);
		r->last_check = x[i].sent;
		r->last_answer = x[i].answered;
		r->rtt = -1;
		r->overdue = 0;
		if (x[i].answered != 0) {
			long long when = x[i].answer_date != 0 ? x[i].answer_date : x[i].answered;

			r->answers++;
			r->rtt = when - x[i].sent;
			if (when > r->last_success)
				r->last_success = when;
		} else if (now > x[i].due)
			r->overdue = 1;
	}
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), by_entry);
	*out = rows;
	return (int)nrows;
}

int pocdir_ping_status_list(const char *state, long long now, pocdir_ping_status **out,
                            pocdir_error *err)
{
	pocdir_exchange *x;
	int n, rc;

	error_clear(err);
	*out = NULL;
	if (now == 0)
		now = (long long)time(NULL);
	if ((n = record_list(history_state_dir(state), &x, err)) < 0)
		return -1;
	rc = ping_status_compute(x, (size_t)n, now, out, err);
	free(x);
	return rc;
}

void pocdir_ping_status_free(pocdir_ping_status **out)
{
	if (out == NULL)
		return;
	free(*out);
	*out = NULL;
}

int pocdir_last_verified(const char *state, const char *entry, long long *when, pocdir_error *err)
{
	pocdir_exchange *x;
	int n;

	error_clear(err);
	*when = 0;
	if ((n = record_list(history_state_dir(state), &x, err)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		long long t = x[i].answer_date != 0 ? x[i].answer_date : x[i].answered;

		if (x[i].kind == POCDIR_EXCHANGE_PING && x[i].answered != 0 &&
		    strcmp(x[i].entry, entry) == 0 && t > *when)
			*when = t;
	}
	free(x);
	return 0;
}
