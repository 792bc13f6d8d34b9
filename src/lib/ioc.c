/* ioc.c - typed indicators of compromise: parsing and checking each kind
 * (addresses and prefixes through inet_pton, URLs through libcurl's URL
 * parser, host names by RFC 1035/1123, digests by length). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi.h"
#include "pocdir.h"
#include "util.h"

#define IOC_MAX 2048

static const char *const type_names[] = {"ip",  "ip",    "ip",   "ip",     "domain",
                                         "url", "email", "hash", "malware"};

const char *pocdir_ioc_type_name(const pocdir_ioc *ioc)
{
	if (ioc->type == POCDIR_IOC_HASH) {
		if (strcmp(ioc->hash, "MD5") == 0)
			return "md5";
		if (strcmp(ioc->hash, "SHA-1") == 0)
			return "sha1";
		if (strcmp(ioc->hash, "SHA-512") == 0)
			return "sha512";
		return "sha256";
	}
	return type_names[ioc->type];
}

/* RFC 1123 2.1 host name: labels of letters, digits and hyphens, 1 to 63
 * bytes, no hyphen at either end, 253 bytes in all, at least two labels
 * and a top-level label that is not all digits. */
static const char *domain_check(const char *s)
{
	size_t n = strlen(s), label = 0, labels = 1;
	bool digits_only = true;

	if (n == 0 || n > 253)
		return "a host name is 1 to 253 characters";
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0)
				return "empty label";
			if (s[i - 1] == '-')
				return "a label ends with '-'";
			if (c == '.') {
				labels++;
				label = 0;
				digits_only = true;
			}
			continue;
		}
		if (label == 0 && c == '-')
			return "a label starts with '-'";
		if (!isalnum((unsigned char)c) && c != '-')
			return (unsigned char)c >= 0x80
			           ? "not ASCII: write an internationalised name "
			             "as its xn-- A-labels (RFC 5890)"
			           : "only letters, digits, '-' and '.' may appear";
		if (!isdigit((unsigned char)c))
			digits_only = false;
		if (++label > 63)
			return "a label is longer than 63 characters";
	}
	if (labels < 2)
		return "a single label is not a domain";
	if (digits_only)
		return "the top-level label is all digits";
	return NULL;
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* An address or a prefix: inet_pton for the address, the length within
 * the family's width, and no bits set past it (RFC 4632 3.1). */
static int parse_ip(const char *v, pocdir_ioc *out, const char *text, pocdir_error *err)
{
	char addr[INET6_ADDRSTRLEN + 8], canon[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash = strchr(v, '/');
	size_t alen = slash != NULL ? (size_t)(slash - v) : strlen(v);
	int family, bits = -1;

	if (alen >= sizeof(addr))
		return error_set(err, POCDIR_ERR_USAGE, "%s: not an IPv4 or IPv6 address", text);
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, bin) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, bin) == 1)
		family = AF_INET6;
	else
		return error_set(err, POCDIR_ERR_USAGE, "%s: not an IPv4 or IPv6 address", text);
	if (slash != NULL) {
		char *end;
		long l = strtol(slash + 1, &end, 10);
		int width = family == AF_INET ? 32 : 128;

		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || l < 0 || l > width)
			return error_set(err, POCDIR_ERR_USAGE, "%s: prefix length must be 0 to %d",
			                 text, width);
		bits = (int)l;
		for (int b = bits; b < width; b++)
			if (bin[b / 8] & (0x80 >> (b % 8)))
				return error_set(err, POCDIR_ERR_USAGE,
				                 "%s: bits are set past the /%d prefix length",
				                 text, bits);
	}
	inet_ntop(family, bin, canon, sizeof(canon));
	if (bits >= 0)
		snprintf(out->value, sizeof(out->value), "%s/%d", canon, bits);
	else
		snprintf(out->value, sizeof(out->value), "%s", canon);
	out->type = family == AF_INET ? (bits >= 0 ? POCDIR_IOC_IPV4_PREFIX : POCDIR_IOC_IPV4)
	                              : (bits >= 0 ? POCDIR_IOC_IPV6_PREFIX : POCDIR_IOC_IPV6);
	return 0;
}

