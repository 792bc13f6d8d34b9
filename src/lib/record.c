/* record.c - the exchanges recorded in the state directory: what was sent,
 * what answered it, written once each, atomically, under the state lock. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exchange.h"
#include "history.h"
#include "util.h"

static char *record_path(const char *state, const char *token, const char *kind)
{
	size_t n = strlen(state) + strlen(token) + strlen(kind) + 16;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/exchanges/%s%s", state, token, kind);
	return p;
}

/* "key: "value"\n" into f, the value quoted for YAML; nothing when empty. */
static void field(FILE *f, const char *key, const char *value)
{
	char q[1100];

	if (value == NULL || value[0] == '\0')
		return;
	history_yaml_quote(value, q, sizeof(q));
	fprintf(f, "%s: %s\n", key, q);
}

int record_sent_write(const char *state, const struct record_sent *r, const char *eml, size_t len,
                      pocdir_error *err)
{
	char *dir = NULL, *p_eml = NULL, *p_yaml = NULL, *yaml = NULL;
	size_t ylen = 0;
	int lock = -1, rc = -1;
	FILE *f;

	if (!mime_token_valid(r->token))
		return error_set(err, POCDIR_ERR_USAGE, "\"%s\" is not a token", r->token);
	if ((f = open_memstream(&yaml, &ylen)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	fprintf(f, "# what this node sent; written once, never changed\n");
	fprintf(f, "kind: %s\n", r->kind == POCDIR_EXCHANGE_PING ? "ping" : "notification");
	field(f, "token", r->token);
	field(f, "entry", r->entry);
	field(f, "origin", r->origin);
	field(f, "to", r->to);
	field(f, "from", r->from);
	field(f, "subject", r->subject);
	field(f, "message-id", r->message_id);
	field(f, "type", r->type);
	field(f, "urgency", r->urgency);
	field(f, "tlp", r->tlp);
	fprintf(f, "sent: %lld\ndue: %lld\n", r->sent, r->due);
	if (fclose(f) != 0 || yaml == NULL) {
		free(yaml);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	if ((dir = record_path(state, "", "")) == NULL ||
	    (p_eml = record_path(state, r->token, ".eml")) == NULL ||
	    (p_yaml = record_path(state, r->token, ".yaml")) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	if (history_mkdirs(dir, err) == -1 || (lock = history_lock(state, err)) == -1)
		goto out;
	/* The message first: a .yaml is only ever there with its .eml. */
	if (file_write_atomic_mode(p_eml, eml, len, 0640, true, err) == -1 ||
	    file_write_atomic_mode(p_yaml, yaml, ylen, 0644, true, err) == -1)
		goto out;
	rc = 0;
out:
	if (lock != -1)
		close(lock);
	free(dir);
	free(p_eml);
	free(p_yaml);
	free(yaml);
	return rc;
}

int exchange_send(const struct pocdir_mail_config *cfg, const struct record_sent *r,
                  const char *eml, size_t len, char *why, size_t whysize)
{
	pocdir_error err = {0};

	if (mail_send(cfg, r->to, eml, len, why, whysize) == -1)
		return -1;
	if (record_sent_write(cfg->state, r, eml, len, &err) == -1) {
		snprintf(why, whysize, "sent, but not recorded: %s", err.message);
		return -1;
	}
	return 0;
}

int record_answer_write(const char *state, const struct record_answer *a, pocdir_error *err)
{
	char *p_sent = NULL, *p_ans = NULL, *yaml = NULL;
	size_t ylen = 0;
	int lock = -1, rc = -1;
	FILE *f;

	if (!mime_token_valid(a->token))
		return error_set(err, POCDIR_ERR_USAGE, "\"%s\" is not a token", a->token);
	if ((p_sent = record_path(state, a->token, ".yaml")) == NULL ||
	    (p_ans = record_path(state, a->token, ".answer.yaml")) == NULL ||
	    (f = open_memstream(&yaml, &ylen)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	fprintf(f, "# the reply that answered %s; written once, never changed\n", a->token);
	field(f, "message-id", a->message_id);
	field(f, "from", a->from);
	field(f, "subject", a->subject);
	field(f, "date", a->date);
	fprintf(f, "date-time: %lld\nfetched: %lld\nuid: %lu\n", a->date_time, a->fetched, a->uid);
	if (fclose(f) != 0 || yaml == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	if ((lock = history_lock(state, err)) == -1)
		goto out;
	if (access(p_sent, F_OK) == -1) {
		error_set(err, POCDIR_ERR_NOTFOUND, "no exchange with token %s was sent from here",
		          a->token);
		goto out;
	}
	if (access(p_ans, F_OK) == 0) {
		rc = 0; /* the first answer stays */
		goto out;
	}
	if (file_write_atomic_mode(p_ans, yaml, ylen, 0644, true, err) == -1)
		goto out;
	rc = 1;
out:
	if (lock != -1)
		close(lock);
	free(p_sent);
	free(p_ans);
	free(yaml);
	return rc;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static long long number(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *end == '\0' ? v : 0;
}

static void sent_field(const char *key, const char *value, void *ctx)
{
	pocdir_exchange *x = ctx;

	if (strcmp(key, "kind") == 0)
		x->kind = strcmp(value, "ping") == 0 ? POCDIR_EXCHANGE_PING
		                                     : POCDIR_EXCHANGE_NOTIFICATION;
	else if (strcmp(key, "token") == 0)
		copy(x->token, sizeof(x->token), value);
	else if (strcmp(key, "entry") == 0)
		copy(x->entry, sizeof(x->entry), value);
	else if (strcmp(key, "origin") == 0)
		copy(x->origin, sizeof(x->origin), value);
	else if (strcmp(key, "to") == 0)
		copy(x->to, sizeof(x->to), value);
	else if (strcmp(key, "subject") == 0)
		copy(x->subject, sizeof(x->subject), value);
	else if (strcmp(key, "type") == 0)
		copy(x->type, sizeof(x->type), value);
	else if (strcmp(key, "urgency") == 0)
		copy(x->urgency, sizeof(x->urgency), value);
	else if (strcmp(key, "tlp") == 0)
		copy(x->tlp, sizeof(x->tlp), value);
	else if (strcmp(key, "sent") == 0)
		x->sent = number(value);
	else if (strcmp(key, "due") == 0)
		x->due = number(value);
}

static void answer_field(const char *key, const char *value, void *ctx)
{
	pocdir_exchange *x = ctx;

	if (strcmp(key, "from") == 0)
		copy(x->answer_from, sizeof(x->answer_from), value);
	else if (strcmp(key, "subject") == 0)
		copy(x->answer_subject, sizeof(x->answer_subject), value);
	else if (strcmp(key, "fetched") == 0)
		x->answered = number(value);
	else if (strcmp(key, "date-time") == 0)
		x->answer_date = number(value);
}

static int by_sent(const void *a, const void *b)
{
	const pocdir_exchange *x = a, *y = b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	return strcmp(x->token, y->token);
}

int record_list(const char *state, pocdir_exchange **out, pocdir_error *err)
{
	pocdir_exchange *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	char *dir;
	DIR *d;

	*out = NULL;
	if ((dir = record_path(state, "", "")) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	if ((d = opendir(dir)) == NULL) {
		int e = errno;

		free(dir);
		if (e == ENOENT)
			return 0; /* nothing sent yet */
		return error_set(err, POCDIR_ERR_SYSTEM, "%s/exchanges: %s", state, strerror(e));
	}
	while ((de = readdir(d)) != NULL) {
		char token[MAIL_TOKEN_LEN + 1], *path;
		pocdir_error ignored;

		/* <token>.yaml exactly: temporaries and answers are other names. */
		if (strlen(de->d_name) != MAIL_TOKEN_LEN + 5 ||
		    strcmp(de->d_name + MAIL_TOKEN_LEN, ".yaml") != 0)
			continue;
		memcpy(token, de->d_name, MAIL_TOKEN_LEN);
		token[MAIL_TOKEN_LEN] = '\0';
		if (!mime_token_valid(token))
			continue;
		if (n == EXCHANGE_MAX_RECORDS) {
			error_set(err, POCDIR_ERR_LIMIT, "%s holds more than %u exchanges", dir,
			          EXCHANGE_MAX_RECORDS);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			pocdir_exchange *nl = realloc(list, nc * sizeof(*list));

			if (nl == NULL)
				goto oom;
			list = nl;
			cap = nc;
		}
		memset(&list[n], 0, sizeof(list[n]));
		if ((path = record_path(state, token, ".yaml")) == NULL)
			goto oom;
		if (history_flat_read(path, EXCHANGE_MAX_RECORD, sent_field, &list[n], err) == -1) {
			free(path);
			goto fail;
		}
		free(path);
		copy(list[n].token, sizeof(list[n].token), token);
		if ((path = record_path(state, token, ".answer.yaml")) == NULL)
			goto oom;
		if (access(path, F_OK) == 0 &&
		    history_flat_read(path, EXCHANGE_MAX_RECORD, answer_field, &list[n],
		                      &ignored) == -1)
			list[n].answered = 0;
		free(path);
		n++;
	}
	closedir(d);
	free(dir);
	if (n > 1)
		qsort(list, n, sizeof(*list), by_sent);
	*out = list;
	return (int)n;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
fail:
	closedir(d);
	free(dir);
	free(list);
	return -1;
}

int pocdir_exchange_list(const char *state, pocdir_exchange_kind kind, pocdir_exchange **out,
                         pocdir_error *err)
{
	pocdir_exchange *all;
	int n, k = 0;

	error_clear(err);
	*out = NULL;
	if ((n = record_list(history_state_dir(state), &all, err)) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (all[i].kind == kind)
			all[k++] = all[i];
	if (k == 0) {
		free(all);
		all = NULL;
	}
	*out = all;
	return k;
}

void pocdir_exchange_list_free(pocdir_exchange **out)
{
	if (out == NULL)
		return;
	free(*out);
	*out = NULL;
}
