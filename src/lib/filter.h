/* filter.h - LDAP search filters (RFC 4511 4.5.1.7, RFC 4515): one BER
 * decoder for filters from the wire and from strings (which libldap turns into
 * BER first), and three-valued evaluation against an entry. */
#ifndef POCDIR_FILTER_H
#define POCDIR_FILTER_H

#include <lber.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "entry.h"
#include "pocdir.h"

/* RFC 4511 4.5.1.7: a filter item evaluates to TRUE, FALSE or Undefined. */
enum tri { TRI_FALSE = 0, TRI_TRUE = 1, TRI_UNDEFINED = 2 };

/* The ten Filter CHOICEs, by their BER tags. */
enum filter_choice {
	FILTER_AND = 0xa0,
	FILTER_OR = 0xa1,
	FILTER_NOT = 0xa2,
	FILTER_EQUALITY = 0xa3,
	FILTER_SUBSTRINGS = 0xa4,
	FILTER_GE = 0xa5,
	FILTER_LE = 0xa6,
	FILTER_PRESENT = 0x87,
	FILTER_APPROX = 0xa8,
	FILTER_EXTENSIBLE = 0xa9
};

struct filter {
	enum filter_choice choice;
	/* For item filters: the attribute, or NULL when pocdir does not know it
	 * (then the item is Undefined). attr_name is the description as the
	 * client wrote it (cut at a NUL byte, which makes it unknown). */
	const struct attr_type *attr;
	char *attr_name;
	/* RFC 4511 4.5.1.7: the item is Undefined whatever the entry: an
	 * attribute description or matching rule pocdir does not recognise, or
	 * an assertion value that is not of the rule's syntax. */
	bool undefined;
	/* RFC 4512 2.5: the description carries a language tag option
	 * (RFC 3866); pocdir's values carry none, so no value matches. */
	bool tagged;
	/* Attributes (bit 1 << attr_id) this item may not look at, set by
	 * filter_restrict where the item's type does not say it all: the
	 * typeless extensible form and the DN's values, and the subtypes of a
	 * supertype, would otherwise reach them. */
	uint64_t hidden;
	union {
		struct { /* AND, OR */
			struct filter **children;
			size_t count;
		} set;
		struct filter * not ; /* NOT */
		struct {              /* EQUALITY, GE, LE, APPROX */
			char *value;  /* as sent; may hold NUL bytes */
			size_t len;
			char *norm; /* prepared; NULL when the value does not prepare */
		} ava;
		struct { /* SUBSTRINGS, all normalised; initial/final may be NULL */
			char *initial;
			char **any;
			size_t nany;
			char *final;
		} sub;
		struct {                           /* EXTENSIBLE */
			char *rule;                /* matchingRule or NULL */
			const struct attr_rule *r; /* the rule, when it is known */
			char *value;               /* as sent; may hold NUL bytes */
			size_t len;
			char *norm; /* prepared with the rule, or the type's equality */
			bool dn_attributes;
		} ext;
	} u;
};

/* Limits on a filter taken from outside. */
struct filter_limits {
	unsigned max_depth; /* nesting of AND/OR/NOT */
	unsigned max_nodes; /* filter items and sets, in all */
	size_t max_value;   /* bytes of one assertion value */
};

#define FILTER_DEFAULT_LIMITS                                                                      \
	{                                                                                          \
		.max_depth = 64, .max_nodes = 4096, .max_value = 4096                              \
	}

/* Decode the next Filter element of ber. Returns a filter to free with
 * filter_free, or NULL with err set (POCDIR_ERR_FILTER for bad encoding,
 * POCDIR_ERR_LIMIT for an exceeded limit). */
struct filter *filter_from_ber(BerElement *ber, const struct filter_limits *limits,
                               pocdir_error *err);

/* Parse an RFC 4515 string with libldap (ldap_create_assertion_control_value
 * makes the BER an LDAP client would send) and decode it with filter_from_ber. */
struct filter *filter_parse(const char *text, const struct filter_limits *limits,
                            pocdir_error *err);

void filter_free(struct filter **f);

/* Make the attributes marked in hidden (indexed by attr_id) invisible to f,
 * for a client that may not read them, on every evaluation path: an item
 * that names one evaluates as for a type the server does not know (RFC 4511
 * 4.5.1.7: Undefined), and an extensible match without a
 * type, or over the DN's values (dnAttributes), skips them. So no answer,
 * count, limit or candidate list depends on their values. Applying it again
 * with other attributes hides those too; nothing is made visible again. */
void filter_restrict(struct filter *f, const bool hidden[ATTR_COUNT]);

/* Evaluate f against e. Pure and safe from many threads; allocates only
 * to prepare a long value under a rule other than its attribute's. */
enum tri filter_eval(const struct filter *f, const entry_t *e);

/* Render f back as an RFC 4515 string into buf (for logs); returns buf. */
char *filter_to_string(const struct filter *f, char *buf, size_t size);

#endif /* POCDIR_FILTER_H */
