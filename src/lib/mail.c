/* mail.c - the mail transport: SMTP submission and IMAP search and fetch,
 * all through libcurl, with TLS required except on the loopback. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange.h"
#include "util.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool mail_url_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool lo = false;

	if (u == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		lo = strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
		     strncmp(host, "127.", 4) == 0;
	curl_free(host);
	curl_url_cleanup(u);
	return lo;
}

/* Options every mail transfer shares: credentials from the netrc file, TLS
 * (RFC 8314: implicit TLS for smtps/imaps; STARTTLS required for smtp/imap
 * unless the server is on this machine), time limits, no signals. */
static void mail_common(CURL *h, const struct pocdir_mail_config *cfg, const char *url,
                        const char *protocols, char *detail)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 mail_url_loopback(url) ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->credentials != NULL) {
		curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_REQUIRED);
		curl_easy_setopt(h, CURLOPT_NETRC_FILE, cfg->credentials);
	}
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->timeout * 1000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(cfg->timeout < 10 ? cfg->timeout : 10) * 1000L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)cfg->timeout);
}

/* Say what a failed transfer means for a person reading the log. */
static void mail_why(CURLcode rc, const char *what, const char *url, unsigned timeout,
                     long response, const char *detail, char *why, size_t whysize)
{
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whysize, "%s server %s timed out after %u s", what, url, timeout);
	else if (rc == CURLE_LOGIN_DENIED)
		snprintf(why, whysize, "%s server %s refused the login%s%s", what, url,
		         detail[0] ? ": " : "", detail);
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(why, whysize, "%s server %s unreachable: %s", what, url,
		         curl_easy_strerror(rc));
	else if (rc == CURLE_USE_SSL_FAILED)
		snprintf(why, whysize,
		         "%s server %s offers no STARTTLS, and TLS is required "
		         "off the loopback (use %ss://)",
		         what, url, what[0] == 'S' ? "smtp" : "imap");
	else if (response >= 400)
		snprintf(why, whysize, "%s server %s refused (%ld): %s", what, url, response,
		         detail[0] ? detail : curl_easy_strerror(rc));
	else
		snprintf(why, whysize, "%s server %s: %s%s%s", what, url, curl_easy_strerror(rc),
		         detail[0] ? ": " : "", detail);
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

int mail_send(const struct pocdir_mail_config *cfg, const char *rcpt, const char *data, size_t len,
              char *why, size_t whysize)
{
	char detail[CURL_ERROR_SIZE] = "", addr[400];
	struct curl_slist *to = NULL;
	struct upload up = {data, len, 0};
	long response = 0;
	CURLcode rc;
	CURL *h;

	if (cfg->smtp_url == NULL || cfg->from == NULL) {
		snprintf(why, whysize, "%s: mail: needs smtp: and from: to send", cfg->file);
		return -1;
	}
	if (strpbrk(rcpt, "<>\r\n ") != NULL || strlen(rcpt) > 320) {
		snprintf(why, whysize, "\"%s\" is not an address mail can be sent to", rcpt);
		return -1;
	}
	pthread_once(&curl_once, curl_init_once);
	if ((h = curl_easy_init()) == NULL) {
		snprintf(why, whysize, "out of memory");
		return -1;
	}
	mail_common(h, cfg, cfg->smtp_url, "smtp,smtps", detail);
	snprintf(addr, sizeof(addr), "<%s>", cfg->from);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	snprintf(addr, sizeof(addr), "<%s>", rcpt);
	to = curl_slist_append(NULL, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = to != NULL ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response);
	curl_slist_free_all(to);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return 0;
	mail_why(rc, "SMTP", cfg->smtp_url, cfg->timeout, response, detail, why, whysize);
	return -1;
}

/* A bounded download of what the IMAP server sends. */
struct sink {
	char *buf;
	size_t len, max;
	bool oversize;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;
	char *nb;

