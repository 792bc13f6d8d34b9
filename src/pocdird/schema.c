/* schema.c - the subschema subentry (RFC 4512 4.2) and contrib/pocdir.schema,
 * both generated from the attribute table in attr.h so that what pocdird
 * serves and what slapd loads cannot drift apart. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pocdird.h"
#include "util.h"

#define SYN_DSTRING "1.3.6.1.4.1.1466.115.121.1.15"
#define SYN_IA5 "1.3.6.1.4.1.1466.115.121.1.26"
#define SYN_OID "1.3.6.1.4.1.1466.115.121.1.38"
#define SYN_DN "1.3.6.1.4.1.1466.115.121.1.12"
#define SYN_BOOLEAN "1.3.6.1.4.1.1466.115.121.1.7"
#define SYN_INTEGER "1.3.6.1.4.1.1466.115.121.1.27"

/* RFC 4517 3.3 and RFC 4512 4.1: the syntaxes named in the table or below. */
static const struct {
	const char *oid, *desc;
} syntaxes[] = {
    {"1.3.6.1.4.1.1466.115.121.1.3", "Attribute Type Description"},
    {SYN_BOOLEAN, "Boolean"},
    {"1.3.6.1.4.1.1466.115.121.1.11", "Country String"},
    {SYN_DN, "DN"},
    {SYN_DSTRING, "Directory String"},
    {"1.3.6.1.4.1.1466.115.121.1.22", "Facsimile Telephone Number"},
    {SYN_IA5, "IA5 String"},
    {SYN_INTEGER, "INTEGER"},
    {"1.3.6.1.4.1.1466.115.121.1.30", "Matching Rule Description"},
    {"1.3.6.1.4.1.1466.115.121.1.37", "Object Class Description"},
    {SYN_OID, "OID"},
    {"1.3.6.1.4.1.1466.115.121.1.41", "Postal Address"},
    {"1.3.6.1.4.1.1466.115.121.1.50", "Telephone Number"},
    {"1.3.6.1.4.1.1466.115.121.1.54", "LDAP Syntax Description"},
    {"1.3.6.1.4.1.1466.115.121.1.58", "Substring Assertion"},
};

/* RFC 4517 4.2 (and RFC 4517 for the IA5 rules): the rules in use. */
static const struct {
	const char *oid, *name, *syntax;
} rules[] = {
    {"2.5.13.0", "objectIdentifierMatch", SYN_OID},
    {"2.5.13.1", "distinguishedNameMatch", SYN_DN},
    {"2.5.13.2", "caseIgnoreMatch", SYN_DSTRING},
    {"2.5.13.3", "caseIgnoreOrderingMatch", SYN_DSTRING},
    {"2.5.13.4", "caseIgnoreSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"},
    {"2.5.13.5", "caseExactMatch", SYN_DSTRING},
    {"2.5.13.6", "caseExactOrderingMatch", SYN_DSTRING},
    {"2.5.13.7", "caseExactSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"},
    {"2.5.13.11", "caseIgnoreListMatch", "1.3.6.1.4.1.1466.115.121.1.41"},
    {"2.5.13.12", "caseIgnoreListSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"},
    {"2.5.13.13", "booleanMatch", SYN_BOOLEAN},
    {"2.5.13.14", "integerMatch", SYN_INTEGER},
    {"2.5.13.15", "integerOrderingMatch", SYN_INTEGER},
    {"2.5.13.20", "telephoneNumberMatch", "1.3.6.1.4.1.1466.115.121.1.50"},
    {"2.5.13.21", "telephoneNumberSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"},
    {"2.5.13.30", "objectIdentifierFirstComponentMatch", SYN_OID},
    {"1.3.6.1.4.1.1466.109.114.1", "caseExactIA5Match", SYN_IA5},
    {"1.3.6.1.4.1.1466.109.114.2", "caseIgnoreIA5Match", SYN_IA5},
    {"1.3.6.1.4.1.1466.109.114.3", "caseIgnoreIA5SubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"},
};

/* Attribute types of the subschema and the root DSE only (RFC 4512 4.2,
 * 5.1; RFC 3045): no contact or tree entry holds them, so they are not in
 * the attribute table. */
