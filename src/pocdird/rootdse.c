/* rootdse.c - the entries that are not contacts: the root DSE (RFC 4512
 * 5.1), the base entry of the naming context, and the small entries used to
 * evaluate filters against them and against the subschema subentry. */
#include "config.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pocdird.h"
#include "util.h"

/* A hand-built entry: objectClass and, for the base, o (and dc). Its
 * operational attributes come from entry_values, as a contact's do. */
struct special {
	entry_t entry;
	struct entry_attr attrs[3];
	const char *v[10]; /* each attribute's values, then their prepared forms */
	char *norm[5];     /* the prepared forms, to free */
	size_t nnorm;
};

static struct special *base_special, rootdse_special, subschema_special;
static bool statics_ready;
static char *base_for; /* the base DN base_special was built for */
static char *base_value;
static const char *base_classes_dc[] = {"top", "dcObject", "organization"};
static const char *base_classes_o[] = {"top", "organization"};
static const char *const rootdse_classes[] = {"top"};
static const char *const subschema_classes[] = {"top", "subentry", "subschema"};
static struct special_attr base_table[4];
static const char *base_value_list[1];

/* The prepared form of value v of type t, kept to free, or NULL. */
static const char *special_norm(struct special *sp, const struct attr_type *t, const char *v)
{
	char *norm = attr_normalize(t->equality, v, strlen(v), NULL);

	if (norm != NULL)
		sp->norm[sp->nnorm++] = norm;
	return norm;
}

/* Add attribute id with the one value v after the ones sp has (ids come in
 * ascending order, as entry_attr needs); k is the next free slot of sp->v. */
static int special_add(struct special *sp, enum attr_id id, const char *v, size_t *k)
{
	struct entry_attr *a = &sp->attrs[sp->entry.nattrs++];

	*a = (struct entry_attr){id, false, 1, &sp->v[*k]};
	sp->v[(*k)++] = v;
	sp->v[(*k)++] = special_norm(sp, attr_by_id(id), v);
	return sp->v[*k - 1] != NULL ? 0 : -1;
}

static int special_fill(struct special *sp, enum entry_kind kind, const char *dn,
                        const char *const *classes, size_t n, const char *o, bool dc)
{
	const struct attr_type *oc = attr_by_id(ATTR_OBJECTCLASS);
	size_t k;

	memset(sp, 0, sizeof(*sp));
	sp->entry.kind = kind;
	sp->entry.dn = (char *)dn;
	if ((sp->entry.dn_norm = dn_normalize(dn, strlen(dn))) == NULL)
		return -1;
	sp->entry.attrs = sp->attrs;
	sp->attrs[0] = (struct entry_attr){ATTR_OBJECTCLASS, false, (uint32_t)n, &sp->v[0]};
	for (k = 0; k < n; k++) {
		sp->v[k] = classes[k];
		if ((sp->v[n + k] = special_norm(sp, oc, classes[k])) == NULL)
			return -1;
	}
	k = 2 * n;
	sp->entry.nattrs = 1;
	if (o != NULL && special_add(sp, ATTR_O, o, &k) == -1)
		return -1;
	if (o != NULL && dc && special_add(sp, ATTR_DC, o, &k) == -1)
		return -1;
	return 0;
}

static void special_clear(struct special *sp)
{
	for (size_t i = 0; i < sp->nnorm; i++)
		free(sp->norm[i]);
	free(sp->entry.dn_norm);
	memset(sp, 0, sizeof(*sp));
}

void special_free(void)
{
	if (base_special != NULL) {
		special_clear(base_special);
		free(base_special);
		base_special = NULL;
	}
	if (statics_ready) {
		special_clear(&rootdse_special);
		special_clear(&subschema_special);
		statics_ready = false;
	}
	free(base_for);
	base_for = NULL;
	free(base_value);
	base_value = NULL;
}

static bool statics(void)
{
	if (statics_ready)
		return true;
	if (special_fill(&rootdse_special, ENTRY_ROOTDSE, "", rootdse_classes, 1, NULL, false) ==
	        -1 ||
	    special_fill(&subschema_special, ENTRY_SUBSCHEMA, SUBSCHEMA_DN, subschema_classes, 3,
	                 NULL, false) == -1) {
		special_clear(&rootdse_special);
		special_clear(&subschema_special);
		return false;
	}
	statics_ready = true;
	return true;
}

/* Build the base entry from the first RDN of base: dc=X gives a dcObject
 * organization named X, o=X an organization (RFC 4519, RFC 2247). */
