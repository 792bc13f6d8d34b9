/* tzclock.h - the system's time zones (tzdata) and the local clock read
 * from them, for validate.c and the public pocdir_local_time. */
#ifndef POCDIR_TZCLOCK_H
#define POCDIR_TZCLOCK_H

#include <stdbool.h>

/* What tz_find says of a zone name. */
enum tz_status {
	TZ_FOUND,    /* a TZif file in tzdata, or "UTC" */
	TZ_BAD_NAME, /* not a zone name at all (path tricks, bad characters) */
	TZ_MISSING,  /* a name, but no such zone in the system's tzdata */
	TZ_NOT_TZIF  /* the file there is not a TZif file */
};

/* Look name up in tzdata (/usr/share/zoneinfo, or $TZDIR). For
 * TZ_BAD_NAME, *problem says why (a static string); else it is NULL. */
enum tz_status tz_find(const char *name, const char **problem);

/* The local weekday (0 Monday .. 6 Sunday) and minute of the day in zone tz
 * at `now` (UTC seconds), read from the zone's TZif file and the POSIX TZ
 * rule of its footer (TZ is not touched: thread safe). Returns 0, or -1 for
 * an unknown zone or a moment beyond any use. */
int tz_local_time(const char *tz, long long now, int *wday, int *minute);

/* Proleptic Gregorian calendar: is y a leap year; days in month m (1-12). */
bool civil_leap_year(long long y);
int civil_month_days(long long y, int m);

#endif /* POCDIR_TZCLOCK_H */
