/* t_abi.c - the ABI room of pocdir.h, through the public header alone: a
 * caller built against an older, smaller struct (its size member says so)
 * has only its members read and written, a newer, larger one only the
 * members the library knows; and the structs the library returns in arrays
 * keep their stride. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pocdir.h"
#include "tap.h"

static size_t lookup_count(pocdir *dir, const pocdir_query *q)
{
	pocdir_result *res = NULL;
	pocdir_error err = {0};
	size_t n;

	if (pocdir_lookup(dir, q, &res, &err) == -1) {
		tap_diag("lookup: %s", err.message);
		return (size_t)-1;
	}
	n = pocdir_result_count(res);
	pocdir_result_free(&res);
	return n;
}

static void test_query(pocdir *dir)
{
	pocdir_query kr = {.country = "KR"};
	pocdir_query old = {
	    .size = offsetof(pocdir_query, id), .country = "KR", .id = "no-such-id"};
	pocdir_query full = {.size = sizeof(pocdir_query), .country = "KR", .id = "no-such-id"};
	/* A caller from a later version: its struct goes on past ours. */
	struct {
		pocdir_query q;
		char later[64];
	} newer;
	size_t all = lookup_count(dir, &kr);

	memset(&newer, 0x5a, sizeof(newer));
	newer.q = full;
	newer.q.size = sizeof(newer);
	tap_ok(all > 0 && all != (size_t)-1, "KR has contacts (%zu)", all);
	tap_ok(lookup_count(dir, &old) == all,
	       "a query of an older size: the id it does not have is not read");
	tap_ok(lookup_count(dir, &full) == 0, "the same query at full size reads the id");
	tap_ok(lookup_count(dir, &newer.q) == 0,
	       "a query of a newer, larger size: the members this library knows are read");
}

static void test_options(void)
{
	pocdir_options old = {.size = offsetof(pocdir_options, base_dn),
	                      .path = POCDIR_SOURCE_DIRECTORY,
	                      .base_dn = "o=Elsewhere"};
	pocdir_options full = old;
	pocdir_error err = {0};
	pocdir *a, *b;
	pocdir_result *ra = NULL, *rb = NULL;
	const char *dna = "", *dnb = "";

	full.size = sizeof(full);
	a = pocdir_open_options(&old, &err);
	b = pocdir_open_options(&full, &err);
	if (a != NULL && pocdir_all(a, &ra, &err) == 0 && pocdir_result_count(ra) > 0)
		dna = pocdir_entry_dn(pocdir_result_entry(ra, 0));
	if (b != NULL && pocdir_all(b, &rb, &err) == 0 && pocdir_result_count(rb) > 0)
		dnb = pocdir_entry_dn(pocdir_result_entry(rb, 0));
	tap_ok(strlen(dna) > 10 && strcmp(dna + strlen(dna) - 10, ",dc=pocdir") == 0,
	       "options of an older size: the base DN it does not have is the default (%s)", dna);
	tap_ok(strlen(dnb) > 12 && strcmp(dnb + strlen(dnb) - 12, ",o=Elsewhere") == 0,
	       "options at full size: the base DN is read (%s)", dnb);
	pocdir_result_free(&ra);
	pocdir_result_free(&rb);
	pocdir_free(&a);
	pocdir_free(&b);
}

/* The vCard of the first contact, written with opts. */
static char *vcard(pocdir *dir, const pocdir_write_options *opts)
{
	pocdir_query q = {.country = "KR"};
	pocdir_result *res = NULL;
	pocdir_error err = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL || pocdir_lookup(dir, &q, &res, &err) == -1 ||
	    pocdir_write_with(res, POCDIR_FORMAT_VCARD, opts, f, &err) == -1)
		tap_diag("vcard: %s", err.message);
	if (f != NULL)
		fclose(f);
	pocdir_result_free(&res);
	return buf;
}

static void test_write_options(pocdir *dir)
{
	pocdir_write_options old = {.size = offsetof(pocdir_write_options, vcard_version),
	                            .vcard_version = 3};
	pocdir_write_options full = {.size = sizeof(full), .vcard_version = 3};
	char *a = vcard(dir, &old), *b = vcard(dir, &full);

	tap_ok(a != NULL && strstr(a, "VERSION:4.0") != NULL,
	       "write options of an older size: the vCard version it does not have is the "
	       "default, 4.0");
	tap_ok(b != NULL && strstr(b, "VERSION:3.0") != NULL,
	       "write options at full size: vCard 3.0 as asked");
	free(a);
	free(b);
}