static bool base_build(const char *base)
{
	LDAPDN dn = NULL;
	struct special *sp;
	bool is_dc;

	if (base_for != NULL && strcmp(base_for, base) == 0)
		return true;
	if (base_special != NULL) {
		special_clear(base_special);
		free(base_special);
		base_special = NULL;
	}
	free(base_for);
	free(base_value);
	base_for = base_value = NULL;
	if (ldap_str2dn(base, &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || dn == NULL ||
	    dn[0] == NULL || dn[0][0] == NULL)
		goto fail;
	is_dc =
	    dn[0][0]->la_attr.bv_len == 2 && strncasecmp(dn[0][0]->la_attr.bv_val, "dc", 2) == 0;
	base_value = str_ndup(dn[0][0]->la_value.bv_val, dn[0][0]->la_value.bv_len);
	base_for = str_dup(base);
	sp = calloc(1, sizeof(*sp));
	if (base_value == NULL || base_for == NULL || sp == NULL) {
		free(sp);
		goto fail;
	}
	base_special = sp;
	if (special_fill(sp, ENTRY_BASE, base_for, is_dc ? base_classes_dc : base_classes_o,
	                 is_dc ? 3 : 2, base_value, is_dc) == -1)
		goto fail;
	base_value_list[0] = base_value;
	base_table[0] = (struct special_attr){"objectClass", sp->v, is_dc ? 3 : 2, false};
	base_table[1] = (struct special_attr){"o", base_value_list, 1, false};
	base_table[2] = (struct special_attr){is_dc ? "dc" : NULL, base_value_list, 1, false};
	base_table[3] = (struct special_attr){NULL, NULL, 0, false};
	ldap_dnfree(dn);
	return true;
fail:
	if (dn != NULL)
		ldap_dnfree(dn);
	special_free();
	return false;
}

int special_check_base(const char *base)
{
	LDAPDN dn = NULL;
	int rc = -1;

	/* What base_build needs, without building: any thread may ask. */
	if (base != NULL && ldap_str2dn(base, &dn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
	    dn != NULL && dn[0] != NULL && dn[0][0] != NULL)
		rc = 0;
	if (dn != NULL)
		ldap_dnfree(dn);
	return rc;
}

const entry_t *special_base(const char *base, bool subordinates)
{
	if (!base_build(base))
		return NULL;
	base_special->entry.subordinates = subordinates;
	return &base_special->entry;
}

const struct special_attr *base_attrs(const char *base)
{
	return base_build(base) ? base_table : NULL;
}

const entry_t *special_rootdse(void)
{
	return statics() ? &rootdse_special.entry : NULL;
}

const entry_t *special_subschema(void)
{
	return statics() ? &subschema_special.entry : NULL;
}

const struct special_attr *rootdse_attrs(const char *base)
{
	static const char *const versions[] = {"3"};
	/* RFC 2696 paged results; RFC 3296 ManageDsaIT (nothing to manage). */
	static const char *const controls[] = {LDAP_CONTROL_PAGEDRESULTS, LDAP_CONTROL_MANAGEDSAIT,
	                                       LDAP_CONTROL_SYNC};
	/* RFC 4532 Who am I?; RFC 4511 4.14 StartTLS when a certificate is set. */
	static const char *const extensions[] = {LDAP_EXOP_WHO_AM_I, LDAP_EXOP_START_TLS};
	/* RFC 3673 all operational attributes ("+"); RFC 4526 (&) and (|). */
	static const char *const features[] = {LDAP_FEATURE_ALL_OP_ATTRS,
	                                       LDAP_FEATURE_ABSOLUTE_FILTERS};
	static const char *const vendor[] = {"pocdir project"};
	static const char *const version[] = {"pocdird " PACKAGE_VERSION};
	static const char *const subschema[] = {SUBSCHEMA_DN};
	static const char *contexts[1];
	static struct special_attr table[] = {
	    {"objectClass", rootdse_classes, 1, false},
	    {"namingContexts", contexts, 1, false},
	    {"subschemaSubentry", subschema, 1, false},
	    {"supportedLDAPVersion", versions, 1, false},
	    {"supportedControl", controls, 3, false},
	    {"supportedExtension", extensions, 1, false},
	    {"supportedFeatures", features, 2, false},
	    {"vendorName", vendor, 1, false},
	    {"vendorVersion", version, 1, false},
	    {NULL, NULL, 0, false},
	};

	contexts[0] = base;
	for (struct special_attr *a = table; a->name != NULL; a++)
		if (a->values == extensions)
			a->count = tls_configured() ? 2 : 1;
	return table;
}
