/* mailconf.c - the configuration of exchanges: the "mail:", "ping:",
 * "notify:" and "routing:" sections of pocdird's YAML file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "conf.h"
#include "exchange.h"
#include "history.h"
#include "util.h"
#include "yamldoc.h"

void pocdir_mail_config_free(pocdir_mail_config **cfg)
{
	struct pocdir_mail_config *c;

	if (cfg == NULL || *cfg == NULL)
		return;
	c = *cfg;
	free(c->file);
	free(c->state);
	free(c->from);
	free(c->from_name);
	free(c->smtp_url);
	free(c->imap_url);
	free(c->credentials);
	free(c->ca_file);
	free(c->sender_state);
	free(c->sender_poc);
	free(c->sign_key);
	free(c->route_table);
	free(c->route_url);
	free(c);
	*cfg = NULL;
}

/* A URL setting: one of the schemes given, checked by libcurl's parser when
 * it is used; here only that it names one of them. */
static int conf_url(struct conf_walk *w, const yaml_node_t *n, const char *key,
                    const char *const *schemes, char **out)
{
	if (conf_string(w, n, key, out) == -1)
		return -1;
	for (size_t i = 0; schemes[i] != NULL; i++) {
		size_t l = strlen(schemes[i]);

		if (strncmp(*out, schemes[i], l) == 0 && strncmp(*out + l, "://", 3) == 0)
			return 0;
	}
	return conf_error(w, n,
	                  "%s: expected a URL starting with one of the schemes "
	                  "this setting takes (see pocdird.conf(5))",
	                  key);
}

