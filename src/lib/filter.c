/* filter.c - LDAP search filters: decode RFC 4511 Filter BER with liblber,
 * parse RFC 4515 strings through libldap, evaluate three-valued, render. */
#include "config.h"

#include <ldap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "util.h"

/* Whatever limits a caller configures, nesting never goes beyond this, so
 * that decoding, evaluation, rendering and freeing (all recursive) stay far
 * from the end of even a small thread stack. */
#define FILTER_DEPTH_CAP 256

/* A filter string is handed whole to libldap; longer ones are refused first. */
#define FILTER_TEXT_MAX (1024 * 1024)

/* How much of a bad filter string an error message quotes. */
#define FILTER_QUOTE_MAX 200

/* BER tags inside the Filter CHOICEs (RFC 4511 4.5.1). */
#define TAG_OCTETSTRING 0x04UL
#define TAG_SEQUENCE 0x30UL
#define TAG_SUB_INITIAL 0x80UL
#define TAG_SUB_ANY 0x81UL
#define TAG_SUB_FINAL 0x82UL
#define TAG_EXT_RULE 0x81UL
#define TAG_EXT_TYPE 0x82UL
#define TAG_EXT_VALUE 0x83UL
#define TAG_EXT_DN 0x84UL

/* ------------------------------------------------------------------ */
/* Decoding */

struct decoder {
	BerElement *ber;
	unsigned max_depth;
	unsigned max_nodes;
	size_t max_value;
	unsigned nodes;
	pocdir_error *err;
};

static int bad(struct decoder *d, const char *what)
{
	return error_set(d->err, POCDIR_ERR_FILTER, "bad filter encoding: %s", what);
}

static int nomem(struct decoder *d)
{
	return error_set(d->err, POCDIR_ERR_SYSTEM, "filter: out of memory");
}

/* Bytes left in ber: positions are measured from the end of the buffer,
 * the only way liblber exposes them. */
static ber_len_t remaining(BerElement *ber)
{
	ber_len_t rem = 0;

	ber_get_option(ber, LBER_OPT_BER_REMAINING_BYTES, &rem);
	return rem;
}

/* Enter the constructed element at the read position: skip its tag and
 * length and return, in *end, the remaining() value at its end. */
static int enter(struct decoder *d, ber_len_t *end, const char *what)
{
	ber_len_t len, rem;

	if (ber_skip_tag(d->ber, &len) == LBER_DEFAULT)
		return bad(d, what);
	rem = remaining(d->ber);
	if (len > rem) /* liblber checks this too; never trust a length */
		return bad(d, what);
	*end = rem - len;
	return 0;
}

/* A component must end inside the element that holds it. */
static int inside(struct decoder *d, ber_len_t end, const char *what)
{
	if (remaining(d->ber) < end)
		return bad(d, what);
	return 0;
}

/* And the element must be used up exactly. */
static int leave(struct decoder *d, ber_len_t end, const char *what)
{
	if (remaining(d->ber) != end)
		return bad(d, what);
	return 0;
}

/* Read a primitive element with tag want, of at most max_value bytes, as a
 * new NUL-terminated string of *len bytes (which may hold NUL bytes: RFC
 * 4512 1.4 counts U+0000 as UTF-8, and an assertion value is only checked
 * against its rule's syntax). */
static char *get_octets(struct decoder *d, ber_len_t end, ber_tag_t want, const char *what,
                        size_t *len_out)
{
	struct berval bv;
	ber_len_t len;
	ber_tag_t tag = ber_peek_tag(d->ber, &len);
	char *s;

	if (tag == LBER_DEFAULT) {
		error_set(d->err, POCDIR_ERR_FILTER, "bad filter encoding: %s is truncated", what);
		return NULL;
	}
	if (tag != want) {
		error_set(d->err, POCDIR_ERR_FILTER,
		          "bad filter encoding: expected %s (tag 0x%02lx), found tag 0x%02lx", what,
		          (unsigned long)want, (unsigned long)tag);
		return NULL;
	}
	if (len > d->max_value) {
		error_set(d->err, POCDIR_ERR_LIMIT,
		          "filter: %s of %lu bytes exceeds the limit of %zu bytes", what,
		          (unsigned long)len, d->max_value);
		return NULL;
	}
	if (ber_scanf(d->ber, "m", &bv) == LBER_ERROR || inside(d, end, what) == -1) {
		bad(d, what);
		return NULL;
	}
	if ((s = malloc(bv.bv_len + 1)) == NULL) {
		nomem(d);
		return NULL;
	}
	memcpy(s, bv.bv_val, bv.bv_len);
	s[bv.bv_len] = '\0';
	if (len_out != NULL)
		*len_out = bv.bv_len;
	return s;
}

/* As get_octets, for a name (attribute description, matching rule): one
 * with a NUL byte names nothing pocdir knows, so the item is Undefined. */
static char *get_string(struct decoder *d, struct filter *f, ber_len_t end, ber_tag_t want,
                        const char *what)
{
	size_t len;
	char *s = get_octets(d, end, want, what, &len);

	if (s != NULL && strlen(s) != len)
		f->undefined = true;
	return s;
}

/* RFC 3866 3: a language tag option, "lang-" and a tag or a range. */
static bool lang_option(const char *o, size_t len)
{
	if (len <= 5 || strncasecmp(o, "lang-", 5) != 0)
		return false;
	for (size_t i = 5; i < len; i++)
		if (!((o[i] >= 'a' && o[i] <= 'z') || (o[i] >= 'A' && o[i] <= 'Z') ||
		      (o[i] >= '0' && o[i] <= '9') || o[i] == '-'))
			return false;
	return true;
}

/* RFC 4512 2.5: an attribute description is a type and options. A type
 * may be given by name, alias or OID (attr_lookup resolves all three).
 * Language tag options (RFC 3866) are recognised: pocdir's values carry no
 * tag, so such a description has no values. RFC 4512 2.5.2: an option the
 * server does not recognise (";binary" on these syntaxes, ";x-foo") makes
 * the description unrecognised: the item is Undefined. */
