/* main.c - pocdird: options, configuration, signals and the event loop of
 * the read-only LDAPv3 server over a pocdir directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pocdird.h"
#include "sched.h"
#include "util.h"
#include "web.h"

struct options {
	bool foreground, debug, check;
	const char *config_file, *directory, *listen, *base;
	int print_schema; /* 0 no, 1 .schema, 2 ldif */
};

static struct source *source; /* builds and swaps every snapshot served */
static struct options opts;
static struct watch signal_watch = {.fd = -1};
static bool stop, reload_requested;

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: pocdird [-f] [-c FILE] [--directory PATH] [--listen ADDR:PORT]\n"
	        "               [--base DN] [--debug] [--check]\n"
	        "       pocdird --print-schema[=ldif]\n"
	        "\n"
	        "Serve a pocdir directory as read-only LDAPv3.\n"
	        "  -f, --foreground      stay in the foreground, log to stderr\n"
	        "  -c, --config FILE     YAML configuration (pocdird.conf(5))\n"
	        "      --directory PATH  directory to serve (default %s/directory)\n"
	        "      --listen ADDR:PORT  address to listen on (default 127.0.0.1:3389)\n"
	        "      --base DN         base DN (default dc=pocdir)\n"
	        "  -d, --debug           log every connection and operation\n"
	        "  -n, --check           load configuration and directory, then exit\n"
	        "      --print-schema[=ldif]  print the pocContact schema for OpenLDAP\n"
	        "  -V, --version         print the version\n",
	        POCDIR_DATADIR);
}

/* A maintainer's warning about a loaded directory (store_warnings). */
static void warning_log(const pocdir_diag *d, void *ctx)
{
	const char *m = d->message;

	(void)ctx;
	if (strncmp(m, "warning: ", 9) == 0)
		m += 9; /* the log says it is one */
	log_warn("%s:%lu: %s", d->file != NULL ? d->file : "directory", d->line, m);
}

/* What each origin's file held at the last load, so that a file edited
 * without a new serial is said: its version digest (origin, serial) stays
 * the same, so peers and clients comparing versions would not see it. */
struct origin_seen {
	char *id;
	uint64_t serial;
	unsigned char sha256[crypto_hash_sha256_BYTES];
};
static struct origin_seen *origins_seen;
static size_t norigins_seen;

static void origins_seen_free(void)
{
	for (size_t i = 0; i < norigins_seen; i++)
		free(origins_seen[i].id);
	free(origins_seen);
	origins_seen = NULL;
	norigins_seen = 0;
}

/* Compare s's origin files with the last load's and remember them. */
static void origins_check(const struct store *s)
{
	struct origin_seen *now = calloc(s->norigins + 1, sizeof(*now));
	size_t n = 0;

	if (now == NULL)
		return; /* only a warning is lost */
	for (size_t i = 0; i < s->norigins; i++) {
		const struct origin *o = &s->origins[i];
		pocdir_error err = {0};
		char *data = NULL;
		size_t len = 0;

		if (o->path == NULL ||
		    file_read(o->path, 64 * 1024 * 1024, &data, &len, &err) == -1)
			continue;
		crypto_hash_sha256(now[n].sha256, (const unsigned char *)data, len);
		free(data);
		now[n].serial = o->serial;
		if ((now[n].id = str_dup(o->id)) == NULL)
			continue;
		for (size_t j = 0; j < norigins_seen; j++)
			if (strcmp(origins_seen[j].id, o->id) == 0 &&
			    origins_seen[j].serial == o->serial &&
			    memcmp(origins_seen[j].sha256, now[n].sha256, sizeof(now[n].sha256)) !=
			        0)
				log_warn(
				    "%s: changed without a new serial (still %llu): the version "
				    "is the same for peers and clients, so they will not see the "
				    "change; raise the serial (pocdir sign does)",
				    o->path, (unsigned long long)o->serial);
		n++;
	}
	origins_seen_free();
	origins_seen = now;
	norigins_seen = n;
}

static void diag_log(const pocdir_diag *d, void *ctx)
{
	(void)ctx;
	if (d->line > 0)
		log_err("%s:%lu:%lu: %s", d->file, d->line, d->column, d->message);
	else
		log_err("%s: %s", d->file ? d->file : "directory", d->message);
}

