/* mime.c - the messages of exchanges: rendering an RFC 5322 message with an
 * RFC 2045/2046 multipart body, and reading the header fields of a reply
 * that matching needs, with every length bounded.
 *
 * libcurl's MIME API (curl_mime) writes a message only into a transfer; the
 * message is needed as bytes before that (--dry-run prints it, the outbox
 * keeps it, the signature covers a part of it), so it is rendered here once
 * and uploaded as it is. Replies are parsed by the IMAP server (FETCH of
 * BODY[HEADER]); only the header fields it returns are read here. */
#include "config.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistr.h>

#include "exchange.h"
#include "util.h"

void mime_token_new(char token[MAIL_TOKEN_LEN + 1])
{
	unsigned char r[10];

	randombytes_buf(r, sizeof(r));
	token[0] = 'p';
	token[1] = 'd';
	sodium_bin2hex(token + 2, MAIL_TOKEN_LEN - 1, r, sizeof(r));
}

bool mime_token_valid(const char *s)
{
	if (strncmp(s, "pd", 2) != 0 || strlen(s) != MAIL_TOKEN_LEN)
		return false;
	for (size_t i = 2; i < MAIL_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void mime_date(long long t, char *buf, size_t size)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x7f || ((unsigned char)*s < 0x20 && *s != '\t'))
			return false;
	return true;
}

/* Is the longest run of s without a space at most max bytes? A longer
 * word cannot be folded within a line of 998 (RFC 5322 2.1.1). */
static bool words_fit(const char *s, size_t max)
{
	size_t run = 0;

	for (; *s != '\0'; s++) {
		run = *s == ' ' ? 0 : run + 1;
		if (run > max)
			return false;
	}
	return true;
}

/* RFC 2047 4.1: "=?utf-8?B?...?=" words of at most 75 characters, split on
 * UTF-8 character boundaries, folded onto continuation lines. */
static void header_encoded(FILE *f, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t take = 0;
		char b64[80];

		/* 45 bytes of text make 60 of base64: 12 + 60 <= 75. */
		while (i + take < n && take < 45) {
			size_t k = 1;

			while (i + take + k < n && ((unsigned char)s[i + take + k] & 0xc0) == 0x80)
				k++;
			if (take + k > 45)
				break;
			take += k;
		}
		if (take == 0)
			take = 1;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take,
		                  sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s=?utf-8?B?%s?=", i > 0 ? "\r\n " : "", b64);
		i += take;
	}
}

/* An unstructured field (RFC 5322 3.2.5): as it is when ASCII, else
 * encoded words. CR and LF never reach the header. */
static void header_text(FILE *f, const char *name, const char *value)
{
	char *clean = str_dup(value), *p;

	if (clean == NULL)
		return;
	for (p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	fprintf(f, "%s: ", name);
	/* A word too long for a line goes as encoded words, which fold. */
	if (is_ascii(clean) && words_fit(clean, MAIL_MAX_LINE - strlen(name) - 2)) {
		/* RFC 5322 2.1.1 and 2.2.3: lines of at most 78 characters,
		 * folded before white space. */
		size_t col = strlen(name) + 2;

		p = clean;

		while (strlen(p) + col > 78) {
			char *cut = NULL;

			for (char *q = p + 1; *q != '\0' && (size_t)(q - p) + col <= 78; q++)
				if (*q == ' ')
					cut = q;
			if (cut == NULL && (cut = strchr(p + 1, ' ')) == NULL)
				break; /* one long word: it may run to 998 */
			fprintf(f, "%.*s\r\n", (int)(cut - p), p);
			p = cut; /* the space starts the continuation line */
			col = 0;
		}
		fputs(p, f);
	} else
		header_encoded(f, clean);
	fputs("\r\n", f);
	free(clean);
}

/* A mailbox (RFC 5322 3.4): the display name as a quoted string or encoded
 * words, then the address. */
static void header_mailbox(FILE *f, const char *name, const char *display, const char *addr)
{
	fprintf(f, "%s: ", name);
	if (display != NULL && display[0] != '\0') {
		/* Quoted on one line only when the line stays within 998 with
		 * every character escaped; else encoded words, which fold. */
		if (is_ascii(display) &&
		    strlen(name) + 2 * strlen(display) + strlen(addr) + 8 <= MAIL_MAX_LINE) {
			fputc('"', f);
			for (const char *p = display; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					fputc('\\', f);
				fputc(*p, f);
			}
			fputc('"', f);
		} else
			header_encoded(f, display);
		fputc(' ', f);
	}
	fprintf(f, "<%s>\r\n", addr);
}

/* RFC 2045 6.7 quoted-printable, lines of at most 76 characters, CRLF line
 * breaks for the text's own line ends. */
static void body_qp(FILE *f, const char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char enc[4];
		size_t w;

		if (c == '\n') {
			fputs("\r\n", f);
			col = 0;
			continue;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		/* Rule 3: a space or tab before a line end is encoded. */
		bool end_ws =
		    (c == ' ' || c == '\t') && (i + 1 == n || s[i + 1] == '\n' || s[i + 1] == '\r');
		if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !end_ws)) {
			enc[0] = (char)c;
			enc[1] = '\0';
			w = 1;
		} else {
			snprintf(enc, sizeof(enc), "=%02X", c);
			w = 3;
		}
		/* A leading '.' would meet SMTP's dot-stuffing; libcurl handles
		 * that, but '=2E' keeps the message the same on every path. */
		if (col == 0 && c == '.') {
			snprintf(enc, sizeof(enc), "=2E");
			w = 3;
		}
		if (col + w > 75) {
			fputs("=\r\n", f); /* soft line break */
			col = 0;
		}
		fputs(enc, f);
		col += w;
	}
	if (col > 0)
		fputs("\r\n", f);
}

