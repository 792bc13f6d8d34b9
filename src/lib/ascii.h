/* ascii.h - character classes for field syntax: <ctype.h> depends on the
 * locale, the syntax of an e-mail address or a zone name does not. */
#ifndef POCDIR_ASCII_H
#define POCDIR_ASCII_H

#include <stdbool.h>

static inline bool is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool is_alpha(int c)
{
	return is_upper(c) || is_lower(c);
}

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static inline bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int to_upper(int c)
{
	return is_lower(c) ? c - 'a' + 'A' : c;
}

static inline int to_lower(int c)
{
	return is_upper(c) ? c - 'A' + 'a' : c;
}

#endif /* POCDIR_ASCII_H */