static int set_attribute(struct decoder *d, struct filter *f, char *desc)
{
	size_t len = strcspn(desc, ";");
	const char *o = desc + len;

	f->attr_name = desc;
	if (len == 0)
		return bad(d, "empty attribute description");
	f->attr = attr_lookup_any(desc, len);
	while (*o == ';') {
		size_t olen = strcspn(o + 1, ";");

		if (lang_option(o + 1, olen))
			f->tagged = true;
		else
			f->attr = NULL;
		o += 1 + olen;
	}
	/* RFC 3866 2: which types take language tags is the server's choice;
	 * the operational attributes are the server's own and never tagged
	 * (slapd does not recognise them with a tag either). */
	if (f->tagged && f->attr != NULL && f->attr->operational)
		f->attr = NULL;
	if (f->attr == NULL)
		f->undefined = true;
	return 0;
}

static struct filter *decode(struct decoder *d, unsigned depth);

/* AND, OR: SET OF Filter; an empty set is absolute true or false (RFC 4526). */
static int decode_set(struct decoder *d, struct filter *f, unsigned depth)
{
	ber_len_t len, setlen, end;
	ber_tag_t tag;
	char *last = NULL;
	size_t cap = 0;

	if (depth + 1 > d->max_depth)
		return error_set(d->err, POCDIR_ERR_LIMIT, "filter: nests deeper than %u",
		                 d->max_depth);
	if (ber_peek_tag(d->ber, &setlen) == LBER_DEFAULT)
		return bad(d, "and/or set is truncated");
	tag = ber_first_element(d->ber, &len, &last);
	if (last == NULL || remaining(d->ber) < setlen)
		return bad(d, "and/or set");
	end = remaining(d->ber) - setlen;
	for (; tag != LBER_DEFAULT; tag = ber_next_element(d->ber, &len, last)) {
		struct filter *child;

		if (f->u.set.count == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct filter **n = realloc(f->u.set.children, ncap * sizeof(*n));

			if (n == NULL)
				return nomem(d);
			f->u.set.children = n;
			cap = ncap;
		}
		child = decode(d, depth + 1);
		if (child == NULL)
			return -1;
		f->u.set.children[f->u.set.count++] = child;
		if (inside(d, end, "and/or member overruns its set") == -1)
			return -1;
	}
	return leave(d, end, "and/or set");
}

static int decode_not(struct decoder *d, struct filter *f, unsigned depth)
{
	ber_len_t end;

	if (depth + 1 > d->max_depth)
		return error_set(d->err, POCDIR_ERR_LIMIT, "filter: nests deeper than %u",
		                 d->max_depth);
	if (enter(d, &end, "not") == -1)
		return -1;
	if (remaining(d->ber) == end)
		return bad(d, "empty not");
	f->u.not = decode(d, depth + 1);
	if (f->u.not == NULL)
		return -1;
	return leave(d, end, "not holds more than one filter");
}

/* AttributeValueAssertion: the assertion value is prepared once here with
 * the attribute's equality rule, so evaluation needs no allocation. */
static int decode_ava(struct decoder *d, struct filter *f)
{
	ber_len_t end;
	char *desc;
	bool invalid = false;

	if (enter(d, &end, "attribute value assertion") == -1)
		return -1;
	if ((desc = get_string(d, f, end, TAG_OCTETSTRING, "attribute description")) == NULL)
		return -1;
	if (set_attribute(d, f, desc) == -1)
		return -1;
	f->u.ava.value = get_octets(d, end, TAG_OCTETSTRING, "assertion value", &f->u.ava.len);
	if (f->u.ava.value == NULL)
		return -1;
	if (f->attr != NULL && f->attr->equality != MATCH_NONE) {
		f->u.ava.norm =
		    attr_normalize(f->attr->equality, f->u.ava.value, f->u.ava.len, &invalid);
		if (f->u.ava.norm == NULL && !invalid)
			return nomem(d);
		if (invalid) /* RFC 4511 4.5.1.7: not of the rule's syntax */
			f->undefined = true;
	}
	return leave(d, end, "attribute value assertion");
}

/* SubstringFilter (RFC 4511 4.5.1): initial at most once and first, final at
 * most once and last, at least one component. Each component counts as a
 * node against max_nodes, which bounds the any array. Components are
 * prepared with the attribute's rule, each as what it is (RFC 4518 2.6.1);
 * one that is not of the rule's syntax makes the item Undefined. */
