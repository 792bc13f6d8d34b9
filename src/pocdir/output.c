/* output.c - printing results: tables for people (aligned, fitted to the
 * terminal, with each contact's local time and office hours) and the
 * machine formats through the library's pocdir_write. */
#include "config.h"

#include <langinfo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

/* ---- strings ---- */

/* A growable string; on allocation failure `failed` is set and appends stop. */
struct text {
	char *data;
	size_t len, cap;
	bool failed;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		p = realloc(t->data, cap);
		if (p == NULL) {
			t->failed = true;
			return;
		}
		t->data = p;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* Append a line to a multi-line cell: '\n' between lines. */
static void text_line(struct text *t, const char *s, const char *suffix)
{
	if (t->len > 0)
		text_add(t, "\n", 1);
	text_str(t, s);
	if (suffix != NULL)
		text_str(t, suffix);
}

/* Hand the string over (never NULL unless allocation failed). */
static char *text_take(struct text *t)
{
	char *s;

	if (t->failed) {
		free(t->data);
		*t = (struct text){0};
		return NULL;
	}
	s = t->data != NULL ? t->data : strdup("");
	t->data = NULL;
	t->len = t->cap = 0;
	return s;
}

/* ---- display width ---- */

/* Decode one UTF-8 character at s (n bytes left): its code point and its
 * length; an invalid byte counts as one character of width 1. */
static size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, *cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, *cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, *cp = p[0] & 0x07;
	else
		goto invalid;
	if (len > n)
		goto invalid;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto invalid;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return len;
invalid:
	*cp = 0xfffd;
	return 1;
}

/* Columns a code point takes in a terminal: 0 for combining marks, 2 for
 * East Asian wide and fullwidth ranges (UAX #11), else 1. Our own table, so
 * the layout does not depend on the locale the tests run in. */
static unsigned cp_width(uint32_t cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

static size_t display_width(const char *s, size_t n)
{
	size_t w = 0, k;
	uint32_t cp;

	for (; n > 0; s += k, n -= k) {
		k = utf8_next(s, n, &cp);
		w += cp_width(cp);
	}
	return w;
}

/* Bytes of s (n bytes) that fit in `width` columns, whole characters only. */
static size_t display_fit(const char *s, size_t n, size_t width, size_t *used)
{
	size_t w = 0, k, pos = 0;
	uint32_t cp;

	while (pos < n) {
		k = utf8_next(s + pos, n - pos, &cp);
		if (w + cp_width(cp) > width)
			break;
		w += cp_width(cp);
		pos += k;
	}
	*used = w;
	return pos;
}

/* ---- local time and office hours ---- */

static const char *const day_names[7] = {"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"};

/* The wall clock in each zone at one moment. Each zone is computed once:
 * computing it reads that zone's file, which for a table of thousands of
 * contacts would dominate. tzdata has a few hundred
 * zones, so the list stays short; contacts come sorted by country, so the
 * last zone used is tried first. */
struct zone_clock {
	char *zone;
	struct tm tm;
	bool ok;
};

struct clocks {
	long long now;
	struct zone_clock *zone;
	size_t n, cap, last;
};

static void clocks_free(struct clocks *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->zone[i].zone);
	free(c->zone);
	c->zone = NULL;
	c->n = c->cap = 0;
}

/* The local weekday, hour and minute in tz, from the library (which reads
 * tzdata itself: TZ is never touched). */
static bool zone_time(const char *tz, long long now, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	return pocdir_local_time(tz, now, &tm->tm_wday, &tm->tm_hour, &tm->tm_min) == 0;
}

/* The local time in tz at c->now, or NULL when tz cannot be used. spare
 * holds the answer when the cache cannot grow. */
