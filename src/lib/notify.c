/* notify.c - notifications: the UN OEWG template's fields checked, the
 * country found (given, or routed from the IP indicators), the contact
 * chosen (open now, else 24x7), each message rendered with its STIX part
 * and optional minisign signature, sent and recorded as a case. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "abi.h"
#include "exchange.h"
#include "history.h"
#include "sign.h"
#include "util.h"

#define NOTIFY_MAX_IOCS 1000
#define NOTIFY_MAX_SUMMARY 8192

const char notify_disclaimer[] =
    "This notification is shared for cooperation between points of contact. "
    "Sending or receiving it implies no attribution of responsibility to any State and "
    "no admission of responsibility by the sender or the recipient.";

static const char *const types[] = {"incident-notification", "request-for-assistance",
                                    "request-for-information", "response", NULL};
static const char *const urgencies[] = {"low", "medium", "high", "critical", NULL};
static const char *const tlps[] = {"clear", "green", "amber", "amber+strict", "red", NULL};
/* FIRST TLP 2.0: what each label lets the recipient do. */
static const char *const tlp_meaning[] = {
    "no limit on disclosure",
    "share within your community, not publicly",
    "share within your organisation and its clients on a need-to-know basis",
    "share only within your organisation",
    "for the named recipients only",
};

static int one_of(const char *v, const char *const *list, const char *what, const char *dflt,
                  const char **out, pocdir_error *err)
{
	char names[200] = "";

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcasecmp(v, list[i]) == 0 ||
		    (strncasecmp(v, "TLP:", 4) == 0 && strcasecmp(v + 4, list[i]) == 0)) {
			*out = list[i];
			return 0;
		}
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
		         i ? ", " : "", list[i]);
	}
	return error_set(err, POCDIR_ERR_USAGE, "%s \"%s\" is not one of %s", what, v, names);
}

static size_t index_of(const char *v, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL && strcmp(v, list[i]) != 0; i++)
		;
	return i;
}

/* "2026-12-01" or "2026-12-01T10:00:00Z" as RFC 3339 with milliseconds,
 * which STIX wants. */
static int seen_time(const char *v, const char *what, char *out, size_t size, pocdir_error *err)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(v, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
			return error_set(err, POCDIR_ERR_USAGE,
			                 "%s \"%s\" is not a date (2026-12-01) or UTC time "
			                 "(2026-12-01T10:00:00Z)",
			                 what, v);
	}
	strftime(out, size, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	return 0;
}

/* Is entry e's office open at now? 1 open, 0 closed, -1 unknown; local
 * gets "Mo-Fr 09:00-18:00, 14:05 Asia/Seoul". */
static int open_now(const pocdir_entry *e, long long now, char *local, size_t size)
{
	const char *const *hours, *const *tz;
	int wday, hour, minute;

	local[0] = '\0';
	if (pocdir_entry_get(e, "pocHours", &hours) == 0)
		return -1;
	if (pocdir_entry_get(e, "pocTimezone", &tz) == 0 ||
	    pocdir_local_time(tz[0], now, &wday, &hour, &minute) == -1) {
		snprintf(local, size, "%s, time zone unknown", hours[0]);
		return -1;
	}
	snprintf(local, size, "%s, %02d:%02d %s", hours[0], hour, minute, tz[0]);
	return pocdir_hours_open(hours[0], wday, hour, minute);
}

static bool has_role(const pocdir_entry *e, const char *role)
{
	const char *const *roles;
	size_t n = pocdir_entry_get(e, "pocRole", &roles);

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(roles[i], role) == 0)
			return true;
	return false;
}

/* The contact for country cc: the PoCs with the role (default technical
 * or incident-response); one whose office is open now, else a 24x7
 * address (the PoC's own 24x7 e-mail, a 24x7 PoC with the role, any 24x7
 * PoC of the country), else the first one's office address. */
