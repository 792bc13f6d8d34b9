/* config.c - pocdird's YAML configuration (pocdird.conf(5)), read with
 * libyaml's document loader; every error names file:line:column. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml.h>

#include "conf.h"
#include "dn.h"
#include "pocdird.h"
#include "util.h"

int config_defaults(struct config *c, pocdir_error *err)
{
	struct filter_limits fl = FILTER_DEFAULT_LIMITS;

	memset(c, 0, sizeof(*c));
	c->listen[0] = str_dup("127.0.0.1:3389");
	c->nlisten = 1;
	c->base = str_dup("dc=pocdir");
	c->directory = str_dup(POCDIR_DATADIR "/directory");
#ifdef POCDIR_SOURCE_DIRECTORY
	/* Run from a build tree before `make install`: the bundled sample, as
	 * the pocdir tool does. */
	if (c->directory != NULL && access(c->directory, F_OK) == -1 &&
	    access(POCDIR_SOURCE_DIRECTORY, F_OK) == 0) {
		free(c->directory);
		c->directory = str_dup(POCDIR_SOURCE_DIRECTORY);
	}
#endif
	c->log_level = LOG_LEVEL_INFO;
	c->tls.min_version = 12;
	c->bind_tls = BIND_TLS_AUTO;
	if (c->listen[0] == NULL || c->base == NULL || c->directory == NULL) {
		config_clear(c);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (int i = 0; i < ATTR_COUNT; i++)
		c->hidden[i] = attr_by_id((enum attr_id)i)->hidden_by_default;
	c->limits.max_connections = 1024;
	c->limits.idle_timeout = 300;
	c->limits.max_pdu = 256 * 1024;
	c->limits.max_results = 1000;
	c->limits.time_limit = 60;
	c->limits.max_operations = 16;
	c->limits.max_pages = 8;
	c->limits.max_pages_total = 1024;
	c->limits.output_queue = 256 * 1024;
	c->limits.batch = 64;
	c->limits.per_address = 64;
	c->limits.address_rate = 50;
	c->limits.reserve = 32;
	c->limits.lifetime = 3600;
	c->limits.page_timeout = 300;
	c->limits.http_connections = 64;
	c->limits.http_per_address = 8;
	c->limits.http_timeout = 10;
	c->limits.filter = fl;
	return 0;
}

void config_clear(struct config *c)
{
	free(c->file);
	for (size_t i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	free(c->base);
	free(c->directory);
	for (size_t i = 0; i < c->nweb_listen; i++)
		free(c->web_listen[i]);
	free(c->tls.certificate);
	free(c->tls.key);
	free(c->tls.client_ca);
	for (size_t i = 0; i < c->nbinds; i++) {
		free(c->binds[i].dn);
		free(c->binds[i].dn_norm);
		free(c->binds[i].hash);
	}
	memset(c, 0, sizeof(*c));
}

int config_set_hidden(struct config *c, const char *const *names, size_t n, pocdir_error *err)
{
	bool hidden[ATTR_COUNT] = {false};

	for (size_t i = 0; i < n; i++) {
		const struct attr_type *t = attr_lookup(names[i], strlen(names[i]));

		if (t == NULL)
			return error_set(err, POCDIR_ERR_USAGE, "unknown attribute \"%s\"",
			                 names[i]);
		if (t->id == ATTR_OBJECTCLASS)
			return error_set(err, POCDIR_ERR_USAGE, "objectClass cannot be hidden");
		hidden[t->id] = true;
	}
	memcpy(c->hidden, hidden, sizeof(hidden));
	return 0;
}

int config_parse_address(const char *text, struct sockaddr_storage *ss, socklen_t *len,
                         pocdir_error *err)
{
	char host[64];
	const char *port, *h = text;
	size_t hlen;
	char *end;
	unsigned long p;

	memset(ss, 0, sizeof(*ss));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		h = text + 1;
		hlen = (size_t)(close - h);
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');

		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - text);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	p = strtoul(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || p > 65535)
		goto bad;
	if (text[0] != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		/* A name ("localhost:3389"): its first IPv4 address, as a
		 * listener binds one address. */
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM},
			                *ai = NULL;

			if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL) {
				if (ai != NULL)
					freeaddrinfo(ai);
				return error_set(
				    err, POCDIR_ERR_USAGE,
				    "listen address \"%s\": no IPv4 address for \"%s\"", text,
				    host);
			}
			sin->sin_addr = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			freeaddrinfo(ai);
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*sin6);
	}
	return 0;