static const struct tm *clock_in(struct clocks *c, const char *tz, struct tm *spare)
{
	struct zone_clock *z;
	size_t i;

	if (tz == NULL)
		return NULL;
	if (c->last < c->n && strcmp(c->zone[c->last].zone, tz) == 0)
		return c->zone[c->last].ok ? &c->zone[c->last].tm : NULL;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->zone[i].zone, tz) == 0) {
			c->last = i;
			return c->zone[i].ok ? &c->zone[i].tm : NULL;
		}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		z = realloc(c->zone, cap * sizeof(*z));
		if (z == NULL)
			return zone_time(tz, c->now, spare) ? spare : NULL;
		c->zone = z;
		c->cap = cap;
	}
	z = &c->zone[c->n];
	if ((z->zone = strdup(tz)) == NULL)
		return zone_time(tz, c->now, spare) ? spare : NULL;
	z->ok = zone_time(tz, c->now, &z->tm);
	c->last = c->n++;
	return z->ok ? &z->tm : NULL;
}

/* ---- tables ---- */

enum paint { PAINT_NONE, PAINT_GREEN, PAINT_RED };

struct cell {
	char *text; /* lines separated by '\n' */
	enum paint paint;
};

/* How a column gives way when the table is wider than the terminal:
 * columns of the lowest rank narrow first, the widest of them one column at
 * a time, down to their floor. */
enum fit_how {
	FIT_FIXED, /* never narrowed: phone numbers, times */
	FIT_WRAP,  /* text wraps at spaces onto more lines: nothing is lost */
	FIT_CUT    /* cut with an ellipsis: for things that do not wrap well */
};

struct fit {
	enum fit_how how;
	int rank;
	size_t floor;
};

struct table {
	size_t ncols, nrows, cap;
	const char *const *headers; /* ncols names, or NULL for no header line */
	const struct fit *fit;      /* how each column gives way on a narrow terminal
	                             * (NULL: every column wraps, all alike) */
	struct cell *cells;         /* nrows * ncols */
	/* When even narrowed the table is wider than the terminal, print one
	 * block per row instead (heading: the first two columns), so no
	 * contact channel is ever cut. */
	bool list_when_narrow;
};

static int table_add_row(struct table *t, struct cell *row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct cell *cells;

		if (cap > SIZE_MAX / t->ncols / sizeof(*cells))
			return -1;
		cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
		if (cells == NULL)
			return -1;
		t->cells = cells;
		t->cap = cap;
	}
	memcpy(t->cells + t->nrows * t->ncols, row, t->ncols * sizeof(*row));
	t->nrows++;
	return 0;
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

/* Line k of a multi-line cell: its start and length, or NULL past the end. */
static const char *cell_line(const char *text, size_t k, size_t *len)
{
	const char *p = text, *nl;

	for (; k > 0; k--) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = strchr(p, '\n');
	*len = nl != NULL ? (size_t)(nl - p) : strlen(p);
	return p;
}

