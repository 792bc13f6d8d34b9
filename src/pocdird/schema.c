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
    {"1.3.6.1.4.1.1466.115.121.1.5", "Binary"},
    {"1.3.6.1.4.1.1466.115.121.1.6", "Bit String"},
    {SYN_BOOLEAN, "Boolean"},
    {"1.3.6.1.4.1.1466.115.121.1.8", "Certificate"},
    {"1.3.6.1.4.1.1466.115.121.1.11", "Country String"},
    {SYN_DN, "DN"},
    {"1.3.6.1.4.1.1466.115.121.1.14", "Delivery Method"},
    {SYN_DSTRING, "Directory String"},
    {"1.3.6.1.4.1.1466.115.121.1.22", "Facsimile Telephone Number"},
    {"1.3.6.1.4.1.1466.115.121.1.23", "Fax"},
    {"1.3.6.1.4.1.1466.115.121.1.25", "Guide"},
    {SYN_IA5, "IA5 String"},
    {SYN_INTEGER, "INTEGER"},
    {"1.3.6.1.4.1.1466.115.121.1.28", "JPEG"},
    {"1.3.6.1.4.1.1466.115.121.1.30", "Matching Rule Description"},
    {"1.3.6.1.4.1.1466.115.121.1.31", "Matching Rule Use Description"},
    {"1.3.6.1.4.1.1466.115.121.1.37", "Object Class Description"},
    {"1.3.6.1.4.1.1466.115.121.1.36", "Numeric String"},
    {SYN_OID, "OID"},
    {"1.3.6.1.4.1.1466.115.121.1.40", "Octet String"},
    {"1.3.6.1.4.1.1466.115.121.1.41", "Postal Address"},
    {"1.3.6.1.4.1.1466.115.121.1.44", "Printable String"},
    {"1.3.6.1.4.1.1466.115.121.1.50", "Telephone Number"},
    {"1.3.6.1.4.1.1466.115.121.1.51", "Teletex Terminal Identifier"},
    {"1.3.6.1.4.1.1466.115.121.1.52", "Telex Number"},
    {"1.3.6.1.4.1.1466.115.121.1.54", "LDAP Syntax Description"},
    {"1.3.6.1.4.1.1466.115.121.1.58", "Substring Assertion"},
};

/* The rules filters use come from the matching layer's one rule table
 * (attr_rule_at); this one only serves the subschema's own types below,
 * which no filter evaluates (RFC 4517 4.2.27). */
#define FIRST_COMPONENT_RULE                                                                       \
	"( 2.5.13.30 NAME 'objectIdentifierFirstComponentMatch' SYNTAX " SYN_OID " )"
/* Rules only the standard types below name (RFC 4517 4.2): no attribute
 * pocdir serves uses them, so no filter evaluates them. */