/* Defaults, then the file, then the command line. */
static int config_build(struct config *c, pocdir_error *err)
{
	if (config_defaults(c, err) == -1)
		return -1;
	if (opts.config_file != NULL && config_load(c, opts.config_file, err) == -1)
		goto fail;
	if (opts.directory != NULL) {
		free(c->directory);
		if ((c->directory = str_dup(opts.directory)) == NULL)
			goto oom;
	}
	if (opts.base != NULL) {
		free(c->base);
		if ((c->base = str_dup(opts.base)) == NULL)
			goto oom;
	}
	if (opts.listen != NULL) {
		struct sockaddr_storage ss;
		socklen_t len;
		bool tls;

		if (config_parse_listen(opts.listen, &ss, &len, &tls, err) == -1)
			goto fail;
		for (size_t i = 0; i < c->nlisten; i++)
			free(c->listen[i]);
		c->nlisten = 1;
		if ((c->listen[0] = str_dup(opts.listen)) == NULL)
			goto oom;
	}
	if (opts.debug)
		c->log_level = LOG_LEVEL_DEBUG;
	if (c->directory[0] != '/') {
		/* A daemon works from "/": a reload must find the same folder. */
		char *abs = realpath(c->directory, NULL);

		if (abs != NULL) {
			free(c->directory);
			c->directory = abs;
		}
	}
	if (special_check_base(c->base) == -1) {
		error_set(err, POCDIR_ERR_USAGE,
		          "base \"%s\" must be a DN whose first RDN is dc= or o=", c->base);
		goto fail;
	}
	return 0;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
fail:
	config_clear(c);
	return -1;
}

/* As many descriptors as we are allowed, and no more connections than fit. */
static void raise_nofile(struct config *c)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && c->limits.max_connections + 32 > rl.rlim_cur) {
		unsigned fit = rl.rlim_cur > 64 ? (unsigned)rl.rlim_cur - 32 : 32;

		log_warn("max-connections %u lowered to %u to fit the descriptor limit %llu",
		         c->limits.max_connections, fit, (unsigned long long)rl.rlim_cur);
		c->limits.max_connections = fit;
	}
}

/* A reload reads files and builds a snapshot off the event loop: a large
 * directory takes a second or more to load, and clients keep being served
 * meanwhile. The thread builds through the snapshot source, which swaps the
 * new snapshot in (one build at a time with the sync thread's, the newer
 * generation winning); the new configuration comes back through an eventfd
 * and the loop applies it. */
struct reload_job {
	pthread_t thread;
	struct config next;
	pocdir_error err;
	enum { RELOAD_OK, RELOAD_BAD_CONFIG, RELOAD_BAD_DIRECTORY } outcome;
};

static struct reload_job *reloading;
static struct watch reload_watch = {.fd = -1};

static void *reload_thread(void *arg)
{
	struct reload_job *j = arg;
	pocdir_sync_config *hold = NULL;
	struct source_spec spec;
	uint64_t one = 1;

	if (config_build(&j->next, &j->err) == -1)
		j->outcome = RELOAD_BAD_CONFIG;
	else if (sched_spec(&j->next, false, &spec, &hold, &j->err) == -1)
		j->outcome = RELOAD_BAD_DIRECTORY; /* its sync: section */
	else if (source_rebuild(source, &spec, diag_log, NULL, &j->err) < 0)
		j->outcome = RELOAD_BAD_DIRECTORY;
	pocdir_sync_config_free(&hold);
	if (write(reload_watch.fd, &one, sizeof(one)) < 0)
		one = 0; /* cannot fail: one wake-up per reload */
	return NULL;
}

static void reload_start(void)
{
	log_info("reloading on SIGHUP");
	reloading = calloc(1, sizeof(*reloading));
	if (reloading == NULL ||
	    pthread_create(&reloading->thread, NULL, reload_thread, reloading) != 0) {
		log_err("reload: cannot start the reload thread; the running version stays");
		free(reloading);
		reloading = NULL;
	}
}

/* Wait for the reload thread and take its result: the job, to free. */
static struct reload_job *reload_take(void)
{
	struct reload_job *j = reloading;

	if (j != NULL)
		pthread_join(j->thread, NULL);
	reloading = NULL;
	return j;
}

static void reload_discard(struct reload_job *j)
{
	if (j == NULL)
		return;
	if (j->outcome != RELOAD_BAD_CONFIG)
		config_clear(&j->next);
	free(j);
}