static size_t terminal_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long v;

	if (env != NULL && *env != '\0') {
		v = strtol(env, &end, 10);
		if (*end == '\0' && v >= 20 && v <= 10000)
			return (size_t)v;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

#define GAP 2

static struct fit column_fit(const struct table *t, size_t c)
{
	static const struct fit wrap = {FIT_WRAP, 0, 12};

	return t->fit != NULL ? t->fit[c] : wrap;
}

/* Narrow columns until the table fits `limit` or nothing can give more;
 * returns the width reached. */
static size_t table_fit(const struct table *t, size_t *width, size_t limit)
{
	size_t total = 0, c;

	for (c = 0; c < t->ncols; c++)
		total += width[c] + (c > 0 ? GAP : 0);
	while (total > limit) {
		size_t pick = t->ncols;
		struct fit best = {FIT_FIXED, 0, 0};

		for (c = 0; c < t->ncols; c++) {
			struct fit f = column_fit(t, c);

			if (f.how == FIT_FIXED || width[c] <= f.floor)
				continue;
			if (pick == t->ncols || f.rank < best.rank ||
			    (f.rank == best.rank && width[c] > width[pick])) {
				pick = c;
				best = f;
			}
		}
		if (pick == t->ncols)
			break;
		width[pick]--;
		total--;
	}
	return total;
}

/* Add line s (n bytes) to out, wrapped at spaces into lines of at most
 * width columns (a word longer than a line is split); a line break comes
 * first unless it is the cell's first line. */
static void wrap_line(struct text *out, const char *s, size_t n, size_t width, bool first)
{
	size_t pos = 0, lw = 0, used, wlen, ww, fit;
	bool empty = true; /* no word on the current output line yet */

	if (!first)
		text_add(out, "\n", 1);
	while (pos < n) {
		while (pos < n && s[pos] == ' ')
			pos++;
		if (pos >= n)
			break;
		for (wlen = 0; pos + wlen < n && s[pos + wlen] != ' '; wlen++)
			;
		ww = display_width(s + pos, wlen);
		if (!empty && lw + 1 + ww <= width) {
			text_add(out, " ", 1);
			text_add(out, s + pos, wlen);
			lw += 1 + ww;
			pos += wlen;
			continue;
		}
		if (!empty)
			text_add(out, "\n", 1);
		fit = ww <= width ? wlen : display_fit(s + pos, wlen, width, &used);
		if (fit == 0)
			fit = 1; /* a character wider than the column */
		text_add(out, s + pos, fit);
		lw = display_width(s + pos, fit);
		pos += fit;
		empty = false;
	}
}

/* Rewrap the cells of wrapping columns that were narrowed. */
static int table_wrap(struct table *t, const size_t *width)
{
	size_t r, c, k, len;
	const char *line;

	for (c = 0; c < t->ncols; c++) {
		if (column_fit(t, c).how != FIT_WRAP)
			continue;
		for (r = 0; r < t->nrows; r++) {
			struct cell *cell = &t->cells[r * t->ncols + c];
			struct text out = {0};
			char *text;

			for (k = 0; (line = cell_line(cell->text, k, &len)) != NULL; k++)
				wrap_line(&out, line, len, width[c], k == 0);
			text = text_take(&out);
			if (text == NULL)
				return -1;
			free(cell->text);
			cell->text = text;
		}
	}
	return 0;
}

/* Write n bytes of directory text to a terminal: control characters (C0,
 * DEL, C1), bidirectional overrides and invalid UTF-8 become '?', so a
 * contact synced from a peer cannot move the cursor, retitle the window or
 * reorder what is shown. Each replacement takes the one column
 * display_width counted for it. */
static void put_text(FILE *out, const char *s, size_t n)
{
	size_t k, start = 0, pos = 0;
	uint32_t cp;

	while (pos < n) {
		k = utf8_next(s + pos, n - pos, &cp);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
		    (cp == 0xfffd && k == 1)) {
			fwrite(s + start, 1, pos - start, out);
			fputc(cp == '\t' ? ' ' : '?', out);
			start = pos + k;
		}
		pos += k;
	}
	fwrite(s + start, 1, pos - start, out);
}

/* One cell line, cut to width with an ellipsis when too long, padded unless
 * it is the last column (no trailing blanks). */
static void print_cell(FILE *out, const char *s, size_t len, size_t width, bool last,
                       const char *on, const char *ellipsis)
{
	size_t w = display_width(s, len), used, n;

	if (w > width) {
		size_t ew = display_width(ellipsis, strlen(ellipsis));

		n = display_fit(s, len, width > ew ? width - ew : 0, &used);
		fputs(on, out);
		put_text(out, s, n);
		fputs(ellipsis, out);
		w = used + ew;
	} else {
		fputs(on, out);
		put_text(out, s, len);
	}
	if (*on != '\0')
		fputs("\033[0m", out);
	if (!last && w < width)
		fprintf(out, "%*s", (int)(width - w), "");
}

/* One block per row for a narrow terminal: the first two columns as a
 * heading, then each other non-empty cell under its header, wrapping
 * columns wrapped to the terminal and the others whole. */
