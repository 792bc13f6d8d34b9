/* log.c - logging to stderr in the foreground, to syslog as a daemon. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "pocdird.h"

/* Longest line written; longer messages are cut (they come from peers). */
#define LOG_MAX_LINE 4096

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
		char when[32], line[LOG_MAX_LINE];
		struct timespec ts;
		struct tm tm;
		int n;

		/* The event loop, the reload, sync and bind threads all log:
		 * each line is formatted whole and written with one call under
		 * the stream's lock, so lines never interleave. */
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "%s.%03ldZ pocdird %s: ", when,
		             ts.tv_nsec / 1000000, tag[level]);
		if (n > 0 && (size_t)n < sizeof(line))
			n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		if (n < 0)
			n = 0;
		if ((size_t)n > sizeof(line) - 2)
			n = (int)sizeof(line) - 2; /* cut: a line is bounded */
		line[n++] = '\n';
		flockfile(stderr);
		fwrite(line, 1, (size_t)n, stderr);
		fflush(stderr);
		funlockfile(stderr);
	} else {
		vsyslog(prio[level], fmt, ap);
	}
	va_end(ap);
}

bool log_limit_ok(struct log_limit *l, unsigned max, double window, double now, const char *what)
{
	if (now - l->start >= window || now < l->start) {
		if (l->held > 0)
			log_msg(LOG_LEVEL_WARNING, "%u more %s not logged in the last %.0f s",
			        l->held, what, now - l->start);
		l->start = now;
		l->lines = 0;
		l->held = 0;
	}
	if (l->lines < max) {
		l->lines++;
		return true;
	}
	l->held++;
	return false;
}