bad:
	return error_set(
	    err, POCDIR_ERR_USAGE,
	    "listen address \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:3389 or [::1]:3389)", text);
}

int config_parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, bool *tls,
                        pocdir_error *err)
{
	const char *addr = text;
	size_t n;

	*tls = false;
	if (strncmp(text, "ldaps://", 8) == 0) {
		*tls = true;
		addr = text + 8;
	} else if (strncmp(text, "ldap://", 7) == 0) {
		addr = text + 7;
	}
	n = strlen(addr);
	if (addr != text && n > 0 && addr[n - 1] == '/') {
		/* "ldaps://127.0.0.1:3636/" as ldapsearch -H writes it. */
		char copy[128];

		if (n >= sizeof(copy))
			goto bad;
		memcpy(copy, addr, n - 1);
		copy[n - 1] = '\0';
		if (config_parse_address(copy, ss, len, NULL) == -1)
			goto bad;
		return 0;
	}
	if (config_parse_address(addr, ss, len, NULL) == -1)
		goto bad;
	return 0;
bad:
	return error_set(err, POCDIR_ERR_USAGE,
	                 "listen address \"%s\" is not [ldap://|ldaps://]ADDRESS:PORT (e.g. "
	                 "127.0.0.1:3389, ldaps://[::1]:3636)",
	                 text);
}

bool config_address_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return false;
}

/* ---- the YAML walk, through the library's configuration reader (conf.h) ---- */

/* A whole number for an unsigned setting, within [min, max]. */
static int walk_unsigned(struct conf_walk *w, const yaml_node_t *n, const char *key, unsigned min,
                         unsigned max, unsigned *out)
{
	uint64_t v;

	if (conf_number(w, n, key, min, max, &v) == -1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int walk_limits(struct conf_walk *w, yaml_node_t *map, struct config_limits *l)
{
	static const struct {
		const char *key;
		size_t offset;
		unsigned min, max;
	} fields[] = {
	    {"max-connections", offsetof(struct config_limits, max_connections), 1, 1000000},
	    {"idle-timeout", offsetof(struct config_limits, idle_timeout), 1, 86400},
	    {"max-pdu-size", offsetof(struct config_limits, max_pdu), 1024, 64 * 1024 * 1024},
	    {"max-results", offsetof(struct config_limits, max_results), 1, 10000000},
	    {"time-limit", offsetof(struct config_limits, time_limit), 1, 86400},
	    {"max-operations", offsetof(struct config_limits, max_operations), 1, 1024},
	    {"max-paged-searches", offsetof(struct config_limits, max_pages), 1, 1024},
	    {"max-paged-searches-total", offsetof(struct config_limits, max_pages_total), 1,
	     1000000},
	    {"output-queue", offsetof(struct config_limits, output_queue), 4096, 256 * 1024 * 1024},
	    {"batch", offsetof(struct config_limits, batch), 1, 100000},
	    {"max-connections-per-address", offsetof(struct config_limits, per_address), 1,
	     1000000},
	    {"connection-rate-per-address", offsetof(struct config_limits, address_rate), 0,
	     1000000},
	    {"connection-reserve", offsetof(struct config_limits, reserve), 0, 1000000},
	    {"connection-lifetime", offsetof(struct config_limits, lifetime), 0, 86400 * 365},
	    {"paged-search-timeout", offsetof(struct config_limits, page_timeout), 1, 86400},
	    {"http-max-connections", offsetof(struct config_limits, http_connections), 1, 100000},
	    {"http-max-connections-per-address", offsetof(struct config_limits, http_per_address),
	     1, 100000},
	    {"http-timeout", offsetof(struct config_limits, http_timeout), 1, 3600},
	    {"filter-depth", offsetof(struct config_limits, filter.max_depth), 1, 1024},
	    {"filter-nodes", offsetof(struct config_limits, filter.max_nodes), 1, 1000000},
	};
	yaml_node_pair_t *p;

	if (map->type != YAML_MAPPING_NODE)
		return conf_error(w, map, "%s: expected a mapping", "limits");
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key = "";
		size_t i;

		if (conf_scalar(w, k, "limits", &key) == -1)
			return -1;
		if (strcmp(key, "filter-value-size") == 0) {
			unsigned u;

			if (walk_unsigned(w, v, key, 16, 1024 * 1024, &u) == -1)
				return -1;
			l->filter.max_value = u;
			continue;
		}
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].key) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return conf_error(w, k, "unknown limit \"%s\" (see pocdird.conf(5))", key);
		if (walk_unsigned(w, v, key, fields[i].min, fields[i].max,
		                  (unsigned *)((char *)l + fields[i].offset)) == -1)
			return -1;
	}
	return 0;
}