static int table_print_list(struct table *t, const struct cli *cli, FILE *out, size_t limit)
{
	static const char *const paint_on[] = {"", "\033[32m", "\033[31m"};
	size_t r, c, k, len, hw = 0;
	const char *line;

	for (c = 2; c < t->ncols; c++)
		if (strlen(t->headers[c]) > hw)
			hw = strlen(t->headers[c]);
	for (r = 0; r < t->nrows; r++) {
		const struct cell *row = t->cells + r * t->ncols;

		if (r > 0)
			fputc('\n', out);
		for (c = 0; c < 2 && c < t->ncols; c++)
			for (k = 0; (line = cell_line(row[c].text, k, &len)) != NULL; k++) {
				fputs(c == 0 && k == 0   ? ""
				      : c == 1 && k == 0 ? "  "
				                         : "\n    ",
				      out);
				fputs(cli->color ? "\033[1m" : "", out);
				put_text(out, line, len);
				fputs(cli->color ? "\033[0m" : "", out);
			}
		fputc('\n', out);
		for (c = 2; c < t->ncols; c++) {
			struct text wrapped = {0};
			const char *text = row[c].text;
			char *owned = NULL;
			size_t avail = limit > hw + 6 ? limit - hw - 6 : 20;

			if (text == NULL || *text == '\0' || strcmp(text, "-") == 0)
				continue;
			if (column_fit(t, c).how == FIT_WRAP) {
				for (k = 0; (line = cell_line(text, k, &len)) != NULL; k++)
					wrap_line(&wrapped, line, len, avail, k == 0);
				if ((owned = text_take(&wrapped)) == NULL)
					return -1;
				text = owned;
			}
			for (k = 0; (line = cell_line(text, k, &len)) != NULL; k++) {
				fprintf(out, "  %-*s  ", (int)hw, k == 0 ? t->headers[c] : "");
				fputs(cli->color ? paint_on[row[c].paint] : "", out);
				put_text(out, line, len);
				fputs(cli->color && row[c].paint != PAINT_NONE ? "\033[0m" : "",
				      out);
				fputc('\n', out);
			}
			free(owned);
		}
	}
	return 0;
}

static int table_print(struct table *t, const struct cli *cli, FILE *out)
{
	static const char *const paint_on[] = {"", "\033[32m", "\033[31m"};
	const char *ellipsis = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "…" : "...";
	size_t *width, r, c, k, len;
	const char *line;
	int rc = -1;

	width = calloc(t->ncols, sizeof(*width));
	if (width == NULL)
		return -1;
	for (c = 0; c < t->ncols; c++) {
		if (t->headers != NULL)
			width[c] = display_width(t->headers[c], strlen(t->headers[c]));
		for (r = 0; r < t->nrows; r++)
			for (k = 0; (line = cell_line(t->cells[r * t->ncols + c].text, k, &len));
			     k++)
				if (display_width(line, len) > width[c])
					width[c] = display_width(line, len);
	}
	/* Fit the terminal only when a person is looking: piped output keeps
	 * every character. */
	if (isatty(fileno(out))) {
		size_t limit = terminal_width();

		if (table_fit(t, width, limit) > limit && t->list_when_narrow &&
		    t->headers != NULL && t->ncols > 2) {
			rc = table_print_list(t, cli, out, limit);
			goto done;
		}
		if (table_wrap(t, width) == -1)
			goto done;
	}
	if (t->headers != NULL) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fprintf(out, "%*s", GAP, "");
			print_cell(out, t->headers[c], strlen(t->headers[c]), width[c],
			           c + 1 == t->ncols, cli->color ? "\033[1m" : "", ellipsis);
		}
		fputc('\n', out);
	}
	for (r = 0; r < t->nrows; r++) {
		const struct cell *row = t->cells + r * t->ncols;

		for (k = 0;; k++) {
			bool any = false;
			size_t last = 0;

			/* Stop after the cell with the most lines; and know the
			 * last column with text on this line, to trim blanks. */
			for (c = 0; c < t->ncols; c++)
				if (cell_line(row[c].text, k, &len) != NULL && len > 0) {
					any = true;
					last = c;
				}
			if (!any && k > 0)
				break;
			for (c = 0; c <= last; c++) {
				line = cell_line(row[c].text, k, &len);
				if (line == NULL)
					line = "", len = 0;
				if (c > 0)
					fprintf(out, "%*s", GAP, "");
				print_cell(out, line, len, width[c], c == last,
				           cli->color ? paint_on[row[c].paint] : "", ellipsis);
			}
			fputc('\n', out);
		}
	}
	rc = 0;
