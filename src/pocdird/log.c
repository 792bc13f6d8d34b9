/* log.c - logging to stderr in the foreground, to syslog as a daemon. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "pocdird.h"

static bool log_foreground = true;
static enum log_level log_current = LOG_LEVEL_INFO;

void log_init(bool foreground, enum log_level level)
{
	log_foreground = foreground;
	log_current = level;
	if (!foreground)
		openlog("pocdird", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_current = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_current;
}

int log_level_parse(const char *s)
{
	static const char *const names[] = {"err", "warning", "info", "debug"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	if (strcasecmp(s, "error") == 0)
		return LOG_LEVEL_ERR;
	if (strcasecmp(s, "warn") == 0)
		return LOG_LEVEL_WARNING;
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *const tag[] = {"error", "warning", "info", "debug"};
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	if (log_foreground) {
		char when[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ pocdird %s: ", when, ts.tv_nsec / 1000000, tag[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio[level], fmt, ap);
	}
	va_end(ap);
}
