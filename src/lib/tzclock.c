/* tzclock.c - the system's time zones: zone names checked against tzdata,
 * and the local clock of a zone read from its TZif file (RFC 8536) and the
 * POSIX TZ rule of its footer, without touching TZ (thread safe). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "tzclock.h"

/* --- time zones ------------------------------------------------------- */

#define TZ_NAME_MAX 255
#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/* The tzdata folder. getenv() is safe to call from many threads as long as
 * nobody changes the environment meanwhile. */
static const char *tz_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir != NULL && dir[0] != '\0' ? dir : TZ_DEFAULT_DIR;
}

/* What makes s unusable as a zone file name below the tzdata folder, or
 * NULL. Components are [A-Za-z0-9_+-] (tzfile(5) / tz theory.html "Names
 * of timezones"), which shuts out "..", "." and absolute paths. */
static const char *tz_name_problem(const char *s)
{
	size_t len = strnlen(s, TZ_NAME_MAX + 1), component = 0;

	if (len == 0)
		return "the name is empty";
	if (len > TZ_NAME_MAX)
		return "the name is too long";
	if (s[0] == '/')
		return "it is a path, not a zone name";
	if (strstr(s, "..") != NULL)
		return "\"..\" is not allowed in a zone name";
	for (size_t i = 0; i <= len; i++) {
		int c = i < len ? (unsigned char)s[i] : '/';

		if (c == '/') {
			if (component == 0)
				return "the name has an empty component";
			component = 0;
			continue;
		}
		if (!is_alnum(c) && c != '_' && c != '+' && c != '-')
			return "zone names hold only letters, digits, '_', '+', '-' and '/'";
		component++;
	}
	/* Files in the tzdata folder that are not zone names: "localtime"
	 * points at the host's own setting, "posixrules" is a zic default,
	 * posix/ and right/ are Debian's duplicate trees. */
	if (strcmp(s, "localtime") == 0 || strcmp(s, "posixrules") == 0 ||
	    strncmp(s, "posix/", 6) == 0 || strncmp(s, "right/", 6) == 0)
		return "it is a file of the tzdata folder, not an IANA zone name";
	return NULL;
}

/* Open the zone's file read-only; -1 unless it is a regular file. The
 * O_NONBLOCK keeps a FIFO planted in TZDIR from hanging us. */
static int tz_open(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int n, fd;

	n = snprintf(path, sizeof(path), "%s/%s", tz_dir(), name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* read() until len bytes or end of file; returns the count or -1. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

enum tz_status tz_find(const char *name, const char **problem)
{
	char magic[4];
	ssize_t n;
	int fd;

	*problem = NULL;
	/* UTC needs no file: accept it even where tzdata is not installed. */
	if (strcmp(name, "UTC") == 0)
		return TZ_FOUND;
	if ((*problem = tz_name_problem(name)) != NULL)
		return TZ_BAD_NAME;
	if ((fd = tz_open(name)) == -1)
		return TZ_MISSING;
	n = read_full(fd, magic, sizeof(magic));
	close(fd);
	/* RFC 8536 §3.1: every TZif file starts with "TZif". */
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
		return TZ_NOT_TZIF;
	return TZ_FOUND;
}

/* --- civil time ------------------------------------------------------- */

bool civil_leap_year(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int civil_month_days(long long y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && civil_leap_year(y) ? 29 : days[m - 1];
}

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H.
 * Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static long long year_from_days(long long z)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

/* --- POSIX TZ strings (the TZif footer) ------------------------------- */

/* A rule date of POSIX.1-2017 §8.3: Jn (1-365, February 29 never counted),
 * n (0-365) or Mm.w.d, and the local time of day of the change, which RFC
 * 8536 §3.3.1 lets range from -167 to 167 hours. */
struct tz_date {
	char kind;
	int n, month, week, wday;
	long secs;
};

struct tz_rule {
	long std_off, dst_off; /* UT offsets, seconds east */
	bool has_dst;
	struct tz_date start, end;
};

static const char *tzs_name(const char *p)
{
	const char *q = p;

	if (*p == '<') {
		for (q = p + 1; is_alnum((unsigned char)*q) || *q == '+' || *q == '-'; q++)
			;
		return *q == '>' && q - p - 1 >= 3 ? q + 1 : NULL;
	}
	while (is_alpha((unsigned char)*q))
		q++;
	return q - p >= 3 ? q : NULL;
}

static const char *tzs_number(const char *p, int max, int *value)
{
	int v = 0;

	if (!is_digit((unsigned char)*p))
		return NULL;
	while (is_digit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > max)
			return NULL;
	}
	*value = v;
	return p;
}

/* [+-]hh[:mm[:ss]] in seconds; POSIX offsets are west-positive. */
static const char *tzs_time(const char *p, int max_hours, long *secs)
{
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	p = tzs_number(p, max_hours, &h);
	if (p != NULL && *p == ':')
		p = tzs_number(p + 1, 59, &m);
	if (p != NULL && *p == ':')
		p = tzs_number(p + 1, 59, &s);
	if (p != NULL)
		*secs = sign * ((long)h * 3600 + m * 60 + s);
	return p;
}

static const char *tzs_date(const char *p, struct tz_date *d)
{
	memset(d, 0, sizeof(*d));
	if (*p == 'J') {
		d->kind = 'J';
		p = tzs_number(p + 1, 365, &d->n);
		if (p == NULL || d->n < 1)
			return NULL;
	} else if (*p == 'M') {
		d->kind = 'M';
		p = tzs_number(p + 1, 12, &d->month);
		if (p == NULL || d->month < 1 || *p != '.')
			return NULL;
		p = tzs_number(p + 1, 5, &d->week);
		if (p == NULL || d->week < 1 || *p != '.')
			return NULL;
		p = tzs_number(p + 1, 6, &d->wday);
	} else {
		d->kind = 'D';
		p = tzs_number(p, 365, &d->n);
	}
	if (p == NULL)
		return NULL;
	d->secs = 7200; /* POSIX: 02:00:00 unless given */
	if (*p == '/')
		p = tzs_time(p + 1, 167, &d->secs);
	return p;
}

/* Parse a TZ string like "KST-9", "<+09>-9" or "CET-1CEST,M3.5.0,M10.5.0/3".
 * False when it is empty or malformed. */
static bool tz_rule_parse(const char *s, struct tz_rule *r)
{
	const char *p;
	long off;

	memset(r, 0, sizeof(*r));
	p = tzs_name(s);
	if (p == NULL || (p = tzs_time(p, 24, &off)) == NULL)
		return false;
	r->std_off = -off;
	if (*p == '\0')
		return true;
	if ((p = tzs_name(p)) == NULL)
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = tzs_time(p, 24, &off)) == NULL)
			return false;
		r->dst_off = -off;
	}
	/* A DST name without rules leaves the dates to the implementation
	 * (POSIX); zic always writes them, so treat it as unreadable. */
	if (*p != ',' || (p = tzs_date(p + 1, &r->start)) == NULL)
		return false;
	if (*p != ',' || (p = tzs_date(p + 1, &r->end)) == NULL)
		return false;
	return *p == '\0';
}