done:
	free(width);
	return rc;
}

/* ---- the tables pocdir prints ---- */

/* All values of attr, one per line, each followed by suffix. */
static void add_values(struct text *t, const pocdir_entry *e, const char *attr, const char *suffix)
{
	const char *const *v;
	size_t i, n = pocdir_entry_get(e, attr, &v);

	for (i = 0; i < n; i++)
		text_line(t, v[i], suffix);
}

/* strdup that takes NULL as "" (entry accessors promise strings; be safe). */
static char *dup_text(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static const char *first_value(const pocdir_entry *e, const char *attr)
{
	const char *const *v;

	return pocdir_entry_get(e, attr, &v) > 0 ? v[0] : NULL;
}

/* Minutes from local time (wday, minute of day) until hours next open,
 * within a week; -1 when they never are. Steps of 15 minutes find the
 * opening, then minutes back to its first one. */
static long minutes_to_open(const char *hours, int wday, int minute)
{
	long step, t;

	for (t = 15 - minute % 15; t <= 7 * 24 * 60; t += 15) {
		long m = (long)wday * 1440 + minute + t;

		if (pocdir_hours_open(hours, (int)(m / 1440 % 7), (int)(m % 1440 / 60),
		                      (int)(m % 60)) == 1) {
			for (step = 1; step < 15; step++) {
				long b = m - step;

				if (pocdir_hours_open(hours, (int)(b / 1440 % 7),
				                      (int)(b % 1440 / 60), (int)(b % 60)) != 1)
					break;
			}
			return t - step + 1;
		}
	}
	return -1;
}

/* "Mo 18:05" and open/closed for e at clocks->now, into two cells; a closed
 * office says when it opens, in its time and in the user's. */
static void local_time_cells(struct clocks *clocks, const pocdir_entry *e, struct cell *time_cell,
                             struct cell *open_cell)
{
	const char *hours = first_value(e, "pocHours");
	struct tm spare;
	const struct tm *tm = clock_in(clocks, first_value(e, "pocTimezone"), &spare);
	char buf[96];
	int open;
	long wait;

	if (tm == NULL) {
		time_cell->text = strdup("-");
		open_cell->text = strdup("-");
		return;
	}
	snprintf(buf, sizeof(buf), "%s %02d:%02d", day_names[tm->tm_wday], tm->tm_hour, tm->tm_min);
	open = pocdir_hours_open(hours, tm->tm_wday, tm->tm_hour, tm->tm_min);
	time_cell->text = strdup(buf);
	open_cell->paint = open == 1 ? PAINT_GREEN : open == 0 ? PAINT_RED : PAINT_NONE;
	if (open == 0 &&
	    (wait = minutes_to_open(hours, tm->tm_wday, tm->tm_hour * 60 + tm->tm_min)) > 0) {
		long m = (long)tm->tm_wday * 1440 + tm->tm_hour * 60 + tm->tm_min + wait;
		time_t at = (time_t)(clocks->now + wait * 60 - clocks->now % 60);
		struct tm mine;

		if (localtime_r(&at, &mine) != NULL)
			snprintf(buf, sizeof(buf),
			         "closed\nopens %s %02ld:%02ld\n(yours %s %02d:%02d)",
			         day_names[m / 1440 % 7], m % 1440 / 60, m % 60,
			         day_names[mine.tm_wday], mine.tm_hour, mine.tm_min);
		else
			snprintf(buf, sizeof(buf), "closed\nopens %s %02ld:%02ld",
			         day_names[m / 1440 % 7], m % 1440 / 60, m % 60);
		open_cell->text = strdup(buf);
		return;
	}
	open_cell->text = strdup(open == 1 ? "open" : open == 0 ? "closed" : "-");
}

enum {
	COL_COUNTRY,
	COL_AGENCY,
	COL_ROLES,
	COL_NAME,
	COL_MAIL,
	COL_PHONE,
	COL_TIME,
	COL_OPEN,
	NCOLS
};

/* The 24x7 channel to try when e's office is closed and e has none: the
 * first contact of the same country with a 24x7 phone, as "+82 ... (24x7,
 * KR/krcert)", into buf; "" when there is none. */
static void alternative_24x7(pocdir *dir, const pocdir_entry *e, char *buf, size_t size)
{
	pocdir_query q = {.country = pocdir_entry_country(e)};
	pocdir_result *res = NULL;
	pocdir_error err = {0};
	size_t i;

	buf[0] = '\0';
	if (dir == NULL || pocdir_entry_get(e, "pocEmergencyPhone", NULL) > 0 ||
	    pocdir_lookup(dir, &q, &res, &err) == -1)
		return;
	for (i = 0; i < pocdir_result_count(res); i++) {
		const pocdir_entry *alt = pocdir_result_entry(res, i);
		const char *phone = first_value(alt, "pocEmergencyPhone");

		if (alt == e || phone == NULL)
			continue;
		snprintf(buf, size, "%s (24x7, %s/%s)", phone, pocdir_entry_country(alt),
		         pocdir_entry_id(alt));
		break;
	}
	pocdir_result_free(&res);
}

/* The table for people: who, how to reach them, whether it is office
 * hours where they are, and what to call when it is not. */
static int print_people(const struct cli *cli, pocdir *dir, const pocdir_result *res)
{
	static const char *const headers[NCOLS] = {"CC",     "AGENCY", "ROLES", "NAME",
	                                           "E-MAIL", "PHONE",  "LOCAL", "NOW"};
	/* On a narrow terminal agency, name and roles wrap; contact channels,
	 * numbers and times are never cut: when the rest cannot give enough,
	 * each contact becomes a block of lines instead. */
	static const struct fit fit[NCOLS] = {
	    {FIT_FIXED, 0, 0}, {FIT_WRAP, 1, 13}, {FIT_WRAP, 0, 17}, {FIT_WRAP, 1, 13},
	    {FIT_FIXED, 0, 0}, {FIT_FIXED, 0, 0}, {FIT_FIXED, 0, 0}, {FIT_FIXED, 0, 0}};
	struct table t = {.ncols = NCOLS, .headers = headers, .fit = fit, .list_when_narrow = true};
	struct clocks clocks = {.now = cli->now};
	size_t i, c, n = pocdir_result_count(res);
	int rc = -1;

	for (i = 0; i < n; i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);
		struct cell row[NCOLS] = {{0}};
		struct text s = {0};
		const char *name = first_value(e, "cn"), *title = first_value(e, "title");
		char status[512], alt[256] = "";

		row[COL_COUNTRY].text = dup_text(pocdir_entry_country(e));
		add_values(&s, e, "o", NULL);
		row[COL_AGENCY].text = text_take(&s);
		add_values(&s, e, "pocRole", NULL);
		row[COL_ROLES].text = text_take(&s);
		/* cn falls back to the agency in the library; the id is the last resort. */
		if (name == NULL)
			name = pocdir_entry_id(e) != NULL ? pocdir_entry_id(e) : "";
		text_line(&s, name, NULL);
		if (title != NULL && strcmp(title, name) != 0)
			text_line(&s, title, NULL);
		if (pocdir_status_text(e, cli->now, status, sizeof(status)) > 0) {
			text_line(&s, "! ", status);
			row[COL_NAME].paint = PAINT_RED;
		}
		row[COL_NAME].text = text_take(&s);
		add_values(&s, e, "mail", NULL);
		add_values(&s, e, "pocEmergencyMail", " (24x7)");
		row[COL_MAIL].text = text_take(&s);
		local_time_cells(&clocks, e, &row[COL_TIME], &row[COL_OPEN]);
		if (row[COL_OPEN].text != NULL && strncmp(row[COL_OPEN].text, "closed", 6) == 0)
			alternative_24x7(dir, e, alt, sizeof(alt));
		add_values(&s, e, "telephoneNumber", NULL);
		add_values(&s, e, "pocEmergencyPhone", " (24x7)");
		add_values(&s, e, "mobile", " (mobile)");
		if (alt[0] != '\0')
			text_line(&s, alt, NULL);
		row[COL_PHONE].text = text_take(&s);
		for (c = 0; c < NCOLS; c++)
			if (row[c].text == NULL)
				break;
		if (c < NCOLS || table_add_row(&t, row) == -1) {
			for (c = 0; c < NCOLS; c++)
				free(row[c].text);
			cli_error("out of memory");
			goto done;
		}
	}
	rc = table_print(&t, cli, stdout);
done:
	clocks_free(&clocks);
	table_free(&t);
	return rc;
}

