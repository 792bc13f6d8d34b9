/* dn.c - DN normal forms through libldap's parser, see dn.h. */
#include "config.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "util.h"

char *dn_fold(char *s)
{
	for (char *p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

char *dn_pretty(const char *dn, size_t len)
{
	struct berval bv;
	LDAPDN parsed = NULL;
	char *text = NULL, *out;

	if (dn == NULL || len > DN_MAX_LEN)
		return NULL;
	if (len == 0)
		return str_dup("");
	bv.bv_val = (char *)dn;
	bv.bv_len = len;
	/* RFC 4514 3: the string form is parsed into RDNs and written back, so
	 * spacing, escapes ("\2C" or "\,") and quoting no longer matter. */
	if (ldap_bv2dn(&bv, &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
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

char *dn_normalize(const char *dn, size_t len)
{
	return dn_fold(dn_pretty(dn, len));
}
