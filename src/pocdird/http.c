/* http.c - pocdird's libmicrohttpd servers over HTTP or HTTPS, and the
 * feed folder served on one: GET/HEAD of index.yaml and
 * origins/<id>/<serial>.yaml[.minisig] only, with ETag, Last-Modified and
 * 304 Not Modified (RFC 9110 8.8, 13.1). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "feed.h"
#include "sched.h"
#include "util.h"
#include "web.h"

static struct MHD_Daemon *httpd;
static char *feed_dir;
/* Connection rates per address over every server here (the feed, the
 * web pages and API); libmicrohttpd counts connections itself
 * (MHD_OPTION_PER_IP_CONNECTION_LIMIT). Its threads share the table. */
static pthread_mutex_t admission_lock = PTHREAD_MUTEX_INITIALIZER;
static struct admit http_admission;
static struct log_limit http_refusals; /* under admission_lock */

static double http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libmicrohttpd asks before it takes a connection: one address may not
 * open them faster than connection-rate-per-address. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage ss = {0};
	struct admit_key key;
	enum admit_verdict v;
	double now = http_now();
	bool log_it;

	(void)cls;
	if (len > sizeof(ss))
		return MHD_NO;
	memcpy(&ss, addr, len);
	admit_key_of(&ss, &key);
	pthread_mutex_lock(&admission_lock);
	admit_sweep_every(&http_admission, now);
	v = admit_check(&http_admission, &key, now);
	pthread_mutex_unlock(&admission_lock);
	if (v == ADMIT_OK)
		return MHD_YES;
	pthread_mutex_lock(&admission_lock);
	log_it = log_limit_ok(&http_refusals, 10, 60, now, "HTTP connection refusals");
	pthread_mutex_unlock(&admission_lock);
	if (log_it) {
		char host[64] = "?";

		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
			          sizeof(host));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
			          sizeof(host));
		log_warn("http: refusing a connection from %s: %s", host, admit_reason(v));
	}
	return MHD_NO;
}