/* The entry's own fields that are not attributes, for --attrs dn etc. */
static const char *pseudo_attr(const pocdir_entry *e, const char *name)
{
	if (strcasecmp(name, "dn") == 0)
		return pocdir_entry_dn(e);
	if (strcasecmp(name, "id") == 0)
		return pocdir_entry_id(e);
	if (strcasecmp(name, "country") == 0)
		return pocdir_entry_country(e);
	if (strcasecmp(name, "origin") == 0)
		return pocdir_entry_origin(e);
	return NULL;
}

/* search --attrs: one column per attribute asked for, as named. */
static int print_attrs(const struct cli *cli, const pocdir_result *res, const char *const *attrs)
{
	struct table t = {.headers = attrs};
	size_t i, c, n = pocdir_result_count(res);
	struct cell *row = NULL;
	int rc = -1;

	while (attrs[t.ncols] != NULL)
		t.ncols++;
	row = calloc(t.ncols, sizeof(*row));
	if (row == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);

		for (c = 0; c < t.ncols; c++) {
			struct text s = {0};
			const char *pseudo;

			add_values(&s, e, attrs[c], NULL);
			if (s.len == 0 && (pseudo = pseudo_attr(e, attrs[c])) != NULL)
				text_line(&s, pseudo, NULL);
			row[c].text = text_take(&s);
			if (row[c].text == NULL)
				break;
		}
		if (c < t.ncols || table_add_row(&t, row) == -1) {
			for (c = 0; c < t.ncols; c++)
				free(row[c].text);
			goto fail;
		}
		memset(row, 0, t.ncols * sizeof(*row));
	}
	rc = table_print(&t, cli, stdout);
	goto done;