static int choose(pocdir *dir, const char *cc, const char *role, long long now,
                  pocdir_notify_message *m, pocdir_error *err)
{
	const char *roles[3] = {role, NULL, NULL};
	pocdir_result *res[2] = {NULL, NULL}, *all = NULL;
	const pocdir_entry *cand[256];
	size_t ncand = 0;
	int rc = -1;

	if (role == NULL) {
		roles[0] = "technical";
		roles[1] = "incident-response";
	}
	for (int r = 0; r < 2 && roles[r] != NULL; r++) {
		pocdir_query q = {.country = cc, .role = roles[r]};

		if (pocdir_lookup(dir, &q, &res[r], err) == -1)
			goto out;
		for (size_t i = 0; i < pocdir_result_count(res[r]) && ncand < 256; i++) {
			const pocdir_entry *e = pocdir_result_entry(res[r], i);
			const char *const *mail;
			bool dup = false;

			for (size_t k = 0; k < ncand; k++)
				dup |= cand[k] == e;
			if (!dup && pocdir_entry_get(e, "mail", &mail) > 0)
				cand[ncand++] = e;
		}
	}
	if (ncand == 0) {
		error_set(err, POCDIR_ERR_NOTFOUND,
		          "no PoC in %s (%s) with role %s%s%s and an e-mail "
		          "address",
		          cc, pocdir_country_name(cc) != NULL ? pocdir_country_name(cc) : "?",
		          roles[0], roles[1] != NULL ? " or " : "",
		          roles[1] != NULL ? roles[1] : "");
		goto out;
	}
	const pocdir_entry *pick = NULL;
	const char *address = NULL;
	char local[160], why[400] = "";

	/* 1. An office open now (saying which ones before it are closed). */
	char closed[200] = "";
	for (size_t i = 0; i < ncand && pick == NULL; i++) {
		int o = open_now(cand[i], now, local, sizeof(local));

		if (o == 1) {
			const char *const *mail;

			pocdir_entry_get(cand[i], "mail", &mail);
			pick = cand[i];
			address = mail[0];
			snprintf(why, sizeof(why), "%soffice open now (%s)", closed, local);
		} else if (o == 0 && closed[0] == '\0')
			snprintf(closed, sizeof(closed), "%s/%s closed now (%.100s); ",
			         pocdir_entry_country(cand[i]), pocdir_entry_id(cand[i]), local);
	}
	/* 2. Closed: the PoC's own 24x7 address, then a 24x7 PoC with the
	 * role, then any 24x7 PoC of the country. */
	for (size_t i = 0; i < ncand && pick == NULL; i++) {
		const char *const *em;

		if (pocdir_entry_get(cand[i], "pocEmergencyMail", &em) > 0) {
			open_now(cand[i], now, local, sizeof(local));
			pick = cand[i];
			address = em[0];
			snprintf(why, sizeof(why), "office closed now (%s): its 24x7 address",
			         local[0] ? local : "no hours given");
		}
	}
	for (size_t i = 0; i < ncand && pick == NULL; i++)
		if (has_role(cand[i], "24x7")) {
			const char *const *mail;

			pocdir_entry_get(cand[i], "mail", &mail);
			pick = cand[i];
			address = mail[0];
			snprintf(why, sizeof(why), "offices closed now: 24x7 PoC with the role");
		}
	if (pick == NULL) {
		pocdir_query q = {.country = cc, .role = "24x7"};

		if (pocdir_lookup(dir, &q, &all, err) == -1)
			goto out;
		for (size_t i = 0; i < pocdir_result_count(all) && pick == NULL; i++) {
			const pocdir_entry *e = pocdir_result_entry(all, i);
			const char *const *mail, *const *em;

			if (pocdir_entry_get(e, "pocEmergencyMail", &em) > 0)
				address = em[0];
			else if (pocdir_entry_get(e, "mail", &mail) > 0)
				address = mail[0];
			else
				continue;
			pick = e;
			open_now(cand[0], now, local, sizeof(local));
			snprintf(why, sizeof(why),
			         "no PoC with the role is open now (%s, %s/%s): the country's 24x7 "
			         "PoC",
			         local[0] ? local : "no hours given", pocdir_entry_country(cand[0]),
			         pocdir_entry_id(cand[0]));
		}
	}
	if (pick == NULL) {
		const char *const *mail;
		int o = open_now(cand[0], now, local, sizeof(local));

		pocdir_entry_get(cand[0], "mail", &mail);
		pick = cand[0];
		address = mail[0];
		snprintf(why, sizeof(why), "%s (%s), and the country has no 24x7 contact",
		         o == 0 ? "office closed now" : "office hours unknown",
		         local[0] ? local : "no hours given");
	}
	snprintf(m->entry, sizeof(m->entry), "%s/%s", pocdir_entry_country(pick),
	         pocdir_entry_id(pick));
	snprintf(m->address, sizeof(m->address), "%s", address);
	snprintf(m->choice, sizeof(m->choice), "%s", why);
	rc = 0;
out:
	pocdir_result_free(&res[0]);
	pocdir_result_free(&res[1]);
	pocdir_result_free(&all);
	return rc;
}

