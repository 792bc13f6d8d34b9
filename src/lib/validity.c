/* validity.c - is a contact usable now: inside its valid-from/valid-until
 * days, with an unexpired PGP key, verified recently. One answer for the
 * tool's marks and filters, the exports, and the warnings pocdir validate
 * and pocdird give a maintainer. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "pocdir.h"
#include "store.h"
#include "util.h"

/* "YYYY-MM-DD" of the UTC day at t, into buf[11]. */
static void utc_day(long long t, char buf[11])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 11, "%Y-%m-%d", &tm) != 10)
		strcpy(buf, "0000-00-00");
}

/* A date as the format writes it (YYYY-MM-DD, possibly followed by a time):
 * its first ten bytes, which compare as dates do. */
static int day_compare(const char *date, const char *day)
{
	if (date == NULL || strlen(date) < 10)
		return 0;
	return strncmp(date, day, 10);
}

/* The one rule, with how many days early a PGP key counts as expired and
 * after how many days a contact is stale: pocdir_validity's answer with 0 and
 * POCDIR_STALE_DAYS, the maintainer's warnings with their margins. */
static unsigned validity_rule(const char *valid_from, const char *valid_until,
                              const char *pgp_expires, const char *verified, long long now,
                              int pgp_early_days, int stale_days)
{
	char today[11], pgp_day[11], stale_before[11];
	unsigned flags = 0;

	utc_day(now, today);
	utc_day(now + (long long)pgp_early_days * 86400, pgp_day);
	utc_day(now - (long long)stale_days * 86400, stale_before);
	/* Both bounds are days the contact is valid on (pocdir-directory(5)). */
	if (valid_from != NULL && day_compare(valid_from, today) > 0)
		flags |= POCDIR_STATUS_NOT_YET_VALID;
	if (valid_until != NULL && day_compare(valid_until, today) < 0)
		flags |= POCDIR_STATUS_ENDED;
	/* A key is usable on its expiry day, as gpg counts it. */
	if (pgp_expires != NULL && day_compare(pgp_expires, pgp_day) < 0)
		flags |= POCDIR_STATUS_PGP_EXPIRED;
	if (verified != NULL && day_compare(verified, stale_before) < 0)
		flags |= POCDIR_STATUS_STALE;
	return flags;
}

unsigned pocdir_validity(const char *valid_from, const char *valid_until, const char *pgp_expires,
                         const char *verified, long long now)
{
	return validity_rule(valid_from, valid_until, pgp_expires, verified, now, 0,
	                     POCDIR_STALE_DAYS);
}

static const char *first(const pocdir_entry *e, const char *attr)
{
	const char *const *v;

	return pocdir_entry_get(e, attr, &v) > 0 ? v[0] : NULL;
}

unsigned pocdir_entry_status(const pocdir_entry *e, long long now)
{
	if (e == NULL)
		return 0;
	return pocdir_validity(first(e, "pocValidFrom"), first(e, "pocValidUntil"),
	                       first(e, "pocPGPExpires"), first(e, "pocVerified"), now);
}

const char *pocdir_status_word(unsigned flag)
{
	switch (flag) {
	case POCDIR_STATUS_NOT_YET_VALID:
		return "not-yet-valid";
	case POCDIR_STATUS_ENDED:
		return "expired";
	case POCDIR_STATUS_PGP_EXPIRED:
		return "pgp-expired";
	case POCDIR_STATUS_STALE:
		return "stale";
	}
	return NULL;
}

size_t pocdir_status_text(const pocdir_entry *e, long long now, char *buf, size_t size)
{
	unsigned flags = pocdir_entry_status(e, now);
	size_t len = 0;
	static const struct {
		unsigned flag;
		const char *attr, *text;
	} says[] = {
	    {POCDIR_STATUS_NOT_YET_VALID, "pocValidFrom", "not valid before"},
	    {POCDIR_STATUS_ENDED, "pocValidUntil", "valid until"},
	    {POCDIR_STATUS_PGP_EXPIRED, "pocPGPExpires", "PGP key expired"},
	    {POCDIR_STATUS_STALE, "pocVerified", "last verified"},
	};

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++) {
		int w;

		if ((flags & says[i].flag) == 0)
			continue;
		w = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
		             "%s%s: %s %.10s", len > 0 ? "; " : "",
		             pocdir_status_word(says[i].flag), says[i].text,
		             first(e, says[i].attr));
		if (w > 0)
			len += (size_t)w;
	}
	return len;
}

/* One warning about e as a diagnostic at its line: "KR/krcert: ...". */
static void warn(const entry_t *e, pocdir_diag_fn fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(const entry_t *e, pocdir_diag_fn fn, void *ctx, const char *fmt, ...)
{
	char text[512], message[600];
	pocdir_diag d = {.file = e->file, .line = e->line};
	va_list ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(message, sizeof(message), "warning: %s/%s: %s", e->country, e->id, text);
	d.message = message;
	fn(&d, ctx);
}

unsigned store_warnings(const struct store *s, long long now, pocdir_diag_fn fn, void *ctx)
{
	unsigned n = 0;

	for (size_t i = 0; s != NULL && i < s->nentries; i++) {
		const entry_t *e = s->entries[i];
		const char *until = first(e, "pocValidUntil"), *pgp = first(e, "pocPGPExpires");
		const char *verified = first(e, "pocVerified");
		unsigned now_flags = pocdir_validity(NULL, until, pgp, verified, now);
		unsigned soon = validity_rule(NULL, until, pgp, verified, now, POCDIR_PGP_WARN_DAYS,
		                              POCDIR_VERIFY_WARN_DAYS);

		if (now_flags & POCDIR_STATUS_ENDED) {
			warn(e, fn, ctx, "valid-until %.10s is past", until);
			n++;
		}
		if (now_flags & POCDIR_STATUS_PGP_EXPIRED) {
			warn(e, fn, ctx, "PGP key expired on %.10s", pgp);
			n++;
		} else if (soon & POCDIR_STATUS_PGP_EXPIRED) {
			warn(e, fn, ctx, "PGP key expires on %.10s, within %d days", pgp,
			     POCDIR_PGP_WARN_DAYS);
			n++;
		}
		if (soon & POCDIR_STATUS_STALE) {
			warn(e, fn, ctx, "last verified %.10s, more than %d days ago", verified,
			     POCDIR_VERIFY_WARN_DAYS);
			n++;
		}
	}
	return n;
}

int pocdir_warnings(pocdir *dir, long long now, pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	struct store *s;
	unsigned n;

	error_clear(err);
	if (dir == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no directory handle");
	if ((s = api_snapshot(dir)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "no snapshot loaded");
	n = store_warnings(s, now, fn, ctx);
	store_unref(&s);
	return n > INT_MAX ? INT_MAX : (int)n;
}
