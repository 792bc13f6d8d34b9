/* t_clock.c - the public local-time and business-hours functions that the
 * tool's table uses: zones read from tzdata, weekdays counted from Sunday. */
#include "config.h"

#include "pocdir.h"
#include "tap.h"

int main(void)
{
	int wday = -1, hour = -1, minute = -1;
	/* 2026-11-22 09:14:00 UTC was a Sunday; Seoul is UTC+9, no DST. */
	const long long now = 1795338840LL;

	tap_ok(pocdir_local_time("Asia/Seoul", now, &wday, &hour, &minute) == 0 && wday == 0 &&
	           hour == 18 && minute == 14,
	       "Seoul: Sunday 18:14 (got %d %02d:%02d)", wday, hour, minute);
	tap_ok(pocdir_local_time("UTC", now, &wday, &hour, &minute) == 0 && wday == 0 &&
	           hour == 9 && minute == 14,
	       "UTC: Sunday 09:14");
	/* Berlin in winter is UTC+1. */
	tap_ok(pocdir_local_time("Europe/Berlin", now, &wday, &hour, &minute) == 0 && hour == 10,
	       "Berlin in November: 10:14");
	tap_ok(pocdir_local_time("Asia/Seol", now, &wday, &hour, &minute) == -1,
	       "an unknown zone is refused");
	tap_ok(pocdir_local_time("../../etc/passwd", now, &wday, &hour, &minute) == -1,
	       "a path is not a zone");
	tap_ok(pocdir_local_time(NULL, now, &wday, &hour, &minute) == -1, "no zone");

	tap_ok(pocdir_hours_open("Mo-Fr 09:00-18:00", 1, 9, 0) == 1, "Monday 09:00 is open");
	tap_ok(pocdir_hours_open("Mo-Fr 09:00-18:00", 5, 17, 59) == 1, "Friday 17:59 is open");
	tap_ok(pocdir_hours_open("Mo-Fr 09:00-18:00", 5, 18, 0) == 0, "Friday 18:00 is closed");
	tap_ok(pocdir_hours_open("Mo-Fr 09:00-18:00", 0, 12, 0) == 0, "Sunday is closed");
	tap_ok(pocdir_hours_open("Mo-Th 08:30-17:00, Fr 08:30-12:00", 5, 13, 0) == 0,
	       "Friday afternoon is closed in a second range");
	tap_ok(pocdir_hours_open("24/7", 0, 3, 0) == 1, "24/7 is always open");
	tap_ok(pocdir_hours_open("whenever", 1, 9, 0) == -1, "unreadable hours");
	tap_ok(pocdir_hours_open(NULL, 1, 9, 0) == -1, "no hours");
	tap_ok(pocdir_hours_open("24/7", 7, 9, 0) == -1, "a weekday out of range");
	tap_ok(pocdir_hours_open("24/7", 1, 24, 0) == -1, "an hour out of range");
	return tap_done();
}