static int decode_substrings(struct decoder *d, struct filter *f)
{
	ber_len_t end, len, seqlen, seqend;
	ber_tag_t tag;
	char *last = NULL, *desc, *v;
	size_t cap = 0, n = 0, vlen;
	bool prepare, invalid = false;

	if (enter(d, &end, "substrings") == -1)
		return -1;
	if ((desc = get_string(d, f, end, TAG_OCTETSTRING, "attribute description")) == NULL)
		return -1;
	if (set_attribute(d, f, desc) == -1)
		return -1;
	prepare = f->attr != NULL && f->attr->substrings && f->attr->equality != MATCH_NONE;
	tag = ber_peek_tag(d->ber, &seqlen);
	if (tag != TAG_SEQUENCE)
		return bad(d, "substrings: expected a SEQUENCE of components");
	ber_first_element(d->ber, &len, &last);
	if (last == NULL || remaining(d->ber) < seqlen)
		return bad(d, "substrings components");
	seqend = remaining(d->ber) - seqlen;
	if (seqend < end)
		return bad(d, "substrings components overrun the filter");
	if (seqlen == 0)
		return bad(d, "substrings without a component");
	for (tag = ber_peek_tag(d->ber, &len); remaining(d->ber) > seqend;
	     tag = ber_peek_tag(d->ber, &len), n++) {
		const char *what = tag == TAG_SUB_INITIAL ? "substrings initial"
		                   : tag == TAG_SUB_ANY   ? "substrings any"
		                                          : "substrings final";
		enum attr_prep kind = tag == TAG_SUB_INITIAL ? PREP_INITIAL
		                      : tag == TAG_SUB_ANY   ? PREP_ANY
		                                             : PREP_FINAL;

		if (++d->nodes > d->max_nodes)
			return error_set(d->err, POCDIR_ERR_LIMIT, "filter: more than %u items",
			                 d->max_nodes);
		if (tag != TAG_SUB_INITIAL && tag != TAG_SUB_ANY && tag != TAG_SUB_FINAL) {
			if (tag == LBER_DEFAULT)
				return bad(d, "substrings component is truncated");
			return bad(d, "substrings component has an unknown tag");
		}
		if (tag == TAG_SUB_INITIAL && n > 0)
			return bad(d, "substrings initial is not the first component");
		if (f->u.sub.final != NULL)
			return bad(d, "substrings final is not the last component");
		if ((v = get_octets(d, seqend, tag, what, &vlen)) == NULL)
			return -1;
		/* RFC 4517 3.3.30: every substring of a Substring Assertion is
		 * 1*substring-character, under every SUBSTR rule: an empty
		 * component is an invalid assertion value, Undefined (RFC 4511
		 * 4.5.1.7), not a protocol error: the BER is well formed. */
		if (vlen == 0)
			f->undefined = true;
		if (prepare) {
			char *nv = attr_prepare_dup(f->attr->equality, kind, v, vlen, &invalid);

			free(v);
			if (nv == NULL && !invalid)
				return nomem(d);
			if (nv == NULL) {
				f->undefined = true;
				if ((nv = str_dup("")) == NULL)
					return nomem(d);
			}
			v = nv;
		}
		if (tag == TAG_SUB_INITIAL) {
			f->u.sub.initial = v;
		} else if (tag == TAG_SUB_FINAL) {
			f->u.sub.final = v;
		} else {
			if (f->u.sub.nany == cap) {
				size_t ncap = cap ? cap * 2 : 4;
				char **a = realloc(f->u.sub.any, ncap * sizeof(*a));

				if (a == NULL) {
					free(v);
					return nomem(d);
				}
				f->u.sub.any = a;
				cap = ncap;
			}
			f->u.sub.any[f->u.sub.nany++] = v;
		}
	}
	if (leave(d, seqend, "substrings components") == -1)
		return -1;
	return leave(d, end, "substrings");
}

static int decode_present(struct decoder *d, struct filter *f)
{
	char *desc;

	/* A primitive element: whoever holds it checks that it ends inside. */
	if ((desc = get_string(d, f, 0, FILTER_PRESENT, "attribute description")) == NULL)
		return -1;
	return set_attribute(d, f, desc);
}

/* MatchingRuleAssertion (RFC 4511 4.5.1.7.7): matchingRule [1] OPTIONAL,
 * type [2] OPTIONAL, matchValue [3], dnAttributes [4] DEFAULT FALSE. The
 * match value is prepared with the rule, or the type's equality rule. */
static int decode_extensible(struct decoder *d, struct filter *f)
{
	ber_len_t end, len;
	ber_tag_t tag;
	bool undefined_name;

	if (enter(d, &end, "extensible match") == -1)
		return -1;
	tag = ber_peek_tag(d->ber, &len);
	if (tag == TAG_EXT_RULE) {
		f->u.ext.rule = get_string(d, f, end, TAG_EXT_RULE, "matching rule");
		if (f->u.ext.rule == NULL)
			return -1;
		if (f->u.ext.rule[0] == '\0')
			return bad(d, "empty matching rule");
		tag = ber_peek_tag(d->ber, &len);
	}
	if (tag == TAG_EXT_TYPE) {
		char *desc = get_string(d, f, end, TAG_EXT_TYPE, "attribute description");

		if (desc == NULL)
			return -1;
		undefined_name = f->undefined;
		if (set_attribute(d, f, desc) == -1)
			return -1;
		/* An unknown type leaves the DN's AVAs to match (dnAttributes):
		 * eval_extensible makes the attribute part Undefined. */
		f->undefined = undefined_name;
	}
	undefined_name = f->undefined;
	if (f->u.ext.rule == NULL && f->attr_name == NULL)
		return bad(d, "extensible match without a matching rule or a type");
	f->u.ext.value = get_octets(d, end, TAG_EXT_VALUE, "match value", &f->u.ext.len);
	if (f->u.ext.value == NULL)
		return -1;
	if (remaining(d->ber) > end) {
		ber_int_t b = 0;

		tag = ber_peek_tag(d->ber, &len);
		if (tag != TAG_EXT_DN || len != 1)
			return bad(d, "extensible match: expected dnAttributes BOOLEAN");
		if (ber_get_boolean(d->ber, &b) == LBER_ERROR)
			return bad(d, "extensible match dnAttributes");
		f->u.ext.dn_attributes = b != 0;
	}
	if (leave(d, end, "extensible match") == -1)
		return -1;
	/* RFC 4511 4.5.1.7.7: an unrecognised rule, a rule that does not
	 * apply to the type, or a value not of the rule's syntax: Undefined. */
	if (f->u.ext.rule != NULL && !undefined_name) {
		f->u.ext.r = attr_rule_lookup(f->u.ext.rule);
		if (f->u.ext.r == NULL || f->u.ext.r->substrings)
			f->undefined = true;
	}
	if (!f->undefined) {
		enum attr_match m = f->u.ext.r != NULL ? f->u.ext.r->match
		                    : f->attr != NULL  ? f->attr->equality
		                                       : MATCH_NONE;
		bool invalid = false;

		if (f->u.ext.r != NULL && f->attr != NULL &&
		    !attr_rule_applies(f->u.ext.r, f->attr))
			f->undefined = true;
		else if (m == MATCH_NONE && f->attr != NULL)
			f->undefined = true;
		else if (m == MATCH_NONE)
			; /* an unknown type: only the DN can match */
		else if ((f->u.ext.norm =
		              attr_normalize(m, f->u.ext.value, f->u.ext.len, &invalid)) == NULL) {
			if (!invalid)
				return nomem(d);
			f->undefined = true;
		}
	}
	return 0;
}

/* Decode one Filter. Depth is checked by the callers that recurse
 * (decode_set, decode_not) before they do, so a hostile nesting never gets
 * deeper than max_depth frames. */
static struct filter *decode(struct decoder *d, unsigned depth)
{
	ber_len_t len;
	ber_tag_t tag;
	struct filter *f;
	int rc;

