/* stix.c - the machine-readable part of a notification as a STIX 2.1 bundle
 * (OASIS STIX Version 2.1, 2021): identity, TLP marking, indicators with
 * STIX patterns, malware, relationships, sightings and the report. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exchange.h"
#include "export.h"
#include "util.h"

/* STIX 2.1 7.2.1.4: the predefined TLP 1.0 marking definitions, used by
 * every STIX consumer. TLP 2.0's CLEAR is 1.0's WHITE; AMBER+STRICT is
 * AMBER plus a statement marking saying so. */
static const struct {
	const char *tlp, *id, *name, *value;
} tlp_markings[] = {
    {"clear", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white"},
    {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green"},
    {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber"},
    {"amber+strict", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER",
     "amber"},
    {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red"},
};

/* A version 4 (random) UUID, RFC 9562 5.4. */
static void uuid4(char out[37])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

static void stix_id(const char *type, char *out, size_t size)
{
	char u[37];

	uuid4(u);
	snprintf(out, size, "%s--%s", type, u);
}

/* STIX timestamps are RFC 3339 UTC with millisecond precision ("Z"). */
static void stix_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* A string literal of a STIX pattern (STIX 2.1 9.4): quote and backslash
 * escaped. The pattern itself then goes through JSON quoting. */
static void pattern_literal(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < size; s++) {
		if (*s == '\'' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
}

static void pattern_of(const pocdir_ioc *ioc, char *out, size_t size)
{
	char lit[4200];

	pattern_literal(ioc->value, lit, sizeof(lit));
	switch (ioc->type) {
	case POCDIR_IOC_IPV4:
	case POCDIR_IOC_IPV4_PREFIX: /* ipv4-addr's value may be a CIDR block */
		snprintf(out, size, "[ipv4-addr:value = '%s']", lit);
		break;
	case POCDIR_IOC_IPV6:
	case POCDIR_IOC_IPV6_PREFIX:
		snprintf(out, size, "[ipv6-addr:value = '%s']", lit);
		break;
	case POCDIR_IOC_DOMAIN:
		snprintf(out, size, "[domain-name:value = '%s']", lit);
		break;
	case POCDIR_IOC_URL:
		snprintf(out, size, "[url:value = '%s']", lit);
		break;
	case POCDIR_IOC_EMAIL:
		snprintf(out, size, "[email-addr:value = '%s']", lit);
		break;
	case POCDIR_IOC_HASH: /* STIX 2.1 10.7 hash-algorithm-ov names */
		snprintf(out, size, "[file:hashes.'%s' = '%s']", ioc->hash, lit);
		break;
	case POCDIR_IOC_MALWARE:
		out[0] = '\0';
		break;
	}
}

/* "key": "value" with the value JSON-quoted; a leading comma when not
 * the first member. */
static void member(FILE *f, const char *key, const char *value)
{
	fprintf(f, ",\n   \"%s\": ", key);
	export_json_quote(value != NULL ? value : "", f);
}

/* The properties every SDO here shares (STIX 2.1 3.2). */
static void common(FILE *f, const char *type, const char *id, const char *ts, const char *creator,
                   const char *marking)
{
	fprintf(f, "  {\n   \"type\": \"%s\",\n   \"spec_version\": \"2.1\",\n   \"id\": \"%s\"",
	        type, id);
	fprintf(f, ",\n   \"created\": \"%s\",\n   \"modified\": \"%s\"", ts, ts);
	if (creator != NULL)
		fprintf(f, ",\n   \"created_by_ref\": \"%s\"", creator);
	if (marking != NULL)
		fprintf(f, ",\n   \"object_marking_refs\": [\"%s\"]", marking);
}

int stix_render(const struct notify_fields *f, char **out, size_t *len, pocdir_error *err)
{
	char ts[40], identity[80], report[80], bundle[80], statement[80] = "";
	char(*ind)[80] = NULL, (*mal)[80] = NULL, (*rel)[80] = NULL, (*sig)[80] = NULL;
	size_t nind = 0, nmal = 0, nrel = 0, nsig = 0, tlp = 2;
	char *buf = NULL;
	size_t size = 0;
	FILE *j;

	*out = NULL;
	for (size_t i = 0; i < sizeof(tlp_markings) / sizeof(tlp_markings[0]); i++)
		if (strcmp(f->tlp, tlp_markings[i].tlp) == 0)
			tlp = i;
	const char *marking = tlp_markings[tlp].id;
	for (size_t i = 0; i < f->nioc; i++) {
		if (f->iocs[i].type == POCDIR_IOC_MALWARE)
			nmal++;
		else
			nind++;
	}
	ind = calloc(nind + 1, sizeof(*ind));
	mal = calloc(nmal + 1, sizeof(*mal));
	rel = calloc(nind * nmal + 1, sizeof(*rel));
	sig = calloc(nind + 1, sizeof(*sig));
	if (ind == NULL || mal == NULL || rel == NULL || sig == NULL ||
	    (j = open_memstream(&buf, &size)) == NULL)
		goto oom;
	stix_time(f->now, ts, sizeof(ts));
	stix_id("bundle", bundle, sizeof(bundle));
	stix_id("identity", identity, sizeof(identity));
	stix_id("report", report, sizeof(report));
	fprintf(j, "{\n \"type\": \"bundle\",\n \"id\": \"%s\",\n \"objects\": [\n", bundle);

	/* The TLP marking definition, as STIX 2.1 7.2.1.4 defines it. */
	fprintf(j,
	        "  {\n   \"type\": \"marking-definition\",\n   \"spec_version\": \"2.1\",\n"
	        "   \"id\": \"%s\",\n   \"created\": \"2017-01-20T00:00:00.000Z\",\n"
	        "   \"definition_type\": \"tlp\",\n   \"name\": \"%s\",\n"
	        "   \"definition\": {\"tlp\": \"%s\"}\n  },\n",
	        marking, tlp_markings[tlp].name, tlp_markings[tlp].value);
	if (strcmp(f->tlp, "amber+strict") == 0) {
		stix_id("marking-definition", statement, sizeof(statement));
		fprintf(j,
		        "  {\n   \"type\": \"marking-definition\",\n   \"spec_version\": \"2.1\",\n"
		        "   \"id\": \"%s\",\n   \"created\": \"%s\",\n"
		        "   \"definition_type\": \"statement\",\n"
		        "   \"definition\": {\"statement\": \"TLP:AMBER+STRICT: share only within "
		        "your organisation (FIRST TLP 2.0)\"}\n  },\n",
		        statement, ts);
	}

	common(j, "identity", identity, ts, NULL, NULL);
	member(j, "name", f->sender_poc != NULL ? f->sender_poc : f->sender_address);
	fputs(",\n   \"identity_class\": \"organization\"", j);
	if (f->sender_state != NULL)
		member(j, "description", f->sender_state);
	member(j, "contact_information", f->sender_address);
	fputs("\n  },\n", j);

	for (size_t i = 0, ki = 0, km = 0; i < f->nioc; i++) {
		const pocdir_ioc *c = &f->iocs[i];
		char name[2200], pattern[4400];

		if (c->type == POCDIR_IOC_MALWARE) {
			stix_id("malware", mal[km], sizeof(mal[km]));
			common(j, "malware", mal[km], ts, identity, marking);
			member(j, "name", c->value);
			fputs(",\n   \"is_family\": true,\n   \"malware_types\": [\"unknown\"]\n  "
			      "},\n",
			      j);
			km++;
			continue;
		}
		stix_id("indicator", ind[ki], sizeof(ind[ki]));
		pattern_of(c, pattern, sizeof(pattern));
		snprintf(name, sizeof(name), "%s %s", pocdir_ioc_type_name(c), c->value);
		common(j, "indicator", ind[ki], ts, identity, marking);
		member(j, "name", name);
		fputs(",\n   \"indicator_types\": [\"malicious-activity\"]", j);
		member(j, "pattern", pattern);
		fputs(",\n   \"pattern_type\": \"stix\",\n   \"pattern_version\": \"2.1\"", j);
		member(j, "valid_from", f->first_seen != NULL ? f->first_seen : ts);
		fputs("\n  },\n", j);
		ki++;
	}
	/* Each indicator indicates each malware named with it. */
	for (size_t a = 0; a < nind; a++)
		for (size_t b = 0; b < nmal; b++) {
			stix_id("relationship", rel[nrel], sizeof(rel[nrel]));
			common(j, "relationship", rel[nrel], ts, identity, marking);
			fprintf(j,
			        ",\n   \"relationship_type\": \"indicates\",\n   \"source_ref\": "
			        "\"%s\",\n   \"target_ref\": \"%s\"\n  },\n",
			        ind[a], mal[b]);
			nrel++;
		}
	/* Times seen: a sighting of each indicator by the sender. */
	if (f->first_seen != NULL || f->last_seen != NULL)
		for (size_t a = 0; a < nind; a++) {
			stix_id("sighting", sig[nsig], sizeof(sig[nsig]));
			common(j, "sighting", sig[nsig], ts, identity, marking);
			if (f->first_seen != NULL)
				member(j, "first_seen", f->first_seen);
			if (f->last_seen != NULL)
				member(j, "last_seen", f->last_seen);
			fprintf(j,
			        ",\n   \"sighting_of_ref\": \"%s\",\n   \"where_sighted_refs\": "
			        "[\"%s\"]\n  },\n",
			        ind[a], identity);
			nsig++;
		}

	common(j, "report", report, ts, identity, NULL);
	fprintf(j, ",\n   \"object_marking_refs\": [\"%s\"%s%s%s]", marking,
	        statement[0] ? ", \"" : "", statement, statement[0] ? "\"" : "");
	{
		char name[400];

		snprintf(name, sizeof(name), "%s: %.300s", f->type, f->summary);
		member(j, "name", name);
	}
	member(j, "description", f->summary);
	fputs(",\n   \"report_types\": [\"threat-report\"]", j);
	member(j, "published", ts);
	fprintf(j, ",\n   \"labels\": [\"%s\", \"urgency:%s\"]", f->type, f->urgency);
	fprintf(j, ",\n   \"object_refs\": [\"%s\"", identity);
	for (size_t a = 0; a < nind; a++)
		fprintf(j, ", \"%s\"", ind[a]);
	for (size_t a = 0; a < nmal; a++)
		fprintf(j, ", \"%s\"", mal[a]);
	for (size_t a = 0; a < nrel; a++)
		fprintf(j, ", \"%s\"", rel[a]);
	for (size_t a = 0; a < nsig; a++)
		fprintf(j, ", \"%s\"", sig[a]);
	fputs("]", j);
	/* The template's own fields, as STIX 2.1 11.1 custom properties. */
	member(j, "x_pocdir_token", f->token);
	member(j, "x_pocdir_type", f->type);
	member(j, "x_pocdir_urgency", f->urgency);
	member(j, "x_pocdir_tlp", f->tlp);
	if (f->sender_state != NULL)
		member(j, "x_pocdir_sender_state", f->sender_state);
	member(j, "x_pocdir_sender_poc", f->sender_poc != NULL ? f->sender_poc : f->sender_address);
	member(j, "x_pocdir_recipient", f->recipient);
	member(j, "x_pocdir_recipient_country", f->country);
	if (f->action != NULL)
		member(j, "x_pocdir_requested_action", f->action);
	if (f->first_seen != NULL)
		member(j, "x_pocdir_first_seen", f->first_seen);
	if (f->last_seen != NULL)
		member(j, "x_pocdir_last_seen", f->last_seen);
	if (f->refers_to != NULL)
		member(j, "x_pocdir_refers_to", f->refers_to);
	member(j, "x_pocdir_disclaimer", notify_disclaimer);
	fputs("\n  }\n ]\n}\n", j);
	if (fclose(j) != 0 || buf == NULL)
		goto oom;
	free(ind);
	free(mal);
	free(rel);
	free(sig);
	*out = buf;
	*len = size;
	return 0;
oom:
	free(buf);
	free(ind);
	free(mal);
	free(rel);
	free(sig);
	return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
}