static int walk_binds(struct conf_walk *w, yaml_node_t *seq, struct config *c)
{
	yaml_node_item_t *it;

	if (seq->type != YAML_SEQUENCE_NODE)
		return conf_error(w, seq, "%s: expected a list of {dn, password-hash}", "binds");
	/* A later binds: replaces an earlier one; its slots are filled again,
	 * so nothing freed may stay behind in them (a double free otherwise). */
	for (size_t i = 0; i < c->nbinds; i++) {
		free(c->binds[i].dn);
		free(c->binds[i].dn_norm);
		free(c->binds[i].hash);
		c->binds[i] = (struct config_bind){NULL, NULL, NULL};
	}
	c->nbinds = 0;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(w->doc, *it);
		struct config_bind *b;
		yaml_node_pair_t *p;

		if (m->type != YAML_MAPPING_NODE)
			return conf_error(w, m, "%s: expected a mapping with dn and password-hash",
			                  "binds");
		if (c->nbinds == CONFIG_MAX_BINDS)
			return conf_error(w, m, "%s: too many entries (at most 64)", "binds");
		b = &c->binds[c->nbinds++];
		for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
			const char *key = "";

			if (conf_scalar(w, k, "binds", &key) == -1)
				return -1;
			if (strcmp(key, "dn") == 0) {
				if (conf_string(w, v, key, &b->dn) == -1)
					return -1;
			} else if (strcmp(key, "password-hash") == 0) {
				if (conf_string(w, v, key, &b->hash) == -1)
					return -1;
				if (strncmp(b->hash, "$argon2id$", 10) != 0)
					return conf_error(
					    w, v,
					    "%s: expected an argon2id hash as printed "
					    "by `pocdir passwd`",
					    key);
			} else {
				return conf_error(w, k, "binds: unknown key \"%s\"", key);
			}
		}
		if (b->dn == NULL || b->hash == NULL || b->dn[0] == '\0')
			return conf_error(w, m, "%s: each entry needs dn and password-hash",
			                  "binds");
		b->dn_norm = dn_normalize(b->dn, strlen(b->dn));
		if (b->dn_norm == NULL)
			return conf_error(w, m, "binds: dn \"%s\" is not a DN (RFC 4514)", b->dn);
	}
	return 0;
}

static int walk_hidden(struct conf_walk *w, yaml_node_t *seq, struct config *c)
{
	const char *names[ATTR_COUNT + 1];
	size_t n = 0;
	yaml_node_item_t *it;
	pocdir_error e;

	if (seq->type != YAML_SEQUENCE_NODE)
		return conf_error(w, seq, "%s: expected a list of attribute names",
		                  "hidden-attributes");
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(w->doc, *it);

		if (n == ATTR_COUNT)
			return conf_error(w, v, "%s: too many names", "hidden-attributes");
		if (conf_scalar(w, v, "hidden-attributes", &names[n]) == -1)
			return -1;
		n++;
	}
	if (config_set_hidden(c, names, n, &e) == -1)
		return conf_error(w, seq, "hidden-attributes: %s", e.message);
	return 0;
}