	if (++d->nodes > d->max_nodes) {
		error_set(d->err, POCDIR_ERR_LIMIT, "filter: more than %u items", d->max_nodes);
		return NULL;
	}
	tag = ber_peek_tag(d->ber, &len);
	if (tag == LBER_DEFAULT) {
		bad(d, "filter element is truncated or malformed");
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		nomem(d);
		return NULL;
	}
	f->choice = (enum filter_choice)tag;
	switch (tag) {
	case FILTER_AND:
	case FILTER_OR:
		rc = decode_set(d, f, depth);
		break;
	case FILTER_NOT:
		rc = decode_not(d, f, depth);
		break;
	case FILTER_EQUALITY:
	case FILTER_GE:
	case FILTER_LE:
	case FILTER_APPROX:
		rc = decode_ava(d, f);
		break;
	case FILTER_SUBSTRINGS:
		rc = decode_substrings(d, f);
		break;
	case FILTER_PRESENT:
		rc = decode_present(d, f);
		break;
	case FILTER_EXTENSIBLE:
		rc = decode_extensible(d, f);
		break;
	default:
		free(f); /* nothing was allocated inside it yet */
		error_set(d->err, POCDIR_ERR_FILTER,
		          "bad filter encoding: unknown filter choice (tag 0x%02lx)",
		          (unsigned long)tag);
		return NULL;
	}
	if (rc == -1) {
		filter_free(&f);
		return NULL;
	}
	return f;
}

struct filter *filter_from_ber(BerElement *ber, const struct filter_limits *limits,
                               pocdir_error *err)
{
	static const struct filter_limits defaults = FILTER_DEFAULT_LIMITS;
	struct decoder d = {.ber = ber, .err = err};

	if (limits == NULL)
		limits = &defaults;
	d.max_depth = limits->max_depth < FILTER_DEPTH_CAP ? limits->max_depth : FILTER_DEPTH_CAP;
	d.max_nodes = limits->max_nodes;
	d.max_value = limits->max_value;
	if (ber == NULL) {
		error_set(err, POCDIR_ERR_FILTER, "bad filter encoding: no data");
		return NULL;
	}
	return decode(&d, 0);
}

/* ------------------------------------------------------------------ */
/* Strings */

/* The bytes attr_normalize treats as space (and libldap skips). */
static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Look at the string before libldap does: its filter parser recurses once
 * per parenthesis, so nesting is bounded here; and libldap reports only
 * "encoding error", so unbalanced parentheses get a better message. RFC 4515
 * 3: parentheses inside values are escaped (\28, \29), so counting the bare
 * ones bounds the nesting and the number of items. An item that starts
 * with '=' is refused here too: libldap 2.5's put_simple_filter reads the
 * byte before the '=' to look for '<', '>', '~' or ':', which for "(=x)" is
 * the byte before its buffer (found with valgrind). */
static int prescan(const char *text, size_t len, const struct filter_limits *limits,
                   const char **why, int *code, char *buf, size_t size)
{
	unsigned depth = 0, max_depth = 0, opens = 0;
	size_t outer_open = 0; /* where the outermost open '(' is */
	unsigned cap_depth =
	    limits->max_depth < FILTER_DEPTH_CAP ? limits->max_depth : FILTER_DEPTH_CAP;
	bool item_start = true;

	for (size_t i = 0; i < len; i++) {
		if (item_start && is_space(text[i]))
			continue;
		if (item_start && text[i] == '=') {
			*why = "attribute description missing";
			*code = POCDIR_ERR_FILTER;
			return -1;
		}
		item_start = false;
		if (text[i] == '\\' && i + 1 < len) {
			i++;
		} else if (text[i] == '(') {
			item_start = true;
			if (depth == 0)
				outer_open = i;
			depth++;
			opens++;
			if (depth > max_depth)
				max_depth = depth;
		} else if (text[i] == ')') {
			if (depth == 0) {
				snprintf(
				    buf, size,
				    "unbalanced parenthesis: the ')' at column %zu closes nothing",
				    i + 1);
				*why = buf;
				*code = POCDIR_ERR_FILTER;
				return -1;
			}
			depth--;
		}
		/* One level of parentheses belongs to the innermost item. */
		if (max_depth > cap_depth + 1) {
			*why = "nests too deep";
			*code = POCDIR_ERR_LIMIT;
			return -1;
		}
		if (opens > limits->max_nodes) {
			*why = "has too many items";
			*code = POCDIR_ERR_LIMIT;
			return -1;
		}
	}
	if (depth != 0) {
		snprintf(buf, size,
		         "unbalanced parenthesis: the '(' at column %zu is not closed (%u ')' "
		         "missing at the end)",
		         outer_open + 1, depth);
		*why = buf;
		*code = POCDIR_ERR_FILTER;
		return -1;
	}
	return 0;
}

static bool is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Why libldap refused text, said with the column, for a person fixing it:
 * the mistakes people make, checked in order; the generic sentence when
 * none of them is it. libldap parses; this only explains. */
static const char *diagnose(const char *text, size_t len, char *buf, size_t size)
{
	size_t i, depth = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\\') {
			if (i + 2 >= len || !is_hex_digit(text[i + 1]) ||
			    !is_hex_digit(text[i + 2])) {
				snprintf(
				    buf, size,
				    "bad escape at column %zu: '\\' starts two hex digits (RFC "
				    "4515 3), e.g. \\2a for '*', \\28 for '('",
				    i + 1);
				return buf;
			}
			i += 2;
		} else if (text[i] == '(') {
			size_t j = i + 1, end;
			bool eq = false;

			depth++;
			while (j < len && text[j] == ' ')
				j++;
			if (j < len && (text[j] == '&' || text[j] == '|' || text[j] == '!'))
				continue;
			/* An item: up to its ')' (escapes keep parentheses out). */
			for (end = j; end < len && text[end] != ')' && text[end] != '('; end++) {
				if (text[end] == '\\' && end + 1 < len)
					end++;
				else if (text[end] == '=')
					eq = true;
			}
			if (!eq && end < len && text[end] == ')') {
				snprintf(
				    buf, size,
				    "the item \"%.*s\" at column %zu has no '=': write "
				    "(attribute=value), e.g. (role=technical), (cn=kim*), (mail=*)",
				    (int)(end - i + 1 > 80 ? 80 : end - i + 1), text + i, i + 1);
				return buf;
			}
		} else if (text[i] == ')') {
			if (depth > 0 && --depth == 0) {
				size_t k = i + 1;

				while (k < len && text[k] == ' ')
					k++;
				if (k < len) {
					snprintf(buf, size,
					         "a second filter starts at column %zu: one filter "
					         "only, "
					         "combine them with (&...) or (|...)",
					         k + 1);
					return buf;
				}
			}
		}
	}
	return "not an RFC 4515 filter";
}