/* The text a person reads. */
static int notify_text(const struct notify_fields *f, const pocdir_notify_message *m,
                       const char *agency, const char *sigkey, char **out, pocdir_error *err)
{
	char *buf = NULL, when[40];
	size_t size = 0, t = index_of(f->tlp, tlps);
	time_t tt = (time_t)f->now;
	struct tm tm;
	FILE *o;

	if ((o = open_memstream(&buf, &size)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(o, "NOTIFICATION: %s\n\n", f->type);
	fprintf(o, "Reference:     %s\n", f->token);
	fprintf(o, "Date:          %s\n", when);
	fprintf(o, "Sender State:  %s\n", f->sender_state != NULL ? f->sender_state : "-");
	fprintf(o, "Sender PoC:    %s <%s>\n", f->sender_poc != NULL ? f->sender_poc : "-",
	        f->sender_address);
	fprintf(o, "To:            %s, %s <%s>\n", m->entry, agency, m->address);
	fprintf(o, "Type:          %s\n", f->type);
	fprintf(o, "Urgency:       %s\n", f->urgency);
	fprintf(o, "TLP:           TLP:%s (%s)\n", m->tlp, tlp_meaning[t]);
	if (f->first_seen != NULL)
		fprintf(o, "First seen:    %s\n", f->first_seen);
	if (f->last_seen != NULL)
		fprintf(o, "Last seen:     %s\n", f->last_seen);
	if (f->refers_to != NULL)
		fprintf(o, "Refers to:     %s\n", f->refers_to);
	fprintf(o, "\nSummary\n\n%s\n", f->summary);
	fprintf(o, "\nIndicators of compromise (%zu)\n\n", f->nioc);
	for (size_t i = 0; i < f->nioc; i++)
		fprintf(o, "  %-8s %s\n", pocdir_ioc_type_name(&f->iocs[i]), f->iocs[i].value);
	if (f->nioc == 0)
		fprintf(o, "  (none)\n");
	fprintf(o, "\nRequested action\n\n%s\n", f->action != NULL ? f->action : "(none)");
	fprintf(o, "\n%s\n", notify_disclaimer);
	fprintf(o,
	        "\nThe machine-readable part of this message is a STIX 2.1 bundle\n"
	        "(pocdir-notification.stix.json)%s%s%s.\n"
	        "Please reply to this message, keeping its subject line, to acknowledge it.\n",
	        sigkey != NULL ? ", signed with minisign key " : "", sigkey != NULL ? sigkey : "",
	        sigkey != NULL ? " (pocdir-notification.stix.json.minisig)" : "");
	if (fclose(o) != 0 || buf == NULL) {
		free(buf);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	*out = buf;
	return 0;
}

/* Render message m (recipient chosen) with the indicators given. */
static int notify_render(const struct pocdir_mail_config *cfg, pocdir *dir, struct notify_fields *f,
                         const struct sign_seckey *sk, pocdir_notify_message *m, pocdir_error *err)
{
	char *text = NULL, *stix = NULL, *sig = NULL, msgid[400], keyid[17] = "", agency[200] = "";
	size_t slen = 0;
	pocdir_result *res = NULL;
	int rc = -1;

	if (pocdir_show(dir, m->entry, &res, err) == 0) {
		const char *const *o;

		if (pocdir_entry_get(pocdir_result_entry(res, 0), "o", &o) > 0)
			snprintf(agency, sizeof(agency), "%s", o[0]);
		pocdir_result_free(&res);
	}
	mime_token_new(m->token);
	f->token = m->token;
	f->recipient = m->entry;
	f->country = m->country;
	snprintf(m->subject, sizeof(m->subject), "[pocdir %s] TLP:%s %s (%s): %.80s", m->token,
	         m->tlp, f->type, f->urgency, f->summary);
	for (char *p = m->subject; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (sk != NULL)
		sign_keyid_hex(sk->keynum, keyid, sizeof(keyid));
	if (stix_render(f, &stix, &slen, err) == -1 ||
	    notify_text(f, m, agency, sk != NULL ? keyid : NULL, &text, err) == -1)
		goto out;
	if (sk != NULL) {
		char trusted[200];

		snprintf(trusted, sizeof(trusted), "pocdir notification %s from %s", m->token,
		         cfg->from);
		if (sign_buffer(sk, stix, slen, "signature from a pocdir node", trusted, &sig,
		                err) == -1)
			goto out;
	}
	struct mime_part parts[3] = {
	    {"text/plain; charset=utf-8", NULL, text, strlen(text), false},
	    {"application/stix+json;version=2.1", "pocdir-notification.stix.json", stix, slen,
	     false},
	    {"text/plain; charset=utf-8", "pocdir-notification.stix.json.minisig", sig,
	     sig != NULL ? strlen(sig) : 0, false},
	};
	snprintf(msgid, sizeof(msgid), "%s@%s", m->token, strrchr(cfg->from, '@') + 1);
	struct mime_message mm = {cfg->from, cfg->from_name, m->address, m->subject,         msgid,
	                          m->token,  f->now,         parts,      sig != NULL ? 3 : 2};
	if (mime_build(&mm, &m->data, &m->len, err) == -1)
		goto out;
	rc = 0;
out:
	free(text);
	free(stix);
	free(sig);
	return rc;
}

void pocdir_notification_free(pocdir_notification **nt)
{
	if (nt == NULL || *nt == NULL)
		return;
	for (size_t i = 0; i < (*nt)->count; i++)
		free((*nt)->messages[i].data);
	free((*nt)->messages);
	for (size_t i = 0; i < (*nt)->nunrouted; i++)
		free((*nt)->unrouted[i]);
	free((*nt)->unrouted);
	free(*nt);
	*nt = NULL;
}

static int add_unrouted(pocdir_notification *nt, const char *fmt, const char *a, const char *b)
{
	char line[600];
	char **nu = realloc(nt->unrouted, (nt->nunrouted + 1) * sizeof(*nu));

	if (nu == NULL)
		return -1;
	nt->unrouted = nu;
	snprintf(line, sizeof(line), fmt, a, b);
	if ((nt->unrouted[nt->nunrouted] = str_dup(line)) == NULL)
		return -1;
	nt->nunrouted++;
	return 0;
}

int pocdir_notify_prepare(const pocdir_mail_config *cfg, pocdir *dir, const pocdir_notice *n,
                          long long now, pocdir_notification **out, pocdir_error *err)
{
	struct notify_fields f;
	pocdir_notification *nt = NULL;
	pocdir_ioc *iocs = NULL, *sub = NULL;
	pocdir_routes *routes = NULL;
	struct sign_seckey sk, *skp = NULL;
	char first[40], last[40], (*cc)[3] = NULL, given[3];
	size_t nioc = 0, ncc = 0;
	pocdir_notice notice;
	int rc = -1;

	error_clear(err);
	*out = NULL;
	if (n == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no notification given");
	abi_in(&notice, sizeof(notice), n, ABI_NOTICE_V1);
	n = &notice;
	memset(&f, 0, sizeof(f));
	if (now == 0)
		now = (long long)time(NULL);
	f.now = now;
	if (cfg->from == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "%s: mail: needs from: to notify",
		                 cfg->file);
	if (one_of(n->type, types, "type", "incident-notification", &f.type, err) == -1 ||
	    one_of(n->urgency, urgencies, "urgency", "medium", &f.urgency, err) == -1 ||
	    one_of(n->tlp, tlps, "TLP", "amber", &f.tlp, err) == -1)
		return -1;
	if (n->summary == NULL || n->summary[0] == '\0')
		return error_set(err, POCDIR_ERR_USAGE, "a notification needs a summary");
	if (strlen(n->summary) > NOTIFY_MAX_SUMMARY ||
	    (n->action != NULL && strlen(n->action) > NOTIFY_MAX_SUMMARY))
		return error_set(err, POCDIR_ERR_USAGE, "summary and action are at most %d bytes",
		                 NOTIFY_MAX_SUMMARY);
	f.summary = n->summary;
	f.action = n->action;
	if (n->first_seen != NULL) {
		if (seen_time(n->first_seen, "first seen", first, sizeof(first), err) == -1)
			return -1;
		f.first_seen = first;
	}
	if (n->last_seen != NULL) {
		if (seen_time(n->last_seen, "last seen", last, sizeof(last), err) == -1)
			return -1;
		f.last_seen = last;
	}
	{
		char limit[40];
		time_t t = (time_t)(now + 86400);
		struct tm tm;

		/* A day of slack for clocks and time zones; more is a mistake. */
		gmtime_r(&t, &tm);
		strftime(limit, sizeof(limit), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		if ((f.first_seen != NULL && strcmp(f.first_seen, limit) > 0) ||
		    (f.last_seen != NULL && strcmp(f.last_seen, limit) > 0))
			return error_set(err, POCDIR_ERR_USAGE,
			                 "first or last seen is in the future");
	}
	if (f.first_seen != NULL && f.last_seen != NULL && strcmp(f.first_seen, f.last_seen) > 0)
		return error_set(err, POCDIR_ERR_USAGE, "first seen %s is after last seen %s",
		                 n->first_seen, n->last_seen);
	if (n->refers_to != NULL) {
		if (!mime_token_valid(n->refers_to))
			return error_set(err, POCDIR_ERR_USAGE,
			                 "\"%s\" is not a case reference (pd and 20 hex digits)",
			                 n->refers_to);
		f.refers_to = n->refers_to;
	}
	if (n->role != NULL && pocdir_role_check(n->role, err) == -1)
		return -1;
	f.sender_state = cfg->sender_state;
	f.sender_poc = cfg->sender_poc;
	f.sender_address = cfg->from;

	/* Every indicator checked before anything else happens. */
	for (size_t i = 0; n->iocs != NULL && n->iocs[i] != NULL; i++)
		nioc++;
	if (nioc > NOTIFY_MAX_IOCS)
		return error_set(err, POCDIR_ERR_LIMIT, "more than %d indicators", NOTIFY_MAX_IOCS);
	if ((iocs = calloc(nioc + 1, sizeof(*iocs))) == NULL ||
	    (sub = calloc(nioc + 1, sizeof(*sub))) == NULL ||
	    (cc = calloc(nioc + 1, sizeof(*cc))) == NULL || (nt = calloc(1, sizeof(*nt))) == NULL)
		goto oom;
	for (size_t i = 0; i < nioc; i++) {
		iocs[i].size = sizeof(iocs[i]);
		if (pocdir_ioc_parse(n->iocs[i], &iocs[i], err) == -1)
			goto out;
	}

	/* The countries: given, or one per country the IPs route to. */
	if (n->country != NULL) {
		if (pocdir_country_code(n->country, given, err) == -1)
			goto out;
		memcpy(cc[0], given, 3);
		ncc = 1;
	} else {
		for (size_t i = 0; i < nioc; i++) {
			char c[3];
			int r;

			if (iocs[i].type > POCDIR_IOC_IPV6_PREFIX)
				continue;
			if (routes == NULL &&
			    (routes = pocdir_routes_load(cfg->route_table, err)) == NULL)
				goto out;
			if ((r = pocdir_route(routes, iocs[i].value, c)) != 1) {
				if (add_unrouted(nt, "ip:%s: %s", iocs[i].value,
				                 "no country in the routing table") == -1)
					goto oom;
				continue;
			}
			bool seen = false;
			for (size_t k = 0; k < ncc; k++)
				seen |= strcmp(cc[k], c) == 0;
			if (!seen)
				memcpy(cc[ncc++], c, 3);
		}
		if (ncc == 0) {
			error_set(
			    err, POCDIR_ERR_USAGE,
			    "no recipient country: give --country, or IP indicators the routing "
			    "table places%s%s",
			    nt->nunrouted > 0 ? " (not routed: " : "",
			    nt->nunrouted > 0 ? nt->unrouted[0] : "");
			if (nt->nunrouted > 0)
				strncat(err->message, ")",
				        sizeof(err->message) - strlen(err->message) - 1);
			goto out;
		}
	}
	if (cfg->sign_key != NULL) {
		if (sign_seckey_load(cfg->sign_key, n->passphrase, &sk, err) == -1)
			goto out;
		skp = &sk;
	}
	if ((nt->messages = calloc(ncc, sizeof(*nt->messages))) == NULL)
		goto oom;
	for (size_t k = 0; k < ncc; k++) {
		pocdir_notify_message *m = &nt->messages[k];
		size_t nsub = 0;

		memcpy(m->country, cc[k], 3);
		snprintf(m->type, sizeof(m->type), "%s", f.type);
		snprintf(m->urgency, sizeof(m->urgency), "%s", f.urgency);
		snprintf(m->tlp, sizeof(m->tlp), "%s", f.tlp);
		for (char *p = m->tlp; *p != '\0'; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (choose(dir, cc[k], n->role, now, m, err) == -1)
			goto out;
		/* Each country gets its own addresses and everything else. */
		for (size_t i = 0; i < nioc; i++) {
			char c[3];

			if (n->country == NULL && iocs[i].type <= POCDIR_IOC_IPV6_PREFIX &&
			    (pocdir_route(routes, iocs[i].value, c) != 1 || strcmp(c, cc[k]) != 0))
				continue;
			sub[nsub++] = iocs[i];
		}
		f.iocs = sub;
		f.nioc = nsub;
		if (notify_render(cfg, dir, &f, skp, m, err) == -1)
			goto out;
		nt->count = k + 1;
	}
	*out = nt;
	nt = NULL;
	rc = (int)ncc;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	if (skp != NULL)
		sign_seckey_wipe(skp);
	pocdir_routes_free(&routes);
	pocdir_notification_free(&nt);
	free(iocs);
	free(sub);
	free(cc);
	return rc;
}

static int notify_send(const pocdir_mail_config *cfg, const pocdir_notification *nt, long long now,
                       pocdir_mail_event_fn fn, void *ctx, pocdir_mail_report *rep,
                       pocdir_error *err)
{

	error_clear(err);
	if (now == 0)
		now = (long long)time(NULL);
	for (size_t i = 0; i < nt->count; i++) {
		const pocdir_notify_message *m = &nt->messages[i];
		char why[1200], msgid[400];
		pocdir_mail_event ev = {POCDIR_MAIL_SENT, m->entry, m->address, m->token, 0, NULL};
		struct record_sent r = {.kind = POCDIR_EXCHANGE_NOTIFICATION,
		                        .token = m->token,
		                        .entry = m->entry,
		                        .to = m->address,
		                        .from = cfg->from,
		                        .subject = m->subject,
		                        .message_id = msgid,
		                        .type = m->type,
		                        .urgency = m->urgency,
		                        .tlp = m->tlp,
		                        .sent = now,
		                        .due = now + (long long)cfg->notify_answer_days * 86400};

		snprintf(msgid, sizeof(msgid), "%s@%s", m->token, strrchr(cfg->from, '@') + 1);
		if (exchange_send(cfg, &r, m->data, m->len, why, sizeof(why)) == -1) {
			rep->failed++;
			ev.kind = POCDIR_MAIL_SEND_FAILED;
			ev.token = NULL;
			ev.message = why;
			if (rep->failed == 1)
				error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", m->entry, why);
			if (fn != NULL)
				fn(&ev, ctx);
			continue;
		}
		rep->sent++;
		if (fn != NULL)
			fn(&ev, ctx);
	}
	return rep->failed == 0 ? (int)rep->sent : -1;
}

int pocdir_notify_send(const pocdir_mail_config *cfg, const pocdir_notification *nt, long long now,
                       pocdir_mail_event_fn fn, void *ctx, pocdir_mail_report *rep,
                       pocdir_error *err)
{
	pocdir_mail_report full = {0};
	int rc = notify_send(cfg, nt, now, fn, ctx, &full, err);

	if (rep != NULL)
		abi_out(rep, &full, sizeof(full), ABI_MAIL_REPORT_V1);
	return rc;
}