static void reload_event(struct watch *w, uint32_t events)
{
	struct config *current = server_config_edit();
	struct reload_job *j;
	struct store *s;
	uint64_t n;

	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0 || reloading == NULL)
		return;
	j = reload_take();
	if (j->outcome == RELOAD_BAD_CONFIG) {
		log_err("reload: %s; keeping the running configuration", j->err.message);
		reload_discard(j);
		return;
	}
	if (j->outcome == RELOAD_BAD_DIRECTORY) {
		log_err("reload: %s: %s (%u problems); the loaded directory keeps serving",
		        j->next.directory, j->err.message, j->err.count);
		reload_discard(j);
		return;
	}
	for (size_t i = 0; i < j->next.nlisten; i++)
		if (i >= current->nlisten || strcmp(j->next.listen[i], current->listen[i]) != 0) {
			log_warn("reload: a new listen address takes a restart; still on %s",
			         current->listen[0]);
			break;
		}
	/* Listen addresses stay as they are; everything else takes effect. */
	for (size_t i = 0; i < j->next.nlisten; i++)
		free(j->next.listen[i]);
	j->next.nlisten = current->nlisten;
	for (size_t i = 0; i < current->nlisten; i++) {
		j->next.listen[i] = current->listen[i];
		current->listen[i] = NULL;
	}
	raise_nofile(&j->next);
	/* New certificates serve new handshakes; sessions keep theirs. */
	if (tls_configure(&j->next, &j->err) == -1)
		log_err("reload: %s; the certificate in use stays", j->err.message);
	config_clear(current);
	*current = j->next;
	log_set_level(current->log_level);
	free(j);
	sched_reload(current);    /* peers and trusted origins of sync: */
	exchange_reload(current); /* mail:, ping: and notify: */
	web_configure(current);   /* binds, hidden attributes, limits */
	s = server_store();
	log_info("serving %s: %zu contacts in %zu countries, version %.12s", current->directory,
	         s->nentries, s->ncountries, s->version);
	store_warnings(s, (long long)time(NULL), warning_log, NULL);
	origins_check(s);
	store_unref(&s);
}

static void signal_event(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload_requested = true;
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop = true;
	}
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	if (chdir("/") == -1)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