static void body_base64(FILE *f, const char *s, size_t n)
{
	char line[80];

	for (size_t i = 0; i < n; i += 57) { /* 57 bytes make 76 characters */
		size_t take = n - i < 57 ? n - i : 57;

		sodium_bin2base64(line, sizeof(line), (const unsigned char *)s + i, take,
		                  sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s\r\n", line);
	}
}

int mime_build(const struct mime_message *m, char **out, size_t *len, pocdir_error *err)
{
	char date[64], boundary[64];
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	*out = NULL;
	if ((f = open_memstream(&buf, &size)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	mime_date(m->date, date, sizeof(date));
	/* The token is random hex: it cannot occur in base64 or in the
	 * quoted-printable text, as RFC 2046 5.1.1 asks of a boundary. */
	snprintf(boundary, sizeof(boundary), "=_pocdir_%s", m->token);
	header_mailbox(f, "From", m->from_name, m->from);
	header_mailbox(f, "To", NULL, m->to);
	header_text(f, "Subject", m->subject);
	fprintf(f, "Date: %s\r\n", date);
	fprintf(f, "Message-ID: <%s>\r\n", m->message_id);
	fprintf(f, "X-Pocdir-Token: %s\r\n", m->token);
	fputs("MIME-Version: 1.0\r\n", f);
	fprintf(f, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
	fputs("This is a MIME message (RFC 2045): a text part and a machine-readable part.\r\n", f);
	for (size_t i = 0; i < m->nparts; i++) {
		const struct mime_part *p = &m->parts[i];
		bool text = !p->binary;

		fprintf(f, "\r\n--%s\r\nContent-Type: %s\r\n", boundary, p->type);
		fprintf(f, "Content-Transfer-Encoding: %s\r\n",
		        text ? "quoted-printable" : "base64");
		if (p->filename != NULL)
			fprintf(f, "Content-Disposition: attachment; filename=\"%s\"\r\n",
			        p->filename);
		else
			fputs("Content-Disposition: inline\r\n", f);
		fputs("\r\n", f);
		if (text)
			body_qp(f, p->data, p->len);
		else
			body_base64(f, p->data, p->len);
	}
	fprintf(f, "\r\n--%s--\r\n", boundary);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	*out = buf;
	*len = size;
	return 0;
}

/* ---- reading a reply's header ---- */

/* Copy a field's value (after unfolding) when it is one we keep. Values
 * longer than the field's room are cut, on a character boundary: matching
 * needs their start. */
static void header_keep(struct mime_header *h, const char *name, size_t nl, const char *v,
                        size_t vl)
{
	static const struct {
		const char *name;
		size_t off, size;
	} keep[] = {
	    {"message-id", offsetof(struct mime_header, message_id), 256},
	    {"in-reply-to", offsetof(struct mime_header, in_reply_to), 1024},
	    {"references", offsetof(struct mime_header, references), 2048},
	    {"subject", offsetof(struct mime_header, subject), 512},
	    {"from", offsetof(struct mime_header, from), 320},
	    {"date", offsetof(struct mime_header, date), 80},
	    {"content-type", offsetof(struct mime_header, content_type), 512},
	    {"auto-submitted", offsetof(struct mime_header, auto_submitted), 64},
	};

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		char *dst = (char *)h + keep[i].off;
		size_t n;

		if (strlen(keep[i].name) != nl || strncasecmp(keep[i].name, name, nl) != 0)
			continue;
		if (dst[0] != '\0')
			return; /* the first of a repeated field counts */
		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		n = vl < keep[i].size - 1 ? vl : keep[i].size - 1;
		/* A cut inside a character would leave bytes that are not
		 * UTF-8: cut before it (the line was checked whole). */
		while (n < vl && n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
		memcpy(dst, v, n);
		dst[n] = '\0';
		return;
	}
}

int mime_header_parse(const char *buf, size_t len, struct mime_header *h, char *why, size_t whysize)
{
	char *field = NULL; /* the unfolded field being read */
	size_t flen = 0, fcap = 0, pos = 0, lineno = 0;
	int rc = -1;

	memset(h, 0, sizeof(*h));
	while (pos <= len) {
		size_t start = pos, end;
		bool last = false;

		while (pos < len && buf[pos] != '\n')
			pos++;
		end = pos;
		if (end > start && buf[end - 1] == '\r')
			end--;
		if (pos >= len)
			last = true;
		pos++;
		lineno++;
		if (end - start > MAIL_MAX_LINE) {
			snprintf(why, whysize,
			         "header line %zu is longer than %d bytes (RFC 5322 2.1.1)", lineno,
			         MAIL_MAX_LINE);
			goto out;
		}
		for (size_t i = start; i < end; i++)
			if (buf[i] == '\0' || buf[i] == '\r') {
				snprintf(why, whysize, "header line %zu holds a %s", lineno,
				         buf[i] == '\0' ? "NUL byte" : "bare CR");
				goto out;
			}
		/* RFC 6532 3.2: UTF-8 as RFC 3629 has it (libunistring: no
		 * overlong forms, no surrogates, nothing past U+10FFFF). */
		if (u8_check((const uint8_t *)buf + start, end - start) != NULL) {
			snprintf(why, whysize,
			         "header line %zu holds bytes that are not UTF-8 (RFC 6532)",
			         lineno);
			goto out;
		}
		/* A line starting with white space continues the field (RFC 5322
		 * 2.2.3); any other line ends it. */
		bool cont = end > start && (buf[start] == ' ' || buf[start] == '\t');
		if (!cont && flen > 0) {
			const char *colon = memchr(field, ':', flen);

			header_keep(h, field, (size_t)(colon - field), colon + 1,
			            flen - (size_t)(colon - field) - 1);
			flen = 0;
		}
		if (end == start)
			break; /* the empty line that ends the header */
		if (!cont) {
			const char *colon = memchr(buf + start, ':', end - start);

			if (colon == NULL || colon == buf + start) {
				snprintf(why, whysize,
				         "header line %zu is not a field (\"name: value\")",
				         lineno);
				goto out;
			}
			/* RFC 5322 3.6.8: printable US-ASCII except colon. */
			for (const char *p = buf + start; p < colon; p++)
				if (*p < 33 || *p > 126) {
					snprintf(why, whysize, "header line %zu: bad field name",
					         lineno);
					goto out;
				}
			if (++h->fields > MAIL_MAX_FIELDS) {
				snprintf(why, whysize, "more than %d header fields",
				         MAIL_MAX_FIELDS);
				goto out;
			}
		} else if (h->fields == 0) {
			snprintf(why, whysize, "header starts with a continuation line");
			goto out;
		}
		if (flen + (end - start) + 1 > fcap) {
			size_t nc = (flen + (end - start) + 1) * 2;
			char *nf = realloc(field, nc);

			if (nf == NULL) {
				snprintf(why, whysize, "out of memory");
				goto out;
			}
			field = nf;
			fcap = nc;
		}
		memcpy(field + flen, buf + start, end - start);
		flen += end - start;
		if (last)
			break;
	}
	if (flen > 0) {
		const char *colon = memchr(field, ':', flen);

		header_keep(h, field, (size_t)(colon - field), colon + 1,
		            flen - (size_t)(colon - field) - 1);
	}
	if (h->fields == 0) {
		snprintf(why, whysize, "no header fields");
		goto out;
	}
	/* RFC 2046 5.1.1: the boundary parameter is required for multipart. */
	if (strncasecmp(h->content_type, "multipart/", 10) == 0 &&
	    strcasestr(h->content_type, "boundary=") == NULL) {
		snprintf(why, whysize,
		         "bad MIME: Content-Type %.60s has no boundary (RFC 2046 5.1.1)",
		         h->content_type);
		goto out;
	}
	rc = 0;
out:
	free(field);
	return rc;
}

/* The first "<pd...@" message id in a list of them (RFC 5322 3.6.4). */
static int token_in_ids(const char *ids, char token[MAIL_TOKEN_LEN + 1])
{
	for (const char *p = strchr(ids, '<'); p != NULL; p = strchr(p + 1, '<')) {
		char cand[MAIL_TOKEN_LEN + 1];

		if (strlen(p + 1) < MAIL_TOKEN_LEN + 1 || p[1 + MAIL_TOKEN_LEN] != '@')
			continue;
		memcpy(cand, p + 1, MAIL_TOKEN_LEN);
		cand[MAIL_TOKEN_LEN] = '\0';
		if (mime_token_valid(cand)) {
			memcpy(token, cand, MAIL_TOKEN_LEN + 1);
			return 1;
		}
	}
	return 0;
}

int mime_header_token(const struct mime_header *h, char token[MAIL_TOKEN_LEN + 1])
{
	const char *p;

	if (token_in_ids(h->in_reply_to, token) || token_in_ids(h->references, token))
		return 1;
	/* "[pocdir pd...]" survives a reply that drops the threading fields. */
	for (p = strstr(h->subject, "[pocdir "); p != NULL; p = strstr(p + 1, "[pocdir ")) {
		char cand[MAIL_TOKEN_LEN + 1];

		if (strlen(p + 8) < MAIL_TOKEN_LEN + 1 || p[8 + MAIL_TOKEN_LEN] != ']')
			continue;
		memcpy(cand, p + 8, MAIL_TOKEN_LEN);
		cand[MAIL_TOKEN_LEN] = '\0';
		if (mime_token_valid(cand)) {
			memcpy(token, cand, MAIL_TOKEN_LEN + 1);
			return 1;
		}
	}
	return 0;
}
