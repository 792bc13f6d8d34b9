/* fuzz_api.c - fuzz harness: the bytes an HTTP client sends to pocdird's web
 * server, through libmicrohttpd (request line, headers, the query string's
 * decoding) into the daemon's own handler (web.c's web_request: the JSON
 * API of api.c with its parameter checks and filter building, and page.c's
 * page), answered from the sample directory, over a socketpair, with
 * fuzz_server.c's snapshot and configuration in place of server.c's. The
 * first answer must not be 500 or 503, pocdird's answers for a fault of its
 * own (a fault of the client's is a 4xx; libmicrohttpd itself answers 505
 * to a version it does not speak), and when it is JSON its body must parse
 * (jansson). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_server.h"
#include "util.h"
#include "web.h"

/* Turns of libmicrohttpd one input may take before it is cut off. */
#define MAX_TURNS 2000

static struct MHD_Daemon *daemon_mhd;
/* The start of what the server answers: the first answer, whole. */
static char answer[1 << 20];
static bool debug;

/* ---- the harness ------------------------------------------------------------- */

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	(void)cls;
	fprintf(stderr, "libmicrohttpd: %s:%u: %s\n", file, line, reason ? reason : "panic");
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pocdir_error err;

	(void)argc;
	(void)argv;
	debug = getenv("FUZZ_API_DEBUG") != NULL;
	log_init(true, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
	if (config_defaults(&fuzz_current, &err) == -1)
		fuzz_fail(__FILE__, __LINE__, err.message);
	/* Smaller than the default, so truncated answers are reached too. */
	fuzz_current.limits.max_results = 5;
	fuzz_live = store_load(POCDIR_SOURCE_DIRECTORY, fuzz_current.base, NULL, NULL, &err);
	if (fuzz_live == NULL)
		fuzz_fail(__FILE__, __LINE__, err.message);
	web_configure(&fuzz_current);
	MHD_set_panic_func(on_panic, NULL);
	/* No listening socket and no thread of its own: the harness hands it
	 * each connection and runs it. The memory limit is http_listen's, so
	 * long request lines and headers meet the daemon's bound. */
	daemon_mhd =
	    MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, web_request, NULL,
	                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_END);
	if (daemon_mhd == NULL)
		fuzz_fail(__FILE__, __LINE__, "cannot start libmicrohttpd");
	return 0;
}

static unsigned connections(void)
{
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(daemon_mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info != NULL ? info->num_connections : 0;
}

/* The status of the answer that starts at buf ("HTTP/1.1 200 OK"), 0 when
 * it does not look like one. */
static unsigned status_of(const char *buf, size_t n)
{
	if (n < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return 0;
	if (buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' ||
	    buf[11] > '9')
		return 0;
	return (unsigned)((buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0'));
}

/* The value of header field name (with ": ") in the header section
 * buf..end, or NULL. */
static const char *field(const char *buf, const char *end, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = buf; p != NULL && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
		if (*p == '\n')
			p++;
		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0)
			return p + nl;
	}
	return NULL;
}

/* Check the first answer of n bytes at buf; head: the first request was
 * a HEAD, whose answer has the headers of a GET's and no body. */
static void check_answer(const char *buf, size_t n, bool head)
{
	const char *end = n > 0 ? memmem(buf, n, "\r\n\r\n", 4) : NULL;
	const char *type, *length;
	unsigned long long len;
	unsigned status;
	json_error_t jerr;
	json_t *j;

	status = status_of(buf, n);
	FUZZ_ASSERT(status != MHD_HTTP_INTERNAL_SERVER_ERROR &&
	            status != MHD_HTTP_SERVICE_UNAVAILABLE);
	if (end == NULL)
		return;
	type = field(buf, end, "Content-Type: ");
	length = field(buf, end, "Content-Length: ");
	if (head || type == NULL || strncmp(type, "application/json", 16) != 0 || length == NULL)
		return;
	len = strtoull(length, NULL, 10);
	end += 4;
	/* A body cut off by the buffer is skipped. */
	if (len == 0 || len > (unsigned long long)(buf + n - end))
		return;
	j = json_loadb(end, (size_t)len, 0, &jerr);
	if (j == NULL)
		fprintf(stderr, "fuzz_api: JSON answer does not parse: %s (line %d)\n", jerr.text,
		        jerr.line);
	FUZZ_ASSERT(j != NULL);
	json_decref(j);
}

/* The input is what the client sends, all at once. It reads every answer,
 * and closes its side once the server has been quiet for a turn (seeing
 * the end of the input earlier, libmicrohttpd would drop a request whose
 * body it has not read yet instead of answering it); then it reads until
 * the server closes the connection. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
	char sink[65536];
	size_t sent = 0, got = 0;
	bool shut = false, closed = false, quiet = false;
	int sv[2];

	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == -1)
		return 0;
	if (MHD_add_connection(daemon_mhd, sv[0], (struct sockaddr *)&peer, sizeof(peer)) !=
	    MHD_YES) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (unsigned turn = 0; turn < MAX_TURNS && !closed; turn++) {
		ssize_t n;

		if (sent < size) {
			n = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = size;
		}
		if (sent == size && quiet && !shut) {
			shutdown(sv[1], SHUT_WR);
			shut = true;
		}
		MHD_run(daemon_mhd);
		quiet = true;
		while ((n = recv(sv[1], sink, sizeof(sink), 0)) > 0) {
			quiet = false;
			size_t room = sizeof(answer) - got;

			memcpy(answer + got, sink, (size_t)n < room ? (size_t)n : room);
			got += (size_t)n < room ? (size_t)n : room;
		}
		if (n == 0)
			closed = true;
	}
	if (debug) { /* what was answered: for making seeds */
		const char *eol = memchr(answer, '\r', got);

		fprintf(stderr, "fuzz_api: %zu bytes answered: %.*s\n", got,
		        (int)(eol != NULL ? (size_t)(eol - answer) : got), answer);
	}
	/* RFC 9112 2.2: empty lines before the request line are ignored. */
	size_t skip = 0;
	while (skip < size && (data[skip] == '\r' || data[skip] == '\n'))
		skip++;
	check_answer(answer, got, size - skip >= 5 && memcmp(data + skip, "HEAD ", 5) == 0);
	close(sv[1]);
	/* The server side sees the close and lets the connection go. */
	for (unsigned turn = 0; turn < MAX_TURNS && connections() > 0; turn++)
		MHD_run(daemon_mhd);
	FUZZ_ASSERT(connections() == 0);
	return 0;
}
