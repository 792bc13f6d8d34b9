/* server.c - what the connection and operation code reaches of the daemon
 * around it: the epoll set (loop_*), the live snapshot and the configuration
 * in force (server_*), and the monotonic clock. Kept apart from main.c so a
 * fuzz harness can supply its own and drive that code from bytes. */
#include "config.h"

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "pocdird.h"
#include "source.h"

static int epoll_fd = -1;
static struct source *source;
static struct config current;

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int loop_open(void)
{
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return epoll_fd == -1 ? -1 : 0;
}

void loop_close(void)
{
	if (epoll_fd >= 0)
		close(epoll_fd);
	epoll_fd = -1;
}

int loop_wait(struct epoll_event *events, int max, int timeout_ms)
{
	return epoll_wait(epoll_fd, events, max, timeout_ms);
}

int loop_add(struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, w->fd, &ev);
}

int loop_mod(struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_del(struct watch *w)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
}

void server_set_source(struct source *src)
{
	source = src;
}

struct store *server_store(void)
{
	return source_snapshot(source, NULL);
}

const struct config *server_config(void)
{
	return &current;
}

struct config *server_config_edit(void)
{
	return &current;
}