static int text_error(pocdir_error *err, int code, const char *text, size_t len, const char *why)
{
	return error_set(err, code, "%s filter \"%.*s%s\": %s",
	                 code == POCDIR_ERR_LIMIT ? "refused" : "bad",
	                 (int)(len > FILTER_QUOTE_MAX ? FILTER_QUOTE_MAX : len), text,
	                 len > FILTER_QUOTE_MAX ? "..." : "", why);
}

struct filter *filter_parse(const char *text, const struct filter_limits *limits, pocdir_error *err)
{
	static const struct filter_limits defaults = FILTER_DEFAULT_LIMITS;
	struct berval bv = {0, NULL};
	BerElement *ber = NULL;
	LDAP *ld = NULL;
	struct filter *f = NULL;
	char *copy = NULL;
	const char *why = NULL;
	char why_buf[256];
	size_t len;
	int rc, code = POCDIR_ERR_FILTER;

	if (limits == NULL)
		limits = &defaults;
	if (text == NULL) {
		error_set(err, POCDIR_ERR_FILTER, "bad filter: none given");
		return NULL;
	}
	len = strnlen(text, FILTER_TEXT_MAX + 1);
	if (len > FILTER_TEXT_MAX) {
		text_error(err, POCDIR_ERR_LIMIT, text, len, "longer than 1 MiB");
		return NULL;
	}
	if (len == 0) {
		text_error(err, POCDIR_ERR_FILTER, text, len, "empty filter");
		return NULL;
	}
	if (prescan(text, len, limits, &why, &code, why_buf, sizeof(why_buf)) == -1) {
		text_error(err, code, text, len, why);
		return NULL;
	}
	/* libldap wants a writable string; give it a copy. */
	if ((copy = str_dup(text)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "filter: out of memory");
		return NULL;
	}
	/* No connection is made: the handle only carries options. */
	if ((rc = ldap_initialize(&ld, NULL)) != LDAP_SUCCESS) {
		error_set(err, POCDIR_ERR_SYSTEM, "filter: ldap_initialize: %s",
		          ldap_err2string(rc));
		goto done;
	}
	/* RFC 4528: the assertion control's value is exactly the Filter BER. */
	rc = ldap_create_assertion_control_value(ld, copy, &bv);
	if (rc != LDAP_SUCCESS) {
		if (rc == LDAP_NO_MEMORY)
			error_set(err, POCDIR_ERR_SYSTEM, "filter: out of memory");
		else
			text_error(err, POCDIR_ERR_FILTER, text, len,
			           diagnose(text, len, why_buf, sizeof(why_buf)));
		goto done;
	}
	if ((ber = ber_init(&bv)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "filter: out of memory");
		goto done;
	}
	f = filter_from_ber(ber, limits, err);
	if (f == NULL) {
		if (err != NULL && err->code != POCDIR_ERR_SYSTEM) {
			char msg[sizeof(err->message)];
			const char *why_ber = strstr(err->message, ": ");

			/* Quote the filter instead of the decoder's prefix. */
			snprintf(msg, sizeof(msg), "%s",
			         why_ber != NULL ? why_ber + 2 : err->message);
			text_error(err, err->code, text, len, msg);
		}
		goto done;
	}
	if (remaining(ber) != 0) {
		filter_free(&f);
		text_error(err, POCDIR_ERR_FILTER, text, len, "trailing data after the filter");
	}
done:
	if (ber != NULL)
		ber_free(ber, 1);
	if (bv.bv_val != NULL)
		ber_memfree(bv.bv_val);
	if (ld != NULL)
		ldap_unbind_ext(ld, NULL, NULL);
	free(copy);
	return f;
}

void filter_free(struct filter **fp)
{
	struct filter *f;

	if (fp == NULL || *fp == NULL)
		return;
	f = *fp;
	switch (f->choice) {
	case FILTER_AND:
	case FILTER_OR:
		for (size_t i = 0; i < f->u.set.count; i++)
			filter_free(&f->u.set.children[i]);
		free(f->u.set.children);
		break;
	case FILTER_NOT:
		filter_free(&f->u.not );
		break;
	case FILTER_EQUALITY:
	case FILTER_GE:
	case FILTER_LE:
	case FILTER_APPROX:
		free(f->u.ava.value);
		free(f->u.ava.norm);
		break;
	case FILTER_SUBSTRINGS:
		free(f->u.sub.initial);
		for (size_t i = 0; i < f->u.sub.nany; i++)
			free(f->u.sub.any[i]);
		free(f->u.sub.any);
		free(f->u.sub.final);
		break;
	case FILTER_EXTENSIBLE:
		free(f->u.ext.rule);
		free(f->u.ext.value);
		free(f->u.ext.norm);
		break;
	case FILTER_PRESENT:
		break;
	}
	free(f->attr_name);
	free(f);
	*fp = NULL;
}

/* ------------------------------------------------------------------ */
/* Visibility */

_Static_assert(ATTR_COUNT <= 64, "filter_restrict keeps attribute ids in a 64-bit set");

static bool hidden_in(uint64_t set, const struct attr_type *t)
{
	return t != NULL && t->id < ATTR_COUNT && (set >> t->id & 1) != 0;
}

