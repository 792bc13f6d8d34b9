/* export.h - what the exporters share with the rest of the library. */
#ifndef POCDIR_EXPORT_H
#define POCDIR_EXPORT_H

#include <stdio.h>

/* Write s to out as a JSON string (RFC 8259 7): quotes, backslashes and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD. Returns 0,
 * or -1 on allocation or write failure. */
int export_json_quote(const char *s, FILE *out);

#endif /* POCDIR_EXPORT_H */
