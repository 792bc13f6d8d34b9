/* validity.c - is a contact usable now: inside its valid-from/valid-until
 * days, with an unexpired PGP key, verified recently. One answer for the
 * tool's marks and filters, the exports and validate's warnings. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "pocdir.h"

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

unsigned pocdir_validity(const char *valid_from, const char *valid_until, const char *pgp_expires,
                         const char *verified, long long now)
{
	char today[11], stale_before[11];
	unsigned flags = 0;

	utc_day(now, today);
	utc_day(now - (long long)POCDIR_STALE_DAYS * 86400, stale_before);
	/* Both bounds are days the contact is valid on (pocdir-directory(5)). */
	if (valid_from != NULL && day_compare(valid_from, today) > 0)
		flags |= POCDIR_STATUS_NOT_YET_VALID;
	if (valid_until != NULL && day_compare(valid_until, today) < 0)
		flags |= POCDIR_STATUS_ENDED;
	/* A key is usable on its expiry day, as gpg counts it. */
	if (pgp_expires != NULL && day_compare(pgp_expires, today) < 0)
		flags |= POCDIR_STATUS_PGP_EXPIRED;
	if (verified != NULL && day_compare(verified, stale_before) < 0)
		flags |= POCDIR_STATUS_STALE;
	return flags;
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