static const char *const extra_types[] = {
    "( 2.5.21.5 NAME 'attributeTypes' EQUALITY objectIdentifierFirstComponentMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.3 USAGE directoryOperation )",
    "( 2.5.21.6 NAME 'objectClasses' EQUALITY objectIdentifierFirstComponentMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.37 USAGE directoryOperation )",
    "( 2.5.21.4 NAME 'matchingRules' EQUALITY objectIdentifierFirstComponentMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.30 USAGE directoryOperation )",
    "( 1.3.6.1.4.1.1466.101.120.16 NAME 'ldapSyntaxes' "
    "EQUALITY objectIdentifierFirstComponentMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.54 USAGE directoryOperation )",
    "( 1.3.6.1.4.1.1466.101.120.5 NAME 'namingContexts' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 USAGE dSAOperation )",
    "( 1.3.6.1.4.1.1466.101.120.13 NAME 'supportedControl' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 USAGE dSAOperation )",
    "( 1.3.6.1.4.1.1466.101.120.7 NAME 'supportedExtension' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 USAGE dSAOperation )",
    "( 1.3.6.1.4.1.4203.1.3.5 NAME 'supportedFeatures' EQUALITY objectIdentifierMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 USAGE dSAOperation )",
    "( 1.3.6.1.4.1.1466.101.120.15 NAME 'supportedLDAPVersion' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 USAGE dSAOperation )",
    "( 1.3.6.1.4.1.1466.101.120.14 NAME 'supportedSASLMechanisms' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 USAGE dSAOperation )",
    "( 1.3.6.1.1.4 NAME 'vendorName' EQUALITY caseExactIA5Match "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE NO-USER-MODIFICATION "
    "USAGE dSAOperation )",
    "( 1.3.6.1.1.5 NAME 'vendorVersion' EQUALITY caseExactIA5Match "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE NO-USER-MODIFICATION "
    "USAGE dSAOperation )",
};

/* Standard object classes as RFC 4519, RFC 2798 and RFC 4512 define them,
 * with MAY lists cut to the attributes pocdird serves. */
static const char *const standard_classes[] = {
    "( 2.5.6.0 NAME 'top' DESC 'top of the superclass chain' ABSTRACT MUST objectClass )",
    "( 2.5.6.6 NAME 'person' DESC 'RFC 4519: a person' SUP top STRUCTURAL "
    "MUST ( sn $ cn ) MAY ( telephoneNumber $ description ) )",
    "( 2.5.6.7 NAME 'organizationalPerson' DESC 'RFC 4519: an organizational person' "
    "SUP person STRUCTURAL MAY ( title $ telephoneNumber $ facsimileTelephoneNumber $ "
    "postalAddress ) )",
    "( 2.16.840.1.113730.3.2.2 NAME 'inetOrgPerson' DESC 'RFC 2798: Internet "
    "Organizational Person' SUP organizationalPerson STRUCTURAL MAY ( givenName $ "
    "labeledURI $ mail $ mobile $ o $ uid $ preferredLanguage ) )",
    "( 2.5.6.2 NAME 'country' DESC 'RFC 4519: a country' SUP top STRUCTURAL MUST c "
    "MAY description )",
    "( 2.5.6.4 NAME 'organization' DESC 'RFC 4519: an organization' SUP top STRUCTURAL "
    "MUST o MAY ( description $ telephoneNumber $ facsimileTelephoneNumber $ "
    "postalAddress ) )",
    "( 1.3.6.1.4.1.1466.344 NAME 'dcObject' DESC 'RFC 4519: domain component object' "
    "SUP top AUXILIARY MUST dc )",
    "( 2.5.17.0 NAME 'subentry' DESC 'RFC 3672: subentry' SUP top STRUCTURAL MUST cn )",
    "( 2.5.20.1 NAME 'subschema' DESC 'RFC 4512: controlling subschema (sub)entry' "
    "AUXILIARY MAY ( ldapSyntaxes $ attributeTypes $ objectClasses $ matchingRules ) )",
};

/* What inetOrgPerson and its superclasses already allow; everything else a
 * contact carries goes into pocContact's MAY list. */