static int parse_options(int argc, char **argv)
{
	enum { OPT_DIRECTORY = 256, OPT_LISTEN, OPT_BASE, OPT_PRINT_SCHEMA };
	static const struct option longopts[] = {
	    {"foreground", no_argument, NULL, 'f'},
	    {"config", required_argument, NULL, 'c'},
	    {"directory", required_argument, NULL, OPT_DIRECTORY},
	    {"listen", required_argument, NULL, OPT_LISTEN},
	    {"base", required_argument, NULL, OPT_BASE},
	    {"debug", no_argument, NULL, 'd'},
	    {"check", no_argument, NULL, 'n'},
	    {"print-schema", optional_argument, NULL, OPT_PRINT_SCHEMA},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "fc:dnhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opts.foreground = true;
			break;
		case 'c':
			opts.config_file = optarg;
			break;
		case OPT_DIRECTORY:
			opts.directory = optarg;
			break;
		case OPT_LISTEN:
			opts.listen = optarg;
			break;
		case OPT_BASE:
			opts.base = optarg;
			break;
		case 'd':
			opts.debug = true;
			break;
		case 'n':
			opts.check = true;
			opts.foreground = true;
			break;
		case OPT_PRINT_SCHEMA:
			if (optarg == NULL || strcmp(optarg, "schema") == 0)
				opts.print_schema = 1;
			else if (strcmp(optarg, "ldif") == 0)
				opts.print_schema = 2;
			else {
				fprintf(stderr, "pocdird: --print-schema takes schema or ldif\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("pocdird %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config *current = server_config_edit();
	struct store *live = NULL; /* the first snapshot, for the start-up lines */
	pocdir_error err;
	sigset_t mask;
	double last_sweep;
	int status = 1;

	if (parse_options(argc, argv) == -1)
		return 2;
	if (opts.config_file != NULL && opts.config_file[0] != '/') {
		/* Read again on SIGHUP, after the daemon has moved to "/". */
		static char abs[PATH_MAX];

		if (realpath(opts.config_file, abs) != NULL)
			opts.config_file = abs;
	}
	if (opts.print_schema)
		return schema_print(stdout, opts.print_schema == 2) == 0 && fflush(stdout) == 0 ? 0
		                                                                                : 1;
	log_init(true, opts.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return 1;
	}
	if (config_build(current, &err) == -1) {
		log_err("%s", err.message);
		return 2;
	}
	log_set_level(current->log_level);
	{
		pocdir_sync_config *hold = NULL;
		struct source_spec spec;

		if (sched_spec(current, true, &spec, &hold, &err) == 0)
			source = source_open(&spec, diag_log, NULL, &err); /* + synced sets */
		pocdir_sync_config_free(&hold);
	}
	if (source == NULL) {
		log_err("%s: %s", current->directory, err.message);
		goto out;
	}
	server_set_source(source);
	live = server_store();
	store_warnings(live, (long long)time(NULL), warning_log, NULL);
	origins_check(live);
	if (schema_init() == -1) {
		log_err("out of memory");
		goto out;
	}
	if (opts.check) {
		printf("pocdird: configuration and directory OK: %zu contacts in %zu countries\n",
		       live->nentries, live->ncountries);
		status = 0;
		goto out;
	}
	raise_nofile(current);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (loop_open() == -1) {
		log_err("epoll: %s", strerror(errno));
		goto out;
	}
	if (tls_configure(current, &err) == -1) {
		log_err("%s", err.message);
		goto out;
	}
	if (conn_listen(current, &err) == -1) {
		log_err("%s", err.message);
		goto out;
	}
	if (!opts.foreground) {
		log_init(false, current->log_level);
		if (daemonize() == -1) {
			log_err("cannot become a daemon: %s", strerror(errno));
			goto out;
		}
	}
	signal_watch.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	signal_watch.fn = signal_event;
	if (signal_watch.fd == -1 || loop_add(&signal_watch, EPOLLIN) == -1) {
		log_err("signalfd: %s", strerror(errno));
		goto out;
	}
	reload_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	reload_watch.fn = reload_event;
	if (reload_watch.fd == -1 || loop_add(&reload_watch, EPOLLIN) == -1) {
		log_err("eventfd: %s", strerror(errno));
		goto out;
	}
	if (bind_worker_start(&err) == -1) {
		log_err("%s", err.message);
		goto out;
	}
	if (sched_start(current, source, &err) == -1) { /* feed over HTTP, peer syncs */
		log_err("%s", err.message);
		goto out;
	}
	if (exchange_start(current, source, &err) == -1) { /* ping rounds, replies */
		log_err("%s", err.message);
		goto out;
	}
	if (web_start(current, &err) == -1) { /* the web page and JSON API */
		log_err("%s", err.message);
		goto out;
	}
	log_info("pocdird %s serving %s as %s: %zu contacts in %zu countries, version %.12s",
	         PACKAGE_VERSION, current->directory, live->base_dn, live->nentries,
	         live->ncountries, live->version);
	/* Held for the start-up lines only: the first reload must be able to
	 * free this snapshot, or the daemon keeps two directories for good. */
	store_unref(&live);

	last_sweep = now_monotonic();
	while (!stop) {
		struct epoll_event events[256];
		int n, timeout;
		double now;

		/* Searches with work left: look at the sockets and go on. */
		timeout = conn_run_searches() ? 0 : 1000;
		n = loop_wait(events, 256, timeout);
		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;

			w->fn(w, events[i].events);
		}
		now = now_monotonic();
		if (now - last_sweep >= 1.0) {
			conn_sweep(now);
			last_sweep = now;
		}
		if (reload_requested && reloading == NULL) {
			reload_requested = false;
			reload_start();
		}
	}
	log_info("shutting down");
	status = 0;
out:
	reload_discard(reload_take()); /* a reload under way is not applied */
	web_stop();
	exchange_stop();
	sched_stop();
	conn_listen_close();
	conn_close_all();
	tls_shutdown();
	bind_worker_stop();
	if (reload_watch.fd >= 0)
		close(reload_watch.fd);
	if (signal_watch.fd >= 0)
		close(signal_watch.fd);
	loop_close();
	store_unref(&live);
	server_set_source(NULL);
	source_free(&source);
	schema_free();
	origins_seen_free();
	special_free();
	config_clear(current);
	return status;
}