static const char *const standard_only_rules[] = {
    "( 2.5.13.8 NAME 'numericStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )",
    "( 2.5.13.10 NAME 'numericStringSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
    "( 2.5.13.16 NAME 'bitStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.6 )",
    "( 2.5.13.17 NAME 'octetStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
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
    "( 2.5.21.8 NAME 'matchingRuleUse' EQUALITY objectIdentifierFirstComponentMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.31 USAGE directoryOperation )",
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

/* The standard attribute types of the classes below, as RFC 4512 (2.5.4.0),
 * RFC 4519, RFC 4524 (cosine), RFC 2798 (inetOrgPerson) and RFC 2079
 * (labeledURI) define them, with the alias names OpenLDAP's core, cosine
 * and inetorgperson schemas carry. Published unchanged, so a client that
 * checks names against the schema (python3-ldap3 does by default) knows
 * every attribute an address book asks for, served or not. */
#define DS "1.3.6.1.4.1.1466.115.121.1.15"
#define SUBSTR_CI "EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch"
static const char *const standard_types[] = {
    "( 2.5.4.0 NAME 'objectClass' EQUALITY objectIdentifierMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
    "( 2.5.4.41 NAME 'name' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )",
    "( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )",
    "( 2.5.4.42 NAME ( 'givenName' 'gn' ) SUP name )",
    "( 2.5.4.43 NAME 'initials' SUP name )",
    "( 2.5.4.12 NAME 'title' SUP name )",
    "( 2.5.4.10 NAME ( 'o' 'organizationName' ) SUP name )",
    "( 2.5.4.11 NAME ( 'ou' 'organizationalUnitName' ) SUP name )",
    "( 2.5.4.6 NAME ( 'c' 'countryName' ) SUP name SYNTAX 1.3.6.1.4.1.1466.115.121.1.11 "
    "SINGLE-VALUE )",
    "( 2.5.4.7 NAME ( 'l' 'localityName' ) SUP name )",
    "( 2.5.4.8 NAME ( 'st' 'stateOrProvinceName' ) SUP name )",
    "( 2.5.4.9 NAME ( 'street' 'streetAddress' ) " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.17 NAME 'postalCode' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.18 NAME 'postOfficeBox' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.19 NAME 'physicalDeliveryOfficeName' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.16 NAME 'postalAddress' EQUALITY caseIgnoreListMatch "
    "SUBSTR caseIgnoreListSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )",
    "( 2.5.4.26 NAME 'registeredAddress' SUP postalAddress "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )",
    "( 2.5.4.20 NAME 'telephoneNumber' EQUALITY telephoneNumberMatch "
    "SUBSTR telephoneNumberSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
    "( 2.5.4.23 NAME 'facsimileTelephoneNumber' SYNTAX 1.3.6.1.4.1.1466.115.121.1.22 )",
    "( 2.5.4.21 NAME 'telexNumber' SYNTAX 1.3.6.1.4.1.1466.115.121.1.52 )",
    "( 2.5.4.22 NAME 'teletexTerminalIdentifier' SYNTAX 1.3.6.1.4.1.1466.115.121.1.51 )",
    "( 2.5.4.24 NAME 'x121Address' EQUALITY numericStringMatch "
    "SUBSTR numericStringSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )",
    "( 2.5.4.25 NAME 'internationalISDNNumber' EQUALITY numericStringMatch "
    "SUBSTR numericStringSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )",
    "( 2.5.4.27 NAME 'destinationIndicator' " SUBSTR_CI " SYNTAX 1.3.6.1.4.1.1466.115.121.1.44 )",
    "( 2.5.4.28 NAME 'preferredDeliveryMethod' SYNTAX 1.3.6.1.4.1.1466.115.121.1.14 "
    "SINGLE-VALUE )",
    "( 2.5.4.13 NAME 'description' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.14 NAME 'searchGuide' SYNTAX 1.3.6.1.4.1.1466.115.121.1.25 )",
    "( 2.5.4.15 NAME 'businessCategory' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.5.4.49 NAME 'distinguishedName' EQUALITY distinguishedNameMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
    "( 2.5.4.34 NAME 'seeAlso' SUP distinguishedName )",
    "( 2.5.4.35 NAME 'userPassword' EQUALITY octetStringMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
    "( 2.5.4.36 NAME 'userCertificate' DESC 'X.509 user certificate, use ;binary' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.8 )",
    "( 2.5.4.45 NAME 'x500UniqueIdentifier' EQUALITY bitStringMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.6 )",
    "( 0.9.2342.19200300.100.1.1 NAME ( 'uid' 'userid' ) " SUBSTR_CI " SYNTAX " DS " )",
    "( 0.9.2342.19200300.100.1.3 NAME ( 'mail' 'rfc822Mailbox' ) EQUALITY caseIgnoreIA5Match "
    "SUBSTR caseIgnoreIA5SubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
    "( 0.9.2342.19200300.100.1.6 NAME 'roomNumber' " SUBSTR_CI " SYNTAX " DS " )",
    "( 0.9.2342.19200300.100.1.7 NAME 'photo' SYNTAX 1.3.6.1.4.1.1466.115.121.1.23 )",
    "( 0.9.2342.19200300.100.1.10 NAME 'manager' EQUALITY distinguishedNameMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
    "( 0.9.2342.19200300.100.1.20 NAME ( 'homePhone' 'homeTelephoneNumber' ) "
    "EQUALITY telephoneNumberMatch SUBSTR telephoneNumberSubstringsMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
    "( 0.9.2342.19200300.100.1.21 NAME 'secretary' EQUALITY distinguishedNameMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
    "( 0.9.2342.19200300.100.1.39 NAME 'homePostalAddress' EQUALITY caseIgnoreListMatch "
    "SUBSTR caseIgnoreListSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )",
    "( 0.9.2342.19200300.100.1.41 NAME ( 'mobile' 'mobileTelephoneNumber' ) "
    "EQUALITY telephoneNumberMatch SUBSTR telephoneNumberSubstringsMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
    "( 0.9.2342.19200300.100.1.42 NAME ( 'pager' 'pagerTelephoneNumber' ) "
    "EQUALITY telephoneNumberMatch SUBSTR telephoneNumberSubstringsMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
    "( 0.9.2342.19200300.100.1.55 NAME 'audio' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
    "( 0.9.2342.19200300.100.1.60 NAME 'jpegPhoto' SYNTAX 1.3.6.1.4.1.1466.115.121.1.28 )",
    "( 1.3.6.1.4.1.250.1.57 NAME 'labeledURI' DESC 'RFC 2079: Uniform Resource Identifier "
    "with optional label' EQUALITY caseExactMatch SYNTAX " DS " )",
    "( 2.16.840.1.113730.3.1.1 NAME 'carLicense' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.16.840.1.113730.3.1.2 NAME 'departmentNumber' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.16.840.1.113730.3.1.241 NAME 'displayName' " SUBSTR_CI " SYNTAX " DS " SINGLE-VALUE )",
    "( 2.16.840.1.113730.3.1.3 NAME 'employeeNumber' " SUBSTR_CI " SYNTAX " DS " SINGLE-VALUE )",
    "( 2.16.840.1.113730.3.1.4 NAME 'employeeType' " SUBSTR_CI " SYNTAX " DS " )",
    "( 2.16.840.1.113730.3.1.39 NAME 'preferredLanguage' " SUBSTR_CI " SYNTAX " DS
    " SINGLE-VALUE )",
    "( 2.16.840.1.113730.3.1.40 NAME 'userSMIMECertificate' "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.5 )",
    "( 2.16.840.1.113730.3.1.216 NAME 'userPKCS12' SYNTAX 1.3.6.1.4.1.1466.115.121.1.5 )",
};
#undef DS
#undef SUBSTR_CI