void filter_restrict(struct filter *f, const bool hidden[ATTR_COUNT])
{
	uint64_t set = 0;

	if (f == NULL)
		return;
	for (unsigned i = 0; i < ATTR_COUNT; i++)
		if (hidden[i])
			set |= (uint64_t)1 << i;
	switch (f->choice) {
	case FILTER_AND:
	case FILTER_OR:
		for (size_t i = 0; i < f->u.set.count; i++)
			filter_restrict(f->u.set.children[i], hidden);
		return;
	case FILTER_NOT:
		filter_restrict(f->u.not, hidden);
		return;
	case FILTER_EXTENSIBLE:
		f->hidden |= set;
		break;
	default:
		break;
	}
	/* RFC 4511 4.5.1.7: to this client the attribute does not exist;
	 * attr_name keeps what it wrote, for logs. */
	if (f->attr != NULL && f->attr->id >= ATTR_COUNT)
		f->hidden |= set; /* a supertype: its hidden subtypes */
	if (hidden_in(set, f->attr)) {
		f->attr = NULL;
		f->undefined = true;
	}
}

/* ------------------------------------------------------------------ */
/* Evaluation: pure; no allocation but to prepare a long value under a
 * rule other than its attribute's. */

/* A value prepared under a rule, in a stack buffer when it fits. */
struct prepared {
	char stack[512];
	char *heap;
	const char *s; /* NULL when the value does not prepare */
};

static void prepared_init(struct prepared *p, enum attr_match rule, const char *v, size_t len)
{
	long rc = attr_prepare(rule, PREP_VALUE, v, len, p->stack, sizeof(p->stack));
	bool invalid;

	p->heap = NULL;
	p->s = rc >= 0 ? p->stack : NULL;
	if (rc == ATTR_PREP_NOSPACE)
		p->s = p->heap = attr_prepare_dup(rule, PREP_VALUE, v, len, &invalid);
}

static void prepared_free(struct prepared *p)
{
	free(p->heap);
}

/* Does prepared value v match the prepared assertion a under rule r (an
 * ordering rule: is v less than a; NULL or an equality rule: equal)? */
static bool rule_match(const struct attr_rule *r, enum attr_match m, const char *v, const char *a)
{
	if (r != NULL && r->ordering)
		return attr_compare(m, v, a) < 0;
	return strcmp(v, a) == 0;
}

/* Combine item results over values: TRUE wins, then Undefined. */
static enum tri tri_any(enum tri acc, enum tri r)
{
	if (acc == TRI_TRUE || r == TRI_TRUE)
		return TRI_TRUE;
	if (acc == TRI_UNDEFINED || r == TRI_UNDEFINED)
		return TRI_UNDEFINED;
	return TRI_FALSE;
}

/* The attributes of e that f's type covers, one per call from *pos (0 at
 * first), then NULL: the type's own (computed ones included), or for a
 * supertype each of its subtypes' that f may see (RFC 4512 2.5.1: an
 * assertion on name is one on cn, sn, o, c...). */
static const struct entry_attr *covered(const struct filter *f, const entry_t *e, size_t *pos,
                                        struct entry_slot *slot)
{
	if (f->attr->id < ATTR_COUNT)
		return (*pos)++ == 0 ? entry_values(e, f->attr->id, slot) : NULL;
	while (*pos < e->nattrs) {
		const struct entry_attr *a = &e->attrs[(*pos)++];

		if (attr_covers(f->attr, entry_attr_type(a)) &&
		    !hidden_in(f->hidden, entry_attr_type(a)))
			return a;
	}
	return NULL;
}

/* Value i of a under rule m (the filter's type's equality): the stored
 * prepared form when m is a's own rule, which it is but for a subtype
 * with a rule of its own; else prepared into p. NULL when it does not
 * prepare. */
static const char *value_under(const struct entry_attr *a, size_t i, enum attr_match m,
                               struct prepared *p)
{
	if (m == entry_attr_type(a)->equality) {
		p->heap = NULL;
		return entry_norm(a, i);
	}
	prepared_init(p, m, a->raw[i], strlen(a->raw[i]));
	return p->s;
}

/* One attribute of the entry against an extensible match whose value is
 * prepared with rule m: the values' own prepared forms serve when m is
 * their attribute's equality rule, others are prepared here. */
static enum tri ext_attr(const struct filter *f, const struct entry_attr *a)
{
	const struct attr_rule *r = f->u.ext.r;
	const struct attr_type *t = entry_attr_type(a);
	enum attr_match m = r != NULL ? r->match : t->equality;

	if (r != NULL && !attr_rule_applies(r, t))
		return TRI_UNDEFINED;
	if (f->tagged)
		return TRI_FALSE;
	for (size_t i = 0; i < a->count; i++) {
		struct prepared p;
		bool hit;

		if (m == t->equality) {
			if (entry_norm(a, i) != NULL &&
			    rule_match(r, m, entry_norm(a, i), f->u.ext.norm))
				return TRI_TRUE;
			continue;
		}
		prepared_init(&p, m, a->raw[i], strlen(a->raw[i]));
		hit = p.s != NULL && rule_match(r, m, p.s, f->u.ext.norm);
		prepared_free(&p);
		if (hit)
			return TRI_TRUE;
	}
	return TRI_FALSE;
}

/* The type of a filter without options, for comparing with DN types. */
static size_t type_len(const char *desc)
{
	return strcspn(desc, ";");
}

/* RFC 4511 4.5.1.7.7 dnAttributes: the AVAs of the entry's DN count as
 * values too, each compared with the rule or its type's equality rule.
 * The DN is taken apart by libldap (RFC 4514). */
static enum tri ext_dn(const struct filter *f, const char *dn)
{
	const struct attr_rule *r = f->u.ext.r;
	enum tri acc = TRI_FALSE;
	LDAPDN ldn = NULL;

