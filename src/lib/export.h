/* export.h - what the exporters share with the rest of the library: JSON
 * string quoting, and LDIF change records (RFC 2849 changetype add, modify,
 * delete) written by the LDIF writer for the diff of two versions. */
#ifndef POCDIR_EXPORT_H
#define POCDIR_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "pocdir.h"

/* Write s to out as a JSON string (RFC 8259 7): quotes, backslashes and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD. Returns 0,
 * or -1 on allocation or write failure. */
int export_json_quote(const char *s, FILE *out);

struct export_changes;

/* A writer of change records to out; NULL on allocation failure. */
struct export_changes *export_changes_new(FILE *out);

/* A pocdir_change_fn (ctx: an export_changes): ADDED becomes an add
 * record with every attribute of new_entry, REMOVED a delete record, and
 * the FIELD changes of one entry one modify record replacing each changed
 * LDAP attribute with new_entry's values (none: the attribute goes).
 * Extension keys are not LDAP attributes and are skipped. */
void export_changes_record(const pocdir_change *change, void *ctx);

/* An add (add true) or delete record for the country entry c=CC,base_dn.
 * Returns 0 or -1 (a write failed). */
int export_changes_country(struct export_changes *ch, const char *cc, const char *base_dn,
                           bool add);

/* Close the last record, flush, free *ch and set it to NULL. Returns 0, or
 * -1 with err (may be NULL) when anything failed to be written. */
int export_changes_finish(struct export_changes **ch, pocdir_error *err);

#endif /* POCDIR_EXPORT_H */