static void test_sync_report(const char *dir)
{
	char path[4200];
	FILE *f;
	pocdir_sync_config *cfg;
	pocdir_error err = {0};
	pocdir_sync_report old = {
	    .size = offsetof(pocdir_sync_report, ignored), .peers = 77, .ignored = 0xdead};
	pocdir_sync_report full = {.size = sizeof(full), .peers = 77, .ignored = 0xdead};

	snprintf(path, sizeof(path), "%s/pocdird.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	/* A peer that refuses (port 1 on loopback): the run fails fast, and
	 * says so in the report. */
	fprintf(f,
	        "sync:\n  state: %s/state\n  peers: [{url: \"http://127.0.0.1:1/\", timeout: 5}]\n",
	        dir);
	fclose(f);
	if ((cfg = pocdir_sync_config_load(path, &err)) == NULL) {
		tap_ok(0, "sync configuration: %s", err.message);
		return;
	}
	tap_ok(pocdir_sync_run(cfg, NULL, NULL, NULL, &old, &err) == -1,
	       "a sync of a peer that refuses fails: %s", err.message);
	tap_ok(old.peers == 1 && old.peers_failed == 1 && old.ignored == 0xdead,
	       "a report of an older size: its members written, the one it lacks untouched");
	pocdir_sync_run(cfg, NULL, NULL, NULL, &full, &err);
	tap_ok(full.peers == 1 && full.ignored == 0 && full.size == sizeof(full),
	       "a report at full size: every member written, its size kept");
	pocdir_sync_config_free(&cfg);
}

/* Copy the sample's kr.yaml to dir/name. */
static int copy_origin(const char *dir, const char *name, char *out, size_t size)
{
	char from[4200];
	FILE *in, *o;
	int c;

	snprintf(from, sizeof(from), "%s/origins/kr.yaml", POCDIR_SOURCE_DIRECTORY);
	snprintf(out, size, "%s/%s", dir, name);
	if ((in = fopen(from, "r")) == NULL)
		return -1;
	if ((o = fopen(out, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((c = getc(in)) != EOF)
		putc(c, o);
	fclose(in);
	return fclose(o);
}

static void test_sign_info(const char *dir)
{
	char pub[4200], sec[4200], a[4200], b[4200];
	pocdir_error err = {0};
	pocdir_sign_info old = {.size = offsetof(pocdir_sign_info, keyid)};
	pocdir_sign_info full = {.size = sizeof(full)};

	snprintf(pub, sizeof(pub), "%s/test.pub", dir);
	snprintf(sec, sizeof(sec), "%s/test.key", dir);
	strcpy(old.keyid, "canary");
	if (pocdir_keygen(pub, sec, NULL, &err) == -1 || copy_origin(dir, "a.yaml", a, sizeof(a)) ||
	    copy_origin(dir, "b.yaml", b, sizeof(b))) {
		tap_ok(0, "a key and two origin files: %s", err.message);
		return;
	}
	tap_ok(pocdir_sign_file(a, sec, NULL, 0, &old, &err) == 0, "sign with an older info: %s",
	       err.message);
	tap_ok(old.serial > 0 && strcmp(old.origin, "kr") == 0 && strcmp(old.keyid, "canary") == 0,
	       "sign info of an older size: its members written, the key id it lacks untouched");
	tap_ok(pocdir_sign_file(b, sec, NULL, 0, &full, &err) == 0 && strlen(full.keyid) == 16,
	       "sign info at full size: the key id written (%s)", full.keyid);
}

static void test_ioc(void)
{
	pocdir_ioc old, zero = {0};
	pocdir_error err = {0};

	memset(&old, 0, sizeof(old));
	old.size = offsetof(pocdir_ioc, value);
	strcpy(old.value, "canary");
	tap_ok(pocdir_ioc_parse("ip:198.51.100.7", &old, &err) == 0 &&
	           old.type == POCDIR_IOC_IPV4 && strcmp(old.value, "canary") == 0,
	       "an indicator of an older size: its members written, the value it lacks untouched");
	tap_ok(pocdir_ioc_parse("ip:198.51.100.7", &zero, &err) == 0 &&
	           strcmp(zero.value, "198.51.100.7") == 0 && zero.size == 0,
	       "size 0 is the first version: every member written, size left 0");
}

/* The library hands these out in arrays (and pocdir_diff_write takes
 * pocdir_version_info ones in): a caller steps through them with its own
 * sizeof, so they must never change size. More fields come with new
 * functions. The figures are LP64's. */
static void test_strides(void)
{
	static const struct {
		const char *name;
		size_t size, want;
	} fixed[] = {
	    {"pocdir_error", sizeof(pocdir_error), 1032},
	    {"pocdir_version_info", sizeof(pocdir_version_info), 712},
	    {"pocdir_peer_status", sizeof(pocdir_peer_status), 1056},
	    {"pocdir_exchange", sizeof(pocdir_exchange), 1320},
	    {"pocdir_ping_status", sizeof(pocdir_ping_status), 384},
	    {"pocdir_notify_message", sizeof(pocdir_notify_message), 1280},
	};

	if (sizeof(void *) != 8 || sizeof(long) != 8) {
		tap_ok(1, "# SKIP the stride figures are LP64's");
		return;
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tap_ok(fixed[i].size == fixed[i].want, "%s keeps its size (%zu, want %zu)",
		       fixed[i].name, fixed[i].size, fixed[i].want);
}

int main(void)
{
	pocdir_error err = {0};
	pocdir *dir = pocdir_open(POCDIR_SOURCE_DIRECTORY, &err);
	char tmp[] = "/tmp/pocdir-abi.XXXXXX";
	char cmd[64];

	unsetenv("POCDIR_STATE");
	if (dir == NULL) {
		tap_ok(0, "open the sample: %s", err.message);
		return tap_done();
	}
	test_query(dir);
	test_options();
	test_write_options(dir);
	if (mkdtemp(tmp) != NULL) {
		test_sync_report(tmp);
		test_sign_info(tmp);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmp);
	}
	test_ioc();
	test_strides();
	pocdir_free(&dir);
	return tap_done();
}