/* Standard object classes as RFC 4512, RFC 4519 and RFC 2798 define them,
 * unchanged: a client may add any of their attributes to a filter. */
static const char *const standard_classes[] = {
    "( 2.5.6.0 NAME 'top' ABSTRACT MUST objectClass )",
    "( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ "
    "telephoneNumber $ seeAlso $ description ) )",
    "( 2.5.6.7 NAME 'organizationalPerson' SUP person STRUCTURAL MAY ( title $ x121Address $ "
    "registeredAddress $ destinationIndicator $ preferredDeliveryMethod $ telexNumber $ "
    "teletexTerminalIdentifier $ telephoneNumber $ internationalISDNNumber $ "
    "facsimileTelephoneNumber $ street $ postOfficeBox $ postalCode $ postalAddress $ "
    "physicalDeliveryOfficeName $ ou $ st $ l ) )",
    "( 2.16.840.1.113730.3.2.2 NAME 'inetOrgPerson' SUP organizationalPerson STRUCTURAL "
    "MAY ( audio $ businessCategory $ carLicense $ departmentNumber $ displayName $ "
    "employeeNumber $ employeeType $ givenName $ homePhone $ homePostalAddress $ initials $ "
    "jpegPhoto $ labeledURI $ mail $ manager $ mobile $ o $ pager $ photo $ roomNumber $ "
    "secretary $ uid $ userCertificate $ x500uniqueIdentifier $ preferredLanguage $ "
    "userSMIMECertificate $ userPKCS12 ) )",
    "( 2.5.6.2 NAME 'country' SUP top STRUCTURAL MUST c MAY ( searchGuide $ description ) )",
    "( 2.5.6.4 NAME 'organization' SUP top STRUCTURAL MUST o MAY ( userPassword $ "
    "searchGuide $ seeAlso $ businessCategory $ x121Address $ registeredAddress $ "
    "destinationIndicator $ preferredDeliveryMethod $ telexNumber $ teletexTerminalIdentifier "
    "$ telephoneNumber $ internationalISDNNumber $ facsimileTelephoneNumber $ street $ "
    "postOfficeBox $ postalCode $ postalAddress $ physicalDeliveryOfficeName $ st $ l $ "
    "description ) )",
    "( 1.3.6.1.4.1.1466.344 NAME 'dcObject' SUP top AUXILIARY MUST dc )",
    "( 2.5.17.0 NAME 'subentry' DESC 'RFC 3672: subentry' SUP top STRUCTURAL MUST cn )",
    "( 2.5.20.1 NAME 'subschema' DESC 'RFC 4512: controlling subschema (sub)entry' "
    "AUXILIARY MAY ( ldapSyntaxes $ attributeTypes $ objectClasses $ matchingRules $ "
    "matchingRuleUse ) )",
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
	case ATTR_DISPLAYNAME:
	case ATTR_STREET:
	case ATTR_LOCALITY:
	case ATTR_REGION:
	case ATTR_POSTALCODE:
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
	if (attr_supertype(t) != NULL)
		fprintf(f, "%sSUP %s", sep, attr_supertype(t)->name);
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

/* Does standard_types define the type with this OID? */
static bool standard_defines(const char *oid)
{
	size_t len = strlen(oid);

	for (size_t i = 0; i < sizeof(standard_types) / sizeof(standard_types[0]); i++)
		if (strncmp(standard_types[i] + 2, oid, len) == 0 &&
		    standard_types[i][2 + len] == ' ')
			return true;
	return false;
}

/* ---- the subentry ---- */

#define N_STANDARD_TYPES (sizeof(standard_types) / sizeof(standard_types[0]))
#define N_TYPES (ATTR_ALL + N_STANDARD_TYPES + sizeof(extra_types) / sizeof(extra_types[0]))
#define N_CLASSES (sizeof(standard_classes) / sizeof(standard_classes[0]) + 1)
#define N_SYNTAXES (sizeof(syntaxes) / sizeof(syntaxes[0]))
#define MAX_RULES 64 /* room for the rule table and the one of the subschema */

static char *types[N_TYPES];
static size_t generated_end; /* types[N_STANDARD_TYPES..generated_end) are ours */
static char *classes[N_CLASSES];
static char *syntax_values[N_SYNTAXES];
static char *rule_values[MAX_RULES];
static size_t n_rules;
static char *rule_uses[MAX_RULES];
static size_t n_rule_uses;
static struct special_attr subschema[9];
static const char *const subschema_classes[] = {"top", "subentry", "subschema"};
static const char *const subschema_cn[] = {"Subschema"};

void schema_free(void)
{
	for (size_t i = N_STANDARD_TYPES; i < generated_end; i++) {
		free(types[i]);
		types[i] = NULL;
	}
	generated_end = 0;
	free(classes[N_CLASSES - 1]);
	classes[N_CLASSES - 1] = NULL;
	for (size_t i = 0; i < N_SYNTAXES; i++) {
		free(syntax_values[i]);
		syntax_values[i] = NULL;
	}
	for (size_t i = 0; i < n_rules; i++) {
		free(rule_values[i]);
		rule_values[i] = NULL;
	}
	n_rules = 0;
	for (size_t i = 0; i < n_rule_uses; i++) {
		free(rule_uses[i]);
		rule_uses[i] = NULL;
	}
	n_rule_uses = 0;
}

/* RFC 4512 4.1.4 MatchingRuleUseDescription: the types r may be applied
 * to in an extensible match, which are those attr_rule_applies lets the
 * evaluation apply it to. NULL with *none set when it applies to none.
 * Caller frees. */
static char *rule_use_description(const struct attr_rule *r, bool *none)
{
	char *out = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	*none = false;
	if ((f = open_memstream(&out, &len)) == NULL)
		return NULL;
	fprintf(f, "( %s NAME '%s' APPLIES ", r->oid, r->name);
	for (int pass = 0; pass < 2; pass++) {
		/* First count, then write: one type is written without ( ). */
		size_t k = 0;

		for (int i = 0; i < ATTR_ALL; i++) {
			const struct attr_type *t = attr_by_id((enum attr_id)i);

			if (!attr_rule_applies(r, t))
				continue;
			if (pass == 0) {
				n++;
				continue;
			}
			fprintf(f, "%s%s", k == 0 ? (n > 1 ? "( " : "") : " $ ", t->name);
			k++;
		}
	}
	fprintf(f, "%s )", n > 1 ? " )" : "");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	if (n == 0) {
		free(out);
		*none = true;
		return NULL;
	}
	return out;
}

int schema_init(void)
{
	const struct attr_rule *r;
	size_t n = 0;

	/* Standard attributes as their RFCs define them; the others (pocdir's
	 * own, and the operational ones) from the attribute table. */
	for (size_t i = 0; i < N_STANDARD_TYPES; i++)
		types[n++] = (char *)standard_types[i];
	for (int i = 0; i < ATTR_ALL; i++) {
		const struct attr_type *t = attr_by_id((enum attr_id)i);

		if (standard_defines(t->oid))
			continue;
		generated_end = n + 1;
		if ((types[n++] = attribute_description(t, " ")) == NULL)
			goto fail;
	}
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
	/* RFC 4512 4.1.3 and 4.1.4: the rules of the matching layer, and to
	 * which types each applies; substrings rules are not for extensible
	 * matches here (Undefined), so they have no use. */
	for (size_t i = 0; (r = attr_rule_at(i)) != NULL; i++) {
		char buf[256];
		bool none;

		if (n_rules + 1 >= MAX_RULES)
			goto fail;
		snprintf(buf, sizeof(buf), "( %s NAME '%s' SYNTAX %s )", r->oid, r->name,
		         r->syntax);
		if ((rule_values[n_rules++] = str_dup(buf)) == NULL)
			goto fail;
		if (r->substrings)
			continue;
		if ((rule_uses[n_rule_uses] = rule_use_description(r, &none)) != NULL)
			n_rule_uses++;
		else if (!none)
			goto fail;
	}
	if ((rule_values[n_rules++] = str_dup(FIRST_COMPONENT_RULE)) == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(standard_only_rules) / sizeof(standard_only_rules[0]); i++) {
		if (n_rules + 1 >= MAX_RULES)
			goto fail;
		if ((rule_values[n_rules++] = str_dup(standard_only_rules[i])) == NULL)
			goto fail;
	}
	subschema[0] = (struct special_attr){"objectClass", subschema_classes, 3, false};
	subschema[1] = (struct special_attr){"cn", subschema_cn, 1, false};
	subschema[2] = (struct special_attr){"ldapSyntaxes", (const char *const *)syntax_values,
	                                     N_SYNTAXES, true};
	subschema[3] =
	    (struct special_attr){"matchingRules", (const char *const *)rule_values, n_rules, true};
	subschema[4] = (struct special_attr){"matchingRuleUse", (const char *const *)rule_uses,
	                                     n_rule_uses, true};
	subschema[5] = (struct special_attr){"attributeTypes", (const char *const *)types, n, true};
	subschema[6] =
	    (struct special_attr){"objectClasses", (const char *const *)classes, N_CLASSES, true};
	subschema[7] = (struct special_attr){NULL, NULL, 0, false};
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