/* Seconds from the epoch to the rule's moment in year y, in the local time
 * that is in force just before it. */
static long long tz_date_local(const struct tz_date *d, long long y)
{
	long long day = days_from_civil(y, 1, 1);

	if (d->kind == 'J')
		day += d->n - 1 + (civil_leap_year(y) && d->n >= 60);
	else if (d->kind == 'D')
		day += d->n;
	else {
		long long first = days_from_civil(y, d->month, 1);
		int wday_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
		int mdays = civil_month_days(y, d->month);

		day = first + (d->wday - wday_first + 7) % 7 + (long long)(d->week - 1) * 7;
		while (day - first >= mdays) /* week 5 means the last one */
			day -= 7;
	}
	return day * 86400 + d->secs;
}

/* The UT offset the rule gives at now. */
static long tz_rule_offset(const struct tz_rule *r, long long now)
{
	long long y, start, end;

	if (!r->has_dst)
		return r->std_off;
	y = year_from_days(floor_div(now + r->std_off, 86400));
	start = tz_date_local(&r->start, y) - r->std_off;
	end = tz_date_local(&r->end, y) - r->dst_off;
	if (start < end) /* northern hemisphere: DST inside the year */
		return now >= start && now < end ? r->dst_off : r->std_off;
	return now >= end && now < start ? r->std_off : r->dst_off;
}

/* --- TZif files (RFC 8536) -------------------------------------------- */

/* The largest zone in tzdata is a few kB (fat, with leap seconds); 256 kB
 * leaves room and bounds what a planted file can make us read. */
#define TZIF_MAX_SIZE (256 * 1024)
#define TZIF_HEADER_SIZE 44
#define TZIF_FOOTER_MAX 256