static int walk_listen(struct conf_walk *w, yaml_node_t *v, struct config *c)
{
	char *addrs[CONFIG_MAX_LISTEN] = {NULL};
	size_t n = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	pocdir_error e;

	if (v->type == YAML_SCALAR_NODE) {
		if (conf_string(w, v, "listen", &addrs[0]) == -1)
			return -1;
		n = 1;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			if (n == CONFIG_MAX_LISTEN) {
				conf_error(w, v, "%s: at most 8 addresses", "listen");
				goto fail;
			}
			if (conf_string(w, yaml_document_get_node(w->doc, *it), "listen",
			                &addrs[n]) == -1)
				goto fail;
			n++;
		}
		if (n == 0) {
			conf_error(w, v, "%s: expected at least one address", "listen");
			goto fail;
		}
	} else {
		return conf_error(w, v, "%s: expected ADDRESS:PORT or a list of them", "listen");
	}
	for (size_t i = 0; i < n; i++) {
		bool tls;

		if (config_parse_listen(addrs[i], &ss, &len, &tls, &e) == -1) {
			conf_error(w, v, "%s", e.message);
			goto fail;
		}
	}
	for (size_t i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	memcpy(c->listen, addrs, sizeof(addrs));
	c->nlisten = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(addrs[i]);
	return -1;
}

static int walk_tls(struct conf_walk *w, yaml_node_t *map, struct config_tls *t)
{
	yaml_node_pair_t *p;

	if (map->type != YAML_MAPPING_NODE)
		return conf_error(w, map,
		                  "%s: expected a mapping (certificate, key, client-ca, "
		                  "min-version)",
		                  "tls");
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key = "";

		if (conf_scalar(w, k, "tls", &key) == -1)
			return -1;
		if (strcmp(key, "certificate") == 0) {
			if (conf_string(w, v, key, &t->certificate) == -1)
				return -1;
		} else if (strcmp(key, "key") == 0) {
			if (conf_string(w, v, key, &t->key) == -1)
				return -1;
		} else if (strcmp(key, "client-ca") == 0) {
			if (conf_string(w, v, key, &t->client_ca) == -1)
				return -1;
		} else if (strcmp(key, "min-version") == 0) {
			const char *s = "";

			if (conf_scalar(w, v, key, &s) == -1)
				return -1;
			if (strcmp(s, "1.2") == 0 || strcasecmp(s, "TLS1.2") == 0)
				t->min_version = 12;
			else if (strcmp(s, "1.3") == 0 || strcasecmp(s, "TLS1.3") == 0)
				t->min_version = 13;
			else
				return conf_error(w, v, "%s: expected 1.2 or 1.3", key);
		} else {
			return conf_error(w, k, "tls: unknown key \"%s\"", key);
		}
	}
	if ((t->certificate == NULL) != (t->key == NULL))
		return conf_error(w, map, "%s: certificate and key go together", "tls");
	if (t->client_ca != NULL && t->certificate == NULL)
		return conf_error(w, map, "%s: client-ca needs a certificate and key", "tls");
	return 0;
}