static int parse_url(const char *v, pocdir_ioc *out, const char *text, pocdir_error *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *full = NULL;
	CURLUcode rc;
	int ret = -1;

	if (u == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	/* RFC 3986 absolute URL, any scheme (indicators include odd ones). */
	rc = curl_url_set(u, CURLUPART_URL, v, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK)
		error_set(err, POCDIR_ERR_USAGE, "%s: not a URL (%s)", text, curl_url_strerror(rc));
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0')
		error_set(err, POCDIR_ERR_USAGE, "%s: a URL needs a host", text);
	else if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		error_set(err, POCDIR_ERR_USAGE, "%s: not a URL", text);
	else {
		snprintf(out->value, sizeof(out->value), "%s", full);
		out->type = POCDIR_IOC_URL;
		ret = 0;
	}
	curl_free(host);
	curl_free(full);
	curl_url_cleanup(u);
	return ret;
}

/* RFC 5322 3.4.1 addr-spec with a dot-atom local part. */
static int parse_email(const char *v, pocdir_ioc *out, const char *text, pocdir_error *err)
{
	const char *at = strrchr(v, '@'), *why;
	size_t local = at != NULL ? (size_t)(at - v) : 0;

	if (at == NULL || local == 0 || local > 64)
		return error_set(err, POCDIR_ERR_USAGE, "%s: not an e-mail address (local@domain)",
		                 text);
	for (size_t i = 0; i < local; i++) {
		char c = v[i];

		if (!(isalnum((unsigned char)c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL) ||
		    (c == '.' && (i == 0 || i == local - 1 || v[i + 1] == '.')))
			return error_set(err, POCDIR_ERR_USAGE,
			                 "%s: the local part is not a dot-atom (RFC 5322 3.4.1)",
			                 text);
	}
	if ((why = domain_check(at + 1)) != NULL)
		return error_set(err, POCDIR_ERR_USAGE, "%s: bad domain: %s", text, why);
	snprintf(out->value, sizeof(out->value), "%s", v);
	lower(strrchr(out->value, '@'));
	out->type = POCDIR_IOC_EMAIL;
	return 0;
}

/* pocdir_ioc_parse into a struct of the library's version. */
static int ioc_parse(const char *text, pocdir_ioc *out, pocdir_error *err)
{
	static const struct {
		const char *name, *alg;
		size_t hex;
	} hashes[] = {{"md5", "MD5", 32},
	              {"sha1", "SHA-1", 40},
	              {"sha256", "SHA-256", 64},
	              {"sha512", "SHA-512", 128}};
	const char *colon, *v, *why;
	char type[16];
	size_t tl;

	error_clear(err);
	memset(out, 0, sizeof(*out));
	if (text == NULL || strlen(text) > IOC_MAX)
		return error_set(err, POCDIR_ERR_USAGE, "an indicator is at most %d bytes",
		                 IOC_MAX);
	colon = strchr(text, ':');
	tl = colon != NULL ? (size_t)(colon - text) : 0;
	if (colon == NULL || tl == 0 || tl >= sizeof(type))
		return error_set(
		    err, POCDIR_ERR_USAGE,
		    "%s: write an indicator as TYPE:VALUE (ip, domain, url, email, md5, "
		    "sha1, sha256, sha512 or malware)",
		    text);
	memcpy(type, text, tl);
	type[tl] = '\0';
	lower(type);
	v = colon + 1;
	if (*v == '\0')
		return error_set(err, POCDIR_ERR_USAGE, "%s: no value", text);
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return error_set(err, POCDIR_ERR_USAGE,
			                 "%s: control characters in the value", type);
	if (strcmp(type, "ip") == 0)
		return parse_ip(v, out, text, err);
	if (strcmp(type, "url") == 0)
		return parse_url(v, out, text, err);
	if (strcmp(type, "email") == 0)
		return parse_email(v, out, text, err);
	if (strcmp(type, "domain") == 0) {
		char d[260];

		snprintf(d, sizeof(d), "%s", v);
		if (strlen(d) > 1 && d[strlen(d) - 1] == '.')
			d[strlen(d) - 1] = '\0'; /* the root's dot */
		if ((why = domain_check(d)) != NULL)
			return error_set(err, POCDIR_ERR_USAGE, "%s: not a domain: %s", text, why);
		lower(d);
		snprintf(out->value, sizeof(out->value), "%s", d);
		out->type = POCDIR_IOC_DOMAIN;
		return 0;
	}
	if (strcmp(type, "malware") == 0) {
		if (strlen(v) > 128)
			return error_set(err, POCDIR_ERR_USAGE,
			                 "%s: a malware name is at most 128 "
			                 "bytes",
			                 type);
		snprintf(out->value, sizeof(out->value), "%s", v);
		out->type = POCDIR_IOC_MALWARE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		if (strcmp(type, hashes[i].name) != 0)
			continue;
		if (strlen(v) != hashes[i].hex ||
		    strspn(v, "0123456789abcdefABCDEF") != hashes[i].hex)
			return error_set(err, POCDIR_ERR_USAGE, "%s: a %s digest is %zu hex digits",
			                 text, hashes[i].alg, hashes[i].hex);
		snprintf(out->value, sizeof(out->value), "%s", v);
		lower(out->value);
		snprintf(out->hash, sizeof(out->hash), "%s", hashes[i].alg);
		out->type = POCDIR_IOC_HASH;
		return 0;
	}
	return error_set(err, POCDIR_ERR_USAGE,
	                 "%s: unknown indicator type \"%s\" (ip, domain, url, email, md5, sha1, "
	                 "sha256, sha512 or malware)",
	                 text, type);
}

int pocdir_ioc_parse(const char *text, pocdir_ioc *out, pocdir_error *err)
{
	pocdir_ioc full;
	int rc;

	memset(&full, 0, sizeof(full));
	rc = ioc_parse(text, &full, err);
	abi_out(out, &full, sizeof(full), ABI_IOC_V1);
	return rc;
}