struct tzif_header {
	unsigned char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* RFC 8536 §3.1 header at p, with avail bytes of the file from p on;
 * *block receives the size of the data block that follows it, which must
 * also fit in the file. */
static bool tzif_header(const unsigned char *p, size_t avail, int timesize, struct tzif_header *h,
                        uint64_t *block)
{
	if (avail < TZIF_HEADER_SIZE || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->version != 0 && h->version < '2')
		return false;
	/* §3.1: typecnt and charcnt are never zero; isutcnt and isstdcnt are
	 * zero or typecnt. */
	if (h->typecnt == 0 || h->charcnt == 0 || (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return false;
	/* Each count is below 2^32, so this sum cannot overflow 64 bits. */
	*block = (uint64_t)h->timecnt * (uint64_t)timesize + h->timecnt + (uint64_t)h->typecnt * 6 +
	         h->charcnt + (uint64_t)h->leapcnt * (uint64_t)(timesize + 4) + h->isstdcnt +
	         h->isutcnt;
	return *block <= avail - TZIF_HEADER_SIZE;
}

/* Read the zone file; 0 and a malloc()ed buffer, or -1. */
static int tzif_read(const char *name, unsigned char **data, size_t *size)
{
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	int fd = tz_open(name);

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size < TZIF_HEADER_SIZE || st.st_size > TZIF_MAX_SIZE) {
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	n = read_full(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < TZIF_HEADER_SIZE) {
		free(buf);
		return -1;
	}
	*data = buf;
	*size = (size_t)n;
	return 0;
}

/* RFC 8536 §3.2: utoff SHOULD lie in [-89999, 93599]; outside it the file
 * is not one zic wrote. */
static bool tzif_utoff(const unsigned char *types, uint32_t type, long *utoff)
{
	int32_t off = (int32_t)be32(types + (size_t)type * 6);

	if (off < -89999 || off > 93599)
		return false;
	*utoff = off;
	return true;
}

/* The UT offset in force at now from a TZif file in data[0..size), or -1
 * when the file is malformed. */
static int tzif_offset(const unsigned char *data, size_t size, long long now, long *utoff)
{
	struct tzif_header h;
	uint64_t block;
	size_t off = 0, footer = 0;
	int timesize = 4;
	const unsigned char *times, *idx, *types;
	struct tz_rule rule;
	char tzstring[TZIF_FOOTER_MAX];
	bool have_rule = false;
	uint32_t lo, hi;

	if (!tzif_header(data, size, 4, &h, &block))
		return -1;
	/* Version 2+ repeats everything with 64-bit times after the version 1
	 * block (§3), then a footer; prefer that, it covers all of time. */
	if (h.version >= '2') {
		off = TZIF_HEADER_SIZE + (size_t)block;
		timesize = 8;
		if (!tzif_header(data + off, size - off, 8, &h, &block))
			return -1;
	}
	times = data + off + TZIF_HEADER_SIZE;
	idx = times + (size_t)h.timecnt * (size_t)timesize;
	types = idx + h.timecnt;
	if (timesize == 8) {
		/* §3.3 footer: NL, a POSIX TZ string, NL. */
		const unsigned char *f = data + off + TZIF_HEADER_SIZE + block, *nl;

		footer = size - (size_t)(f - data);
		if (footer < 2 || f[0] != '\n')
			return -1;
		nl = memchr(f + 1, '\n', footer - 1);
		if (nl == NULL || (size_t)(nl - f - 1) >= sizeof(tzstring))
			return -1;
		memcpy(tzstring, f + 1, (size_t)(nl - f - 1));
		tzstring[nl - f - 1] = '\0';
		/* An empty or unparsable string: use the last transition. */
		have_rule = tz_rule_parse(tzstring, &rule);
	}
	for (uint32_t i = 0; i < h.timecnt; i++)
		if (idx[i] >= h.typecnt)
			return -1;
	if (h.timecnt == 0 || now < (timesize == 8 ? be64(times) : (int32_t)be32(times))) {
		/* §3.2: before the first transition, type 0 - unless there are
		 * no transitions at all and the footer rules all of time. */
		if (h.timecnt == 0 && have_rule) {
			*utoff = tz_rule_offset(&rule, now);
			return 0;
		}
		return tzif_utoff(types, 0, utoff) ? 0 : -1;
	}
	/* The last transition at or before now. */
	lo = 0;
	hi = h.timecnt - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		long long t = timesize == 8 ? be64(times + (size_t)mid * 8)
		                            : (int32_t)be32(times + (size_t)mid * 4);

		if (t <= now)
			lo = mid;
		else
			hi = mid - 1;
	}
	/* §3.3: after the last transition the footer's rule applies. */
	if (lo == h.timecnt - 1 && have_rule) {
		*utoff = tz_rule_offset(&rule, now);
		return 0;
	}
	return tzif_utoff(types, idx[lo], utoff) ? 0 : -1;
}

/* The UT offset of zone tz at now; 0 or -1 when the zone cannot be read. */
static int tz_offset(const char *tz, long long now, long *utoff)
{
	unsigned char *data;
	size_t size;
	int rc;

	if (tz == NULL)
		return -1;
	if (strcmp(tz, "UTC") == 0) {
		*utoff = 0;
		return 0;
	}
	if (tz_name_problem(tz) != NULL || tzif_read(tz, &data, &size) == -1)
		return -1;
	rc = tzif_offset(data, size, now, utoff);
	free(data);
	return rc;
}

/* Far beyond any use, near enough to zero that adding an offset and the
 * date arithmetic cannot overflow. */
#define NOW_LIMIT 100000000000000LL /* about 3 million years */

int tz_local_time(const char *tz, long long now, int *wday, int *minute)
{
	long utoff;
	long long t, days;

	if (now > NOW_LIMIT || now < -NOW_LIMIT || tz_offset(tz, now, &utoff) == -1)
		return -1;
	t = now + utoff;
	days = floor_div(t, 86400);
	*minute = (int)((t - days * 86400) / 60);
	*wday = (int)((days % 7 + 7 + 3) % 7); /* 0 Monday; 1970-01-01 was a Thursday */
	return 0;
}