/* An HTTP-date in the preferred IMF-fixdate form (RFC 9110 5.6.7). */
void http_date(time_t t, char *buf, size_t size)
{
	struct tm tm;
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

	gmtime_r(&t, &tm);
	/* Spelled out rather than strftime("%a %b"), which follows the locale. */
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static enum MHD_Result respond_status(struct MHD_Connection *conn, unsigned status,
                                      const char *text)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	char path[4096], etag[70], date[64];
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65];
	const char *inm, *ims;
	struct MHD_Response *r;
	struct stat st;
	char *data = NULL;
	size_t len;
	enum MHD_Result rc;
	bool not_modified = false;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_status(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD only\n");
	if (*con_cls == NULL) {
		/* First call is for the headers alone; answer on the second. */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size != 0)
		return respond_status(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (http_client_refused(conn))
		return respond_status(conn, MHD_HTTP_FORBIDDEN,
		                      "a client certificate signed by client-ca is required\n");
	if (url[0] != '/' || !feed_file_path(url + 1))
		return respond_status(conn, MHD_HTTP_NOT_FOUND, "not a feed file\n");
	snprintf(path, sizeof(path), "%s%s", feed_dir, url);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    file_read(path, FEED_MAX_FILE_BYTES, &data, &len, NULL) == -1)
		return respond_status(conn, MHD_HTTP_NOT_FOUND, "no such file\n");
	crypto_hash_sha256(digest, (const unsigned char *)data, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	http_date(st.st_mtime, date, sizeof(date));

	/* RFC 9110 13.1.2 / 13.2.2: If-None-Match wins over If-Modified-Since. */
	inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (inm != NULL) {
		not_modified = strstr(inm, etag) != NULL || strcmp(inm, "*") == 0;
	} else if (ims != NULL) {
		struct tm tm = {0};
		const char *end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);

		not_modified = end != NULL && *end == '\0' && st.st_mtime <= timegm(&tm);
	}
	if (not_modified) {
		free(data);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	}
	if (r == NULL) {
		if (!not_modified)
			free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	/* Peers revalidate every time: a 304 is cheap, a stale index is not. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (!not_modified)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        strstr(url, ".minisig") != NULL ? "text/plain"
		                                                        : "application/yaml");
	rc = MHD_queue_response(conn, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	/* libmicrohttpd would abort(); say why first. */
	(void)cls;
	log_err("libmicrohttpd: %s:%u: %s", file, line, reason ? reason : "internal error");
	abort();
}

/* Set before any server starts, read by their threads: HTTPS clients must
 * show a certificate that verifies to tls: client-ca. */
static bool client_certs_required;

bool http_client_refused(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info;
	unsigned status = 0, n = 0;

	if (!client_certs_required)
		return false;
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (info == NULL || info->tls_session == NULL)
		return false; /* a plain HTTP server: nothing to verify */
	/* libmicrohttpd asks for the certificate; checking it is ours. */
	if (gnutls_certificate_get_peers(info->tls_session, &n) == NULL || n == 0)
		return true;
	return gnutls_certificate_verify_peers2(info->tls_session, &status) < 0 || status != 0;
}

bool http_url_tls(const char *url)
{
	return strncmp(url, "https://", 8) == 0;
}

struct MHD_Daemon *http_listen(const char *url, unsigned threads, MHD_AccessHandlerCallback fn,
                               void *cls, pocdir_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY;
	const char *addr = url;
	bool tls = http_url_tls(url);
	struct MHD_Daemon *d;
	struct MHD_OptionItem tls_options[] = {
	    {MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)tls_http_certificate},
	    {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)tls_priority_string(server_config())},
	    {MHD_OPTION_END, 0, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	char *trust = NULL;
	struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}};
	const struct config_limits *lim;
	struct admit_limits al = {0};

	if (tls)
		addr = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		addr = url + 7;
	if (config_parse_address(addr, &ss, &sslen, err) == -1)
		return NULL;
	if (tls && !tls_configured()) {
		error_set(err, POCDIR_ERR_USAGE, "%s needs tls: certificate and key", url);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls)
		flags |= MHD_USE_TLS;
	if (tls && server_config()->tls.client_ca != NULL) {
		/* The CAs whose client certificates LDAP requires, for HTTPS too. */
		if (file_read(server_config()->tls.client_ca, 1024 * 1024, &trust, NULL, err) == -1)
			return NULL;
		tls_options[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, trust};
		client_certs_required = true;
	}
	MHD_set_panic_func(on_panic, NULL);
	lim = &server_config()->limits;
	/* Sizes the table only: libmicrohttpd counts the connections. */
	al.max_total = lim->http_connections;
	al.rate = lim->address_rate;
	al.burst = lim->address_rate * 4 < 16 ? 16 : lim->address_rate * 4;
	pthread_mutex_lock(&admission_lock);
	if (http_admission.buckets == NULL &&
	    admit_init(&http_admission, &al, randombytes_random()) == -1) {
		pthread_mutex_unlock(&admission_lock);
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	admit_configure(&http_admission, &al);
	pthread_mutex_unlock(&admission_lock);
	/* A connection that sends its headers a byte at a time stays no longer
	 * than http-timeout per byte, and one address holds only a few, so a
	 * slow client cannot take the server from the others. */
	errno = 0;
	d = MHD_start_daemon(
	    flags, 0, on_accept, NULL, fn, cls, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, lim->http_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    lim->http_per_address, MHD_OPTION_CONNECTION_TIMEOUT, lim->http_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_THREAD_POOL_SIZE,
	    threads > 1 ? threads : 0, MHD_OPTION_ARRAY, tls ? tls_options : none, MHD_OPTION_END);
	if (d == NULL)
		error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot listen (%s)", url,
		          errno ? strerror(errno) : "libmicrohttpd failed");
	free(trust); /* GnuTLS copied it when the server started */
	return d;
}

int http_start(const char *addr, const char *dir, pocdir_error *err)
{
	pocdir_error e = {0};

	if ((feed_dir = str_dup(dir)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	httpd = http_listen(addr, 1, on_request, NULL, &e);
	if (httpd == NULL) {
		free(feed_dir);
		feed_dir = NULL;
		return error_set(err, e.code, "feed-listen %s", e.message);
	}
	log_info("serving the feed %s over %s on %s", dir, http_url_tls(addr) ? "HTTPS" : "HTTP",
	         addr);
	return 0;
}

void http_stop(void)
{
	if (httpd != NULL)
		MHD_stop_daemon(httpd);
	httpd = NULL;
	free(feed_dir);
	feed_dir = NULL;
}