static bool in_person_chain(enum attr_id id)
{
	switch (id) {
	case ATTR_OBJECTCLASS:
	case ATTR_CN:
	case ATTR_SN:
	case ATTR_DESCRIPTION:
	case ATTR_TELEPHONE:
	case ATTR_TITLE:
	case ATTR_FAX:
	case ATTR_POSTAL:
	case ATTR_GIVENNAME:
	case ATTR_URI:
	case ATTR_MAIL:
	case ATTR_MOBILE:
	case ATTR_O:
	case ATTR_UID:
	case ATTR_PREFLANG:
		return true;
	default:
		return false;
	}
}

/* The attribute's EQUALITY, ORDERING or SUBSTR rule from the one rule
 * table of the matching layer (attr.c), by name. */
static const char *rule_for(const struct attr_type *t, bool ordering, bool substrings)
{
	const struct attr_rule *r;

	if (t->equality == MATCH_NONE || (ordering && !t->ordering) ||
	    (substrings && !t->substrings))
		return NULL;
	for (size_t i = 0; (r = attr_rule_at(i)) != NULL; i++)
		if (r->match == t->equality && r->ordering == ordering &&
		    r->substrings == substrings)
			return r->name;
	return NULL;
}

static const char *equality_rule(const struct attr_type *t)
{
	return rule_for(t, false, false);
}

static const char *ordering_rule(const struct attr_type *t)
{
	return rule_for(t, true, false);
}

static const char *substrings_rule(const struct attr_type *t)
{
	return rule_for(t, false, true);
}

/* One AttributeTypeDescription (RFC 4512 4.1.2); sep goes between fields
 * (" " for the subschema, "\n\t" for a .schema file). Caller frees. */
static char *attribute_description(const struct attr_type *t, const char *sep)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *r;

	if (f == NULL)
		return NULL;
	if (t->alias != NULL)
		fprintf(f, "( %s%sNAME ( '%s' '%s' )", t->oid, sep, t->name, t->alias);
	else
		fprintf(f, "( %s%sNAME '%s'", t->oid, sep, t->name);
	/* RFC 4512 4.1: a qdstring escapes the quote and backslash as \27, \5C. */
	fprintf(f, "%sDESC '", sep);
	for (const char *d = t->description; *d != '\0'; d++)
		if (*d == '\'')
			fputs("\\27", f);
		else if (*d == '\\')
			fputs("\\5C", f);
		else
			fputc(*d, f);
	fputc('\'', f);
	if ((r = equality_rule(t)) != NULL)
		fprintf(f, "%sEQUALITY %s", sep, r);
	if ((r = ordering_rule(t)) != NULL)
		fprintf(f, "%sORDERING %s", sep, r);
	if ((r = substrings_rule(t)) != NULL)
		fprintf(f, "%sSUBSTR %s", sep, r);
	fprintf(f, "%sSYNTAX %s", sep, t->syntax);
	if (t->single_value)
		fprintf(f, "%sSINGLE-VALUE", sep);
	if (t->operational)
		fprintf(f, "%sNO-USER-MODIFICATION%sUSAGE directoryOperation", sep, sep);
	fprintf(f, " )");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static char *contact_class_description(const char *sep)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *dollar = "";

	if (f == NULL)
		return NULL;
	fprintf(f,
	        "( %s.2.1%sNAME 'pocContact'%sDESC 'point of contact for ICT-security "
	        "incidents (pocdir)'%sSUP top AUXILIARY%sMAY ( ",
	        POCDIR_OID_ARC, sep, sep, sep, sep);
	for (int i = 0; i < ATTR_COUNT; i++) {
		const struct attr_type *t = attr_by_id((enum attr_id)i);

		if (in_person_chain(t->id) || t->operational || t->tree)
			continue;
		fprintf(f, "%s%s", dollar, t->name);
		dollar = " $ ";
	}
	fprintf(f, " ) )");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the subentry ---- */

#define N_TYPES (ATTR_COUNT + sizeof(extra_types) / sizeof(extra_types[0]))
#define N_CLASSES (sizeof(standard_classes) / sizeof(standard_classes[0]) + 1)
#define N_SYNTAXES (sizeof(syntaxes) / sizeof(syntaxes[0]))
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static char *types[N_TYPES];
static char *classes[N_CLASSES];
static char *syntax_values[N_SYNTAXES];
static char *rule_values[N_RULES];
static struct special_attr subschema[8];
static const char *const subschema_classes[] = {"top", "subentry", "subschema"};
static const char *const subschema_cn[] = {"Subschema"};