static int conf_mail(struct conf_walk *w, yaml_node_t *m, struct pocdir_mail_config *c)
{
	static const char *const smtp[] = {"smtps", "smtp", NULL};
	static const char *const imap[] = {"imaps", "imap", NULL};
	uint64_t u;

	if (m->type != YAML_MAPPING_NODE)
		return conf_error(w, m, "%s: expected a mapping (from, smtp, imap, ...)", "mail");
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		int rc = 0;

		if (strcmp(key, "from") == 0) {
			rc = conf_string(w, v, key, &c->from);
			if (rc == 0 &&
			    (strchr(c->from, '@') == NULL || strpbrk(c->from, " <>\r\n")))
				rc = conf_error(w, v,
				                "%s: expected an address such as "
				                "pocdir@cert.example (the name goes in name:)",
				                key);
		} else if (strcmp(key, "name") == 0)
			rc = conf_string(w, v, key, &c->from_name);
		else if (strcmp(key, "smtp") == 0)
			rc = conf_url(w, v, key, smtp, &c->smtp_url);
		else if (strcmp(key, "imap") == 0)
			rc = conf_url(w, v, key, imap, &c->imap_url);
		else if (strcmp(key, "credentials") == 0)
			rc = conf_string(w, v, key, &c->credentials);
		else if (strcmp(key, "ca-file") == 0)
			rc = conf_string(w, v, key, &c->ca_file);
		else if (strcmp(key, "timeout") == 0) {
			rc = conf_number(w, v, key, 1, 3600, &u);
			c->timeout = (unsigned)u;
		} else if (strcmp(key, "max-reply") == 0)
			rc = conf_number(w, v, key, 4096, 64u << 20, &c->max_reply);
		else
			rc = conf_error(w, k, "mail: unknown setting \"%s\" (see pocdird.conf(5))",
			                key);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int conf_ping(struct conf_walk *w, yaml_node_t *m, struct pocdir_mail_config *c)
{
	uint64_t u;

	if (m->type != YAML_MAPPING_NODE)
		return conf_error(w, m, "%s: expected a mapping (interval, answer-days)", "ping");
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		int rc;

		if (strcmp(key, "interval") == 0) {
			rc = conf_number(w, v, key, 0, 86400u * 366, &u);
			c->ping_interval = (unsigned)u;
		} else if (strcmp(key, "answer-days") == 0) {
			rc = conf_number(w, v, key, 1, 366, &u);
			c->ping_answer_days = (unsigned)u;
		} else
			rc = conf_error(w, k, "ping: unknown setting \"%s\" (see pocdird.conf(5))",
			                key);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int conf_notify(struct conf_walk *w, yaml_node_t *m, struct pocdir_mail_config *c)
{
	uint64_t u;

	if (m->type != YAML_MAPPING_NODE)
		return conf_error(w, m, "%s: expected a mapping (sender-state, sender-poc, ...)",
		                  "notify");
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		int rc;

		if (strcmp(key, "sender-state") == 0)
			rc = conf_string(w, v, key, &c->sender_state);
		else if (strcmp(key, "sender-poc") == 0)
			rc = conf_string(w, v, key, &c->sender_poc);
		else if (strcmp(key, "key") == 0)
			rc = conf_string(w, v, key, &c->sign_key);
		else if (strcmp(key, "answer-days") == 0) {
			rc = conf_number(w, v, key, 1, 366, &u);
			c->notify_answer_days = (unsigned)u;
		} else
			rc = conf_error(
			    w, k, "notify: unknown setting \"%s\" (see pocdird.conf(5))", key);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int conf_routing(struct conf_walk *w, yaml_node_t *m, struct pocdir_mail_config *c)
{
	static const char *const http[] = {"https", "http", "file", NULL};

	if (m->type != YAML_MAPPING_NODE)
		return conf_error(w, m, "%s: expected a mapping (table, url)", "routing");
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		int rc;

		if (strcmp(key, "table") == 0)
			rc = conf_string(w, v, key, &c->route_table);
		else if (strcmp(key, "url") == 0)
			rc = conf_url(w, v, key, http, &c->route_url);
		else
			rc = conf_error(
			    w, k, "routing: unknown setting \"%s\" (see pocdird.conf(5))", key);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Only the state directory of the sync: section; sync.c reads the rest. */
static int conf_sync_state(struct conf_walk *w, yaml_node_t *m, struct pocdir_mail_config *c)
{
	if (m->type != YAML_MAPPING_NODE)
		return 0; /* sync.c says what is wrong with it */
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);

		if (strcmp(conf_key(k), "state") == 0)
			return conf_string(w, yaml_document_get_node(w->doc, pr->value), "state",
			                   &c->state);
	}
	return 0;
}

pocdir_mail_config *pocdir_mail_config_load(const char *path, pocdir_error *err)
{
	struct pocdir_mail_config *c;
	yaml_document_t doc;
	yaml_node_t *root;
	struct conf_walk w = {&doc, path, err};
	int rc = -1;

	error_clear(err);
	if (path == NULL) {
		error_set(err, POCDIR_ERR_USAGE, "no configuration file given");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	c->timeout = MAIL_DEFAULT_TIMEOUT;
	c->max_reply = MAIL_DEFAULT_MAX_REPLY;
	c->ping_answer_days = MAIL_DEFAULT_ANSWER_DAYS;
	c->notify_answer_days = MAIL_DEFAULT_ANSWER_DAYS;
	if ((c->file = str_dup(path)) == NULL || conf_load(path, &doc, &root, err) == -1) {
		if (c->file == NULL)
			error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		pocdir_mail_config_free(&c);
		return NULL;
	}
	for (yaml_node_pair_t *pr = root ? root->data.mapping.pairs.start : NULL;
	     root != NULL && pr < root->data.mapping.pairs.top; pr++) {
		const char *key = conf_key(yaml_document_get_node(&doc, pr->key));
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		int r = 0;

		if (v == NULL)
			continue;
		if (strcmp(key, "mail") == 0)
			r = conf_mail(&w, v, c);
		else if (strcmp(key, "ping") == 0)
			r = conf_ping(&w, v, c);
		else if (strcmp(key, "notify") == 0)
			r = conf_notify(&w, v, c);
		else if (strcmp(key, "routing") == 0)
			r = conf_routing(&w, v, c);
		else if (strcmp(key, "sync") == 0)
			r = conf_sync_state(&w, v, c);
		if (r == -1)
			goto out;
	}
	if (c->state == NULL && (c->state = str_dup(history_state_dir(NULL))) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	if (rc == -1)
		pocdir_mail_config_free(&c);
	return c;
}

const char *pocdir_mail_config_state(const pocdir_mail_config *cfg)
{
	return cfg != NULL ? cfg->state : history_state_dir(NULL);
}

unsigned pocdir_mail_config_ping_interval(const pocdir_mail_config *cfg)
{
	return cfg != NULL ? cfg->ping_interval : 0;
}

const char *pocdir_mail_config_route_table(const pocdir_mail_config *cfg)
{
	return cfg != NULL ? cfg->route_table : NULL;
}