	if (dn == NULL || f->tagged)
		return TRI_FALSE;
	if (ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || ldn == NULL)
		return TRI_UNDEFINED;
	for (size_t i = 0; ldn[i] != NULL && acc != TRI_TRUE; i++) {
		for (size_t j = 0; ldn[i][j] != NULL && acc != TRI_TRUE; j++) {
			const LDAPAVA *ava = ldn[i][j];
			const struct attr_type *t =
			    attr_lookup(ava->la_attr.bv_val, ava->la_attr.bv_len);
			enum attr_match m;
			struct prepared v, a;

			if (hidden_in(f->hidden, t))
				continue; /* as if the DN did not carry it */
			if (f->attr_name != NULL) {
				/* The filter names a type: only AVAs of that type. */
				if (f->attr != NULL
				        ? !attr_covers(f->attr, t)
				        : (t != NULL ||
				           type_len(f->attr_name) != ava->la_attr.bv_len ||
				           strncasecmp(f->attr_name, ava->la_attr.bv_val,
				                       ava->la_attr.bv_len) != 0))
					continue;
			}
			if (t == NULL && r != NULL)
				continue; /* no rule applies to a type pocdir does not describe */
			if (r != NULL && !attr_rule_applies(r, t)) {
				if (f->attr_name != NULL)
					acc = tri_any(acc, TRI_UNDEFINED);
				continue;
			}
			/* The naming types pocdir does not describe (dc in the
			 * base) are IA5 strings, matched without case. */
			m = r != NULL ? r->match : t != NULL ? t->equality : MATCH_CASE_IGNORE_IA5;
			if (m == MATCH_NONE) {
				acc = tri_any(acc, TRI_UNDEFINED);
				continue;
			}
			prepared_init(&a, m, f->u.ext.value, f->u.ext.len);
			prepared_init(&v, m, ava->la_value.bv_val, ava->la_value.bv_len);
			if (a.s == NULL)
				acc = tri_any(acc, TRI_UNDEFINED);
			else if (v.s != NULL && rule_match(r, m, v.s, a.s))
				acc = TRI_TRUE;
			prepared_free(&a);
			prepared_free(&v);
		}
	}
	ldap_dnfree(ldn);
	return acc;
}

static enum tri eval_extensible(const struct filter *f, const entry_t *e)
{
	enum tri acc = TRI_FALSE;

	if (f->attr_name != NULL) {
		struct entry_slot slot;
		const struct entry_attr *a;
		size_t pos = 0;

		if (f->attr == NULL)
			acc = TRI_UNDEFINED; /* an unknown type */
		else
			while (acc != TRI_TRUE && (a = covered(f, e, &pos, &slot)) != NULL)
				acc = tri_any(acc, ext_attr(f, a));
	} else {
		/* No type: every attribute the rule applies to. */
		for (size_t i = 0; i < e->nattrs && acc != TRI_TRUE; i++)
			if (!hidden_in(f->hidden, entry_attr_type(&e->attrs[i])) &&
			    attr_rule_applies(f->u.ext.r, entry_attr_type(&e->attrs[i])))
				acc = tri_any(acc, ext_attr(f, &e->attrs[i]));
	}
	if (acc != TRI_TRUE && f->u.ext.dn_attributes)
		acc = tri_any(acc, ext_dn(f, e->dn));
	return acc;
}