void schema_free(void)
{
	for (size_t i = 0; i < ATTR_COUNT; i++) {
		free(types[i]);
		types[i] = NULL;
	}
	free(classes[N_CLASSES - 1]);
	classes[N_CLASSES - 1] = NULL;
	for (size_t i = 0; i < N_SYNTAXES; i++) {
		free(syntax_values[i]);
		syntax_values[i] = NULL;
	}
	for (size_t i = 0; i < N_RULES; i++) {
		free(rule_values[i]);
		rule_values[i] = NULL;
	}
}

int schema_init(void)
{
	size_t n = 0;

	for (int i = 0; i < ATTR_COUNT; i++)
		if ((types[n++] = attribute_description(attr_by_id((enum attr_id)i), " ")) == NULL)
			goto fail;
	for (size_t i = 0; i < sizeof(extra_types) / sizeof(extra_types[0]); i++)
		types[n++] = (char *)extra_types[i];
	for (size_t i = 0; i < N_CLASSES - 1; i++)
		classes[i] = (char *)standard_classes[i];
	if ((classes[N_CLASSES - 1] = contact_class_description(" ")) == NULL)
		goto fail;
	for (size_t i = 0; i < N_SYNTAXES; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "( %s DESC '%s' )", syntaxes[i].oid, syntaxes[i].desc);
		if ((syntax_values[i] = str_dup(buf)) == NULL)
			goto fail;
	}
	for (size_t i = 0; i < N_RULES; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "( %s NAME '%s' SYNTAX %s )", rules[i].oid,
		         rules[i].name, rules[i].syntax);
		if ((rule_values[i] = str_dup(buf)) == NULL)
			goto fail;
	}
	subschema[0] = (struct special_attr){"objectClass", subschema_classes, 3, false};
	subschema[1] = (struct special_attr){"cn", subschema_cn, 1, false};
	subschema[2] = (struct special_attr){"ldapSyntaxes", (const char *const *)syntax_values,
	                                     N_SYNTAXES, true};
	subschema[3] =
	    (struct special_attr){"matchingRules", (const char *const *)rule_values, N_RULES, true};
	subschema[4] =
	    (struct special_attr){"attributeTypes", (const char *const *)types, N_TYPES, true};
	subschema[5] =
	    (struct special_attr){"objectClasses", (const char *const *)classes, N_CLASSES, true};
	subschema[6] = (struct special_attr){NULL, NULL, 0, false};
	return 0;
fail:
	schema_free();
	return -1;
}

const struct special_attr *schema_attrs(void)
{
	return subschema[0].name != NULL ? subschema : NULL;
}

int schema_print(FILE *out, bool ldif)
{
	const char *sep = ldif ? " " : "\n\t";
	char *s;

	if (ldif)
		fprintf(out,
		        "# pocdir.ldif - the pocContact schema for OpenLDAP's cn=config.\n"
		        "# Generated by `pocdird --print-schema=ldif`; load with\n"
		        "#   ldapadd -Y EXTERNAL -H ldapi:/// -f pocdir.ldif\n"
		        "# OIDs under %s (X.667 UUID arc, RFC 4122).\n"
		        "dn: cn=pocdir,cn=schema,cn=config\n"
		        "objectClass: olcSchemaConfig\n"
		        "cn: pocdir\n",
		        POCDIR_OID_ARC);
	else
		fprintf(out,
		        "# pocdir.schema - the pocContact schema for OpenLDAP slapd.\n"
		        "# Generated by `pocdird --print-schema`; needs core, cosine and\n"
		        "# inetorgperson. OIDs under %s\n"
		        "# (X.667 UUID arc, RFC 4122): .1.N attributes, .2.N object classes.\n",
		        POCDIR_OID_ARC);
	for (int i = 0; i < ATTR_COUNT; i++) {
		const struct attr_type *t = attr_by_id((enum attr_id)i);

		if (t->standard)
			continue;
		if ((s = attribute_description(t, sep)) == NULL)
			return -1;
		fprintf(out, ldif ? "olcAttributeTypes: %s\n" : "\nattributetype %s\n", s);
		free(s);
	}
	if ((s = contact_class_description(sep)) == NULL)
		return -1;
	fprintf(out, ldif ? "olcObjectClasses: %s\n" : "\nobjectclass %s\n", s);
	free(s);
	return ferror(out) ? -1 : 0;
}