/* web-listen: one URL or a list of up to CONFIG_MAX_WEB. */
static int walk_web_listen(struct conf_walk *w, yaml_node_t *v, struct config *c)
{
	char *urls[CONFIG_MAX_WEB] = {NULL};
	size_t n = 0;
	yaml_node_t *items[CONFIG_MAX_WEB];

	if (v->type == YAML_SCALAR_NODE) {
		items[n++] = v;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			if (n == CONFIG_MAX_WEB)
				return conf_error(w, v, "%s: at most 2 addresses", "web-listen");
			items[n++] = yaml_document_get_node(w->doc, *it);
		}
	} else {
		return conf_error(w, v, "%s: expected a URL or a list of them", "web-listen");
	}
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		const char *u;

		if (conf_string(w, items[i], "web-listen", &urls[i]) == -1)
			goto fail;
		u = urls[i];
		if (strncmp(u, "https://", 8) == 0)
			u += 8;
		else if (strncmp(u, "http://", 7) == 0)
			u += 7;
		if (config_parse_address(u, &ss, &len, NULL) == -1) {
			conf_error(
			    w, items[i],
			    "web-listen: \"%s\" is not http://ADDRESS:PORT or https://ADDRESS:PORT",
			    urls[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < c->nweb_listen; i++)
		free(c->web_listen[i]);
	memcpy(c->web_listen, urls, sizeof(urls));
	c->nweb_listen = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	return -1;
}

/* An ldaps:// listener without a certificate cannot work: say so at load. */
static int check_listen_tls(struct conf_walk *w, yaml_node_t *root, const struct config *c)
{
	for (size_t i = 0; i < c->nlisten; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		bool tls = false;

		if (config_parse_listen(c->listen[i], &ss, &len, &tls, NULL) == 0 && tls &&
		    c->tls.certificate == NULL)
			return conf_error(w, root, "%s needs tls: certificate and key",
			                  c->listen[i]);
	}
	for (size_t i = 0; i < c->nweb_listen; i++)
		if (strncmp(c->web_listen[i], "https://", 8) == 0 && c->tls.certificate == NULL)
			return conf_error(w, root, "%s needs tls: certificate and key",
			                  c->web_listen[i]);
	return 0;
}

int config_load(struct config *c, const char *path, pocdir_error *err)
{
	yaml_document_t doc;
	yaml_node_t *root;
	struct conf_walk w = {.doc = &doc, .file = path, .err = err};
	int rc = -1;

	/* The one reader of the file, as the library's sections read it. */
	if (conf_load(path, &doc, &root, err) == -1)
		return -1;
	if (root == NULL) {
		rc = 0; /* an empty file keeps every default */
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		const char *key = "";

		if (conf_scalar(&w, k, "key", &key) == -1)
			goto out;
		if (strcmp(key, "listen") == 0) {
			if (walk_listen(&w, v, c) == -1)
				goto out;
		} else if (strcmp(key, "base") == 0) {
			if (conf_string(&w, v, key, &c->base) == -1)
				goto out;
		} else if (strcmp(key, "directory") == 0) {
			if (conf_string(&w, v, key, &c->directory) == -1)
				goto out;
		} else if (strcmp(key, "log-level") == 0) {
			const char *s = "";
			int lv;

			if (conf_scalar(&w, v, key, &s) == -1)
				goto out;
			lv = log_level_parse(s);
			if (lv < 0) {
				conf_error(&w, v, "%s: expected err, warning, info or debug", key);
				goto out;
			}
			c->log_level = (enum log_level)lv;
		} else if (strcmp(key, "hidden-attributes") == 0) {
			if (walk_hidden(&w, v, c) == -1)
				goto out;
		} else if (strcmp(key, "limits") == 0) {
			if (walk_limits(&w, v, &c->limits) == -1)
				goto out;
		} else if (strcmp(key, "binds") == 0) {
			if (walk_binds(&w, v, c) == -1)
				goto out;
		} else if (strcmp(key, "tls") == 0) {
			if (walk_tls(&w, v, &c->tls) == -1)
				goto out;
		} else if (strcmp(key, "web-listen") == 0) {
			if (walk_web_listen(&w, v, c) == -1)
				goto out;
		} else if (strcmp(key, "simple-bind-requires-tls") == 0) {
			const char *s = "";

			if (conf_scalar(&w, v, key, &s) == -1)
				goto out;
			if (strcmp(s, "auto") == 0)
				c->bind_tls = BIND_TLS_AUTO;
			else if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0)
				c->bind_tls = BIND_TLS_ALWAYS;
			else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0)
				c->bind_tls = BIND_TLS_NEVER;
			else {
				conf_error(&w, v, "%s: expected auto, yes or no", key);
				goto out;
			}
		} else if (strcmp(key, "sync") == 0) {
			/* peers, trusted origins, feed: read by sched.c (libpocdir sync) */
		} else if (strcmp(key, "mail") == 0 || strcmp(key, "ping") == 0 ||
		           strcmp(key, "notify") == 0 || strcmp(key, "routing") == 0) {
			/* exchanges: read by exchange.c (libpocdir's mail configuration) */
		} else {
			conf_error(&w, k, "unknown setting \"%s\" (see pocdird.conf(5))", key);
			goto out;
		}
	}
	if (check_listen_tls(&w, root, c) == -1)
		goto out;
	rc = 0;
out:
	yaml_document_delete(&doc);
	if (rc == 0) {
		char *f = str_dup(path);

		if (f == NULL)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		free(c->file);
		c->file = f;
	}
	return rc;
}