fail:
	cli_error("out of memory");
done:
	free(row);
	table_free(&t);
	return rc;
}

/* A postalAddress value as the lines it stands for: RFC 4517 3.3.28 joins
 * them with '$' and escapes '$' and '\\' inside a line as \\24 and \\5C. */
static void postal_lines(struct text *t, const char *value)
{
	const char *p;

	if (t->len > 0)
		text_add(t, "\n", 1);
	for (p = value; *p != '\0'; p++) {
		if (*p == '$') {
			text_add(t, "\n", 1);
			while (p[1] == ' ')
				p++;
		} else if (*p == '\\' && strncasecmp(p + 1, "24", 2) == 0) {
			text_add(t, "$", 1);
			p += 2;
		} else if (*p == '\\' && strncasecmp(p + 1, "5c", 2) == 0) {
			text_add(t, "\\", 1);
			p += 2;
		} else {
			text_add(t, p, 1);
		}
	}
}

int output_entry_detail(const struct cli *cli, const pocdir_entry *e)
{
	static const struct fit fit[2] = {{FIT_FIXED, 0, 0}, {FIT_WRAP, 0, 20}};
	struct table t = {.ncols = 2, .fit = fit};
	struct clocks clocks = {.now = cli->now};
	struct cell row[2];
	const char *name, *value;
	const char *const *values;
	size_t i, j, count;
	struct text s = {0};
	int rc = -1;

#define DETAIL_ROW(key, text_, paint_)                                                             \
	do {                                                                                       \
		row[0] = (struct cell){strdup(key), PAINT_NONE};                                   \
		row[1] = (struct cell){(text_), (paint_)};                                         \
		if (row[0].text == NULL || row[1].text == NULL || table_add_row(&t, row) == -1) {  \
			free(row[0].text);                                                         \
			free(row[1].text);                                                         \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

	DETAIL_ROW("dn", dup_text(pocdir_entry_dn(e)), PAINT_NONE);
	DETAIL_ROW("origin", dup_text(pocdir_entry_origin(e)), PAINT_NONE);
	{
		char status[512];

		if (pocdir_status_text(e, cli->now, status, sizeof(status)) > 0)
			DETAIL_ROW("status", dup_text(status), PAINT_RED);
	}
	for (i = 0; (name = pocdir_entry_attr(e, i, &values, &count)) != NULL; i++) {
		if (strcasecmp(name, "objectClass") == 0)
			continue;
		for (j = 0; j < count; j++) {
			if (strcasecmp(name, "postalAddress") == 0)
				postal_lines(&s, values[j]);
			else
				text_line(&s, values[j], NULL);
		}
		DETAIL_ROW(name, text_take(&s), PAINT_NONE);
	}
	for (i = 0; (name = pocdir_entry_extension(e, i, &value)) != NULL; i++)
		DETAIL_ROW(name, dup_text(value), PAINT_NONE);
	{
		struct cell time_cell = {0}, open_cell = {0};

		local_time_cells(&clocks, e, &time_cell, &open_cell);
		if (time_cell.text != NULL && open_cell.text != NULL &&
		    strcmp(time_cell.text, "-") != 0) {
			const char *p;

			/* "Mo 08:59 (closed, opens Mo 09:00, yours Mo 00:00)" */
			text_str(&s, time_cell.text);
			text_str(&s, " (");
			for (p = open_cell.text; *p != '\0'; p++)
				if (*p == '\n')
					text_str(&s, ", ");
				else if (*p != '(' && *p != ')')
					text_add(&s, p, 1);
			text_str(&s, ")");
		}
		free(time_cell.text);
		free(open_cell.text);
		if (s.len > 0)
			DETAIL_ROW("local time", text_take(&s), open_cell.paint);
	}
#undef DETAIL_ROW
	rc = table_print(&t, cli, stdout);
	goto done;
fail:
	cli_error("out of memory");
done:
	clocks_free(&clocks);
	free(s.data);
	table_free(&t);
	return rc;
}

int output_result(const struct cli *cli, pocdir *dir, const pocdir_result *res,
                  const char *const *attrs, int with_tree)
{
	pocdir_write_options w = {.attrs = attrs, .with_tree = with_tree, .now = cli->now};
	pocdir_error err = {0};
	pocdir_format fmt;

	switch (cli->format) {
	case CLI_FORMAT_TABLE:
		/* A failed write is caught when main flushes stdout. */
		return attrs != NULL ? print_attrs(cli, res, attrs) : print_people(cli, dir, res);
	case CLI_FORMAT_JSON:
		fmt = POCDIR_FORMAT_JSON;
		break;
	case CLI_FORMAT_LDIF:
		fmt = POCDIR_FORMAT_LDIF;
		break;
	case CLI_FORMAT_VCARD3:
		w.vcard_version = 3;
		/* fall through */
	case CLI_FORMAT_VCARD:
		fmt = POCDIR_FORMAT_VCARD;
		break;
	case CLI_FORMAT_CSV:
	default:
		fmt = POCDIR_FORMAT_CSV;
		break;
	}
	if (pocdir_write_with(res, fmt, &w, stdout, &err) == -1) {
		cli_error("%s", err.message);
		return -1;
	}
	return 0;
}