	if (n > s->max - s->len) {
		s->oversize = true;
		return 0; /* curl aborts with CURLE_WRITE_ERROR */
	}
	if ((nb = realloc(s->buf, s->len + n + 1)) == NULL)
		return 0;
	s->buf = nb;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

int mail_imap_open(struct mail_imap *s, const struct pocdir_mail_config *cfg, char *why,
                   size_t whysize)
{
	s->cfg = cfg;
	s->curl = NULL;
	if (cfg->imap_url == NULL) {
		snprintf(why, whysize, "%s: mail: needs imap: to read replies", cfg->file);
		return -1;
	}
	pthread_once(&curl_once, curl_init_once);
	if ((s->curl = curl_easy_init()) == NULL) {
		snprintf(why, whysize, "out of memory");
		return -1;
	}
	return 0;
}

void mail_imap_close(struct mail_imap *s)
{
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	s->curl = NULL;
}

static int imap_run(struct mail_imap *s, const char *url, const char *custom, struct sink *k,
                    char *why, size_t whysize)
{
	const struct pocdir_mail_config *cfg = s->cfg;
	char detail[CURL_ERROR_SIZE] = "";
	long response = 0;
	CURLcode rc;
	CURL *h = s->curl;

	/* A reset keeps the live connection: the next transfer reuses it. */
	curl_easy_reset(h);
	mail_common(h, cfg, url, "imap,imaps", detail);
	if (custom != NULL)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response);
	if (rc == CURLE_OK)
		return 0;
	if (k->oversize)
		snprintf(why, whysize, "larger than the limit of %zu bytes", k->max);
	else
		mail_why(rc, "IMAP", cfg->imap_url, cfg->timeout, response, detail, why, whysize);
	free(k->buf);
	k->buf = NULL;
	return -1;
}

int mail_search(struct mail_imap *session, const char *criteria, unsigned long **uids, char *why,
                size_t whysize)
{
	struct sink s = {NULL, 0, MAIL_MAX_SEARCH, false};
	char custom[512];
	unsigned long *v = NULL;
	size_t n = 0;

	*uids = NULL;
	snprintf(custom, sizeof(custom), "UID SEARCH %s", criteria);
	if (imap_run(session, session->cfg->imap_url, custom, &s, why, whysize) == -1)
		return -1;
	/* RFC 3501 7.2.5: "* SEARCH" then UIDs separated by spaces, one line per
	 * untagged response; curl hands us the untagged lines only. */
	for (char *line = s.buf; line != NULL && *line != '\0';) {
		char *eol = strchr(line, '\n');

		if (eol != NULL)
			*eol = '\0';
		if (strncasecmp(line, "* SEARCH", 8) == 0) {
			for (char *p = line + 8; *p != '\0';) {
				char *end;
				unsigned long u;

				while (*p == ' ')
					p++;
				if (*p < '0' || *p > '9')
					break;
				errno = 0;
				u = strtoul(p, &end, 10);
				if (errno != 0 || u == 0 || u > 0xffffffffUL)
					break;
				if (n == MAIL_MAX_MESSAGES)
					break;
				if (n % 256 == 0) {
					unsigned long *nv = realloc(v, (n + 256) * sizeof(*v));

					if (nv == NULL) {
						free(v);
						free(s.buf);
						snprintf(why, whysize, "out of memory");
						return -1;
					}
					v = nv;
				}
				v[n++] = u;
				p = end;
			}
		}
		line = eol != NULL ? eol + 1 : NULL;
	}
	free(s.buf);
	*uids = v;
	return (int)n;
}

long mail_fetch_section(struct mail_imap *session, unsigned long uid, const char *section,
                        size_t max, char **out, char *why, size_t whysize)
{
	const struct pocdir_mail_config *cfg = session->cfg;
	struct sink s = {NULL, 0, max, false};
	size_t n = strlen(cfg->imap_url);
	char url[1200];

	*out = NULL;
	/* RFC 5092 IMAP URL: mailbox, then ";UID=" and ";SECTION=" parts. */
	snprintf(url, sizeof(url), "%s%s;UID=%lu;SECTION=%s", cfg->imap_url,
	         n > 0 && cfg->imap_url[n - 1] == '/' ? "" : "/", uid, section);
	if (imap_run(session, url, NULL, &s, why, whysize) == -1)
		return -1;
	if (s.buf == NULL && (s.buf = calloc(1, 1)) == NULL) {
		snprintf(why, whysize, "out of memory");
		return -1;
	}
	*out = s.buf;
	return (long)s.len;
}
