/* dn.c - DN normal forms through libldap's parser, see dn.h. */
#include "config.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dn.h"
#include "util.h"

char *dn_fold(char *s)
{
	for (char *p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* ldap_bv2dn on the len bytes of dn (at most DN_MAX_LEN), through copy:
 * libldap reads the byte after the length (valgrind), and a DN straight
 * from a BER buffer has no NUL there. The parsed DN may point into copy. */
static int dn_parse(const char *dn, size_t len, char copy[DN_MAX_LEN + 1], LDAPDN *out)
{
	struct berval bv = {.bv_len = len, .bv_val = copy};

	memcpy(copy, dn, len);
	copy[len] = '\0';
	return ldap_bv2dn(&bv, out, LDAP_DN_FORMAT_LDAP) == LDAP_SUCCESS ? 0 : -1;
}

char *dn_pretty(const char *dn, size_t len)
{
	LDAPDN parsed = NULL;
	char *text = NULL, *out, copy[DN_MAX_LEN + 1];

	if (dn == NULL || len > DN_MAX_LEN)
		return NULL;
	if (len == 0)
		return str_dup("");
	/* RFC 4514 3: the string form is parsed into RDNs and written back, so
	 * spacing, escapes ("\2C" or "\,") and quoting no longer matter. */
	if (dn_parse(dn, len, copy, &parsed) == -1)
		return NULL;
	if (parsed == NULL) {
		out = str_dup("");
	} else if (ldap_dn2str(parsed, &text, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	           text == NULL) {
		out = NULL;
	} else {
		out = str_dup(text);
	}
	if (text != NULL)
		ldap_memfree(text);
	if (parsed != NULL)
		ldap_dnfree(parsed);
	return out;
}

/* The canonical name of a naming attribute type: RFC 4517 4.2.15
 * distinguishedNameMatch compares types, not their spellings, so
 * countryName=, 2.5.4.6= and C= are all c= (and domainComponent= is dc=).
 * *rule is the type's equality rule, for its value. NULL for a type the
 * attribute table does not know. */
static const char *dn_type(const struct berval *type, enum attr_match *rule)
{
	const struct attr_type *t = attr_lookup(type->bv_val, type->bv_len);

	if (t != NULL) {
		*rule = t->equality != MATCH_NONE ? t->equality : MATCH_CASE_IGNORE;
		return t->name;
	}
	*rule = MATCH_CASE_IGNORE;
	return NULL;
}

/* Each AVA's type by its canonical name and its value prepared with the
 * type's equality rule (RFC 4518, as attribute values are), then written in
 * RFC 4514 form and ASCII folded. libldap's own strings are put back before
 * it frees the parsed DN. */
char *dn_normalize(const char *dn, size_t len)
{
	LDAPDN ldn = NULL;
	char *text = NULL, *out = NULL, copy[DN_MAX_LEN + 1];
	struct berval *saved = NULL;
	char **bufs = NULL;
	size_t n = 0, k = 0;
	bool ok = true;

	if (dn == NULL || len > DN_MAX_LEN)
		return NULL;
	if (len == 0)
		return str_dup("");
	if (dn_parse(dn, len, copy, &ldn) == -1)
		return NULL;
	if (ldn == NULL)
		return str_dup("");
	for (size_t i = 0; ldn[i] != NULL; i++)
		for (size_t j = 0; ldn[i][j] != NULL; j++)
			n++;
	saved = calloc(2 * n + 1, sizeof(*saved));
	bufs = calloc(2 * n + 1, sizeof(*bufs));
	if (saved == NULL || bufs == NULL)
		goto fail;
	for (size_t i = 0; ldn[i] != NULL; i++) {
		for (size_t j = 0; ldn[i][j] != NULL; j++) {
			LDAPAVA *ava = ldn[i][j];
			enum attr_match rule;
			const char *name = dn_type(&ava->la_attr, &rule);
			char *type = name != NULL
			                 ? str_dup(name)
			                 : str_ndup(ava->la_attr.bv_val, ava->la_attr.bv_len);
			char *value = NULL;
			bool invalid = false;

			saved[2 * k] = ava->la_attr;
			saved[2 * k + 1] = ava->la_value;
			bufs[2 * k] = type;
			k++;
			if (type == NULL)
				goto fail;
			ava->la_attr.bv_val = type;
			ava->la_attr.bv_len = strlen(type);
			if (ava->la_flags & LDAP_AVA_BINARY)
				continue; /* "#" and hex BER: compared as given */
			value = attr_normalize(rule, ava->la_value.bv_val, ava->la_value.bv_len,
			                       &invalid);
			if (value == NULL && invalid) /* kept as written, folded below */
				value = str_ndup(ava->la_value.bv_val, ava->la_value.bv_len);
			bufs[2 * k - 1] = value;
			if (value == NULL)
				goto fail;
			ava->la_value.bv_val = value;
			ava->la_value.bv_len = strlen(value);
		}
	}
	if (ldap_dn2str(ldn, &text, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || text == NULL)
		goto fail;
	out = dn_fold(str_dup(text));
	goto done;
fail:
	ok = false;
done:
	for (size_t m = 0, i = 0; ldn[i] != NULL; i++)
		for (size_t j = 0; ldn[i][j] != NULL && m < k; j++, m++) {
			ldn[i][j]->la_attr = saved[2 * m];
			ldn[i][j]->la_value = saved[2 * m + 1];
		}
	ldap_dnfree(ldn);
	for (size_t m = 0; bufs != NULL && m < 2 * n; m++)
		free(bufs[m]);
	free(bufs);
	free(saved);
	if (text != NULL)
		ldap_memfree(text);
	return ok ? out : NULL;
}