/* The first occurrence of needle (n bytes) in hay (len bytes), or NULL. */
static const char *find(const char *hay, size_t len, const char *needle, size_t n)
{
	if (n == 0)
		return hay;
	for (size_t i = 0; i + n <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* RFC 4511 4.5.1.7.2: initial, any... and final in order, not overlapping.
 * RFC 4518 2.6.1 prepares a value with one space at each end, and the
 * components with a space where they meet the rest: the value is matched
 * as " v " (pad), but for telephone numbers, which keep no space. */
static bool substrings_match(const struct filter *f, const char *v, bool pad)
{
	char stack[512];
	char *heap = NULL;
	const char *p = v;
	size_t len = strlen(v), pos = 0, flen = 0;
	bool ok = false;

	if (pad) {
		char *buf = len + 3 <= sizeof(stack) ? stack : (heap = malloc(len + 3));

		if (buf == NULL)
			return false;
		buf[0] = ' ';
		memcpy(buf + 1, v, len);
		buf[len + 1] = ' ';
		buf[len + 2] = '\0';
		p = buf;
		len += 2;
		/* The initial and final components start and end with the
		 * value's padding; RFC 4518 gives them that space too. */
		pos = 1;
	}
	if (f->u.sub.initial != NULL) {
		size_t n = strlen(f->u.sub.initial);

		if (n > len - pos || memcmp(p + pos, f->u.sub.initial, n) != 0)
			goto done;
		pos += n;
	} else {
		pos = 0;
	}
	if (f->u.sub.final != NULL) {
		flen = strlen(f->u.sub.final) + (pad ? 1 : 0);
		if (flen > len - pos ||
		    memcmp(p + len - flen, f->u.sub.final, flen - (pad ? 1 : 0)) != 0)
			goto done;
	}
	for (size_t i = 0; i < f->u.sub.nany; i++) {
		const char *hit;
		size_t n = strlen(f->u.sub.any[i]);

		if (n > len - flen - pos)
			goto done;
		hit = find(p + pos, len - flen - pos, f->u.sub.any[i], n);
		if (hit == NULL)
			goto done;
		pos = (size_t)(hit - p) + n;
	}
	ok = true;
done:
	free(heap);
	return ok;
}

/* An AVA (equality, approx, ordering) or a substrings item against one
 * attribute's values. */
static bool item_match(const struct filter *f, const struct entry_attr *a)
{
	enum attr_match m = f->attr->equality;

	for (size_t i = 0; i < a->count; i++) {
		struct prepared p;
		const char *n = value_under(a, i, m, &p);
		bool hit = false;
		int c;

		if (n == NULL) {
			prepared_free(&p);
			continue;
		}
		if (f->choice == FILTER_SUBSTRINGS) {
			hit = substrings_match(f, n, m != MATCH_TELEPHONE);
		} else {
			c = attr_compare(m, n, f->u.ava.norm);
			hit = (f->choice == FILTER_GE && c >= 0) ||
			      (f->choice == FILTER_LE && c <= 0) ||
			      ((f->choice == FILTER_EQUALITY || f->choice == FILTER_APPROX) &&
			       strcmp(n, f->u.ava.norm) == 0);
		}
		prepared_free(&p);
		if (hit)
			return true;
	}
	return false;
}

enum tri filter_eval(const struct filter *f, const entry_t *e)
{
	const struct entry_attr *a;
	struct entry_slot slot;
	size_t pos;
	enum tri acc, r;

	switch (f->choice) {
	case FILTER_AND: /* RFC 4511 4.5.1.7: FALSE wins, then Undefined */
		acc = TRI_TRUE;
		for (size_t i = 0; i < f->u.set.count; i++) {
			r = filter_eval(f->u.set.children[i], e);
			if (r == TRI_FALSE)
				return TRI_FALSE;
			if (r == TRI_UNDEFINED)
				acc = TRI_UNDEFINED;
		}
		return acc;
	case FILTER_OR: /* TRUE wins, then Undefined */
		acc = TRI_FALSE;
		for (size_t i = 0; i < f->u.set.count; i++) {
			r = filter_eval(f->u.set.children[i], e);
			if (r == TRI_TRUE)
				return TRI_TRUE;
			if (r == TRI_UNDEFINED)
				acc = TRI_UNDEFINED;
		}
		return acc;
	case FILTER_NOT:
		r = filter_eval(f->u.not, e);
		return r == TRI_UNDEFINED ? TRI_UNDEFINED : r == TRI_TRUE ? TRI_FALSE : TRI_TRUE;
	default:
		break;
	}
	/* RFC 4511 4.5.1.7: an unknown type (RFC 4511's own example makes
	 * (foo=*) Undefined), no suitable rule, or an assertion value the
	 * rule cannot take: Undefined. */
	if (f->undefined)
		return TRI_UNDEFINED;
	switch (f->choice) {
	case FILTER_PRESENT:
		if (f->tagged)
			return TRI_FALSE;
		if (f->attr->id == ATTR_OBJECTCLASS)
			return TRI_TRUE; /* RFC 4512 3.3: every entry has one */
		for (pos = 0; (a = covered(f, e, &pos, &slot)) != NULL;)
			if (a->count > 0)
				return TRI_TRUE;
		return TRI_FALSE;
	case FILTER_EQUALITY:
	case FILTER_APPROX:
		/* Without a phonetic approximate rule, approxMatch falls back
		 * to equality, as slapd does. */
	case FILTER_GE:
	case FILTER_LE:
		if (f->attr->equality == MATCH_NONE || f->u.ava.norm == NULL)
			return TRI_UNDEFINED;
		if ((f->choice == FILTER_GE || f->choice == FILTER_LE) && !f->attr->ordering)
			return TRI_UNDEFINED;
		goto values;
	case FILTER_SUBSTRINGS:
		if (!f->attr->substrings || f->attr->equality == MATCH_NONE)
			return TRI_UNDEFINED;
	values:
		if (f->tagged)
			return TRI_FALSE;
		for (pos = 0; (a = covered(f, e, &pos, &slot)) != NULL;)
			if (item_match(f, a))
				return TRI_TRUE;
		return TRI_FALSE;
	case FILTER_EXTENSIBLE:
		return eval_extensible(f, e);
	default:
		return TRI_UNDEFINED;
	}
}

/* ------------------------------------------------------------------ */
/* Rendering */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room = o->len + 1 < o->size ? o->size - o->len - 1 : 0;

	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* RFC 4515 3: '*', '(', ')', '\' and NUL are escaped as \XX; control bytes
 * are too, so a logged filter cannot forge log lines. Attribute names and
 * rules from the wire go through here as well: a valid one (RFC 4512 2.5)
 * has none of these bytes, and an invalid one is then shown harmlessly. */
static void put_bytes(struct out *o, const char *v, size_t len)
{
	for (const unsigned char *p = (const unsigned char *)v; p < (const unsigned char *)v + len;
	     p++) {
		if (*p == '*' || *p == '(' || *p == ')' || *p == '\\' || *p < 0x20 || *p == 0x7f) {
			char esc[4];

			snprintf(esc, sizeof(esc), "\\%02x", *p);
			put(o, esc, 3);
		} else {
			put(o, (const char *)p, 1);
		}
	}
}

static void put_value(struct out *o, const char *v)
{
	put_bytes(o, v, strlen(v));
}

static void render(struct out *o, const struct filter *f)
{
	const char *op = "=";

	put_str(o, "(");
	switch (f->choice) {
	case FILTER_AND:
	case FILTER_OR:
		put_str(o, f->choice == FILTER_AND ? "&" : "|");
		for (size_t i = 0; i < f->u.set.count; i++)
			render(o, f->u.set.children[i]);
		break;
	case FILTER_NOT:
		put_str(o, "!");
		render(o, f->u.not );
		break;
	case FILTER_GE:
		op = ">=";
		goto ava;
	case FILTER_LE:
		op = "<=";
		goto ava;
	case FILTER_APPROX:
		op = "~=";
		goto ava;
	case FILTER_EQUALITY:
	ava:
		put_value(o, f->attr_name);
		put_str(o, op);
		put_bytes(o, f->u.ava.value, f->u.ava.len);
		break;
	case FILTER_PRESENT:
		put_value(o, f->attr_name);
		put_str(o, "=*");
		break;
	case FILTER_SUBSTRINGS:
		put_value(o, f->attr_name);
		put_str(o, "=");
		if (f->u.sub.initial != NULL)
			put_value(o, f->u.sub.initial);
		put_str(o, "*");
		for (size_t i = 0; i < f->u.sub.nany; i++) {
			put_value(o, f->u.sub.any[i]);
			put_str(o, "*");
		}
		if (f->u.sub.final != NULL)
			put_value(o, f->u.sub.final);
		break;
	case FILTER_EXTENSIBLE:
		if (f->attr_name != NULL)
			put_value(o, f->attr_name);
		if (f->u.ext.dn_attributes)
			put_str(o, ":dn");
		if (f->u.ext.rule != NULL) {
			put_str(o, ":");
			put_value(o, f->u.ext.rule);
		}
		put_str(o, ":=");
		put_bytes(o, f->u.ext.value, f->u.ext.len);
		break;
	}
	put_str(o, ")");
}

char *filter_to_string(const struct filter *f, char *buf, size_t size)
{
	struct out o = {buf, size, 0};

	if (buf == NULL || size == 0)
		return buf;
	buf[0] = '\0';
	if (f != NULL)
		render(&o, f);
	return buf;
}
