/* output.h - printing results: the table for people (aligned columns, local
 * time and office hours, colours on a TTY) and the machine formats, which
 * the library writes (pocdir_write). */
#ifndef POCDIR_OUTPUT_H
#define POCDIR_OUTPUT_H

#include "commands.h"
#include "pocdir.h"

/* Print res to stdout in cli->format. attrs (NULL-terminated, NULL for all)
 * limits the table's columns and the JSON/CSV/LDIF fields; with_tree adds
 * the base and country entries to LDIF; dir (may be NULL) is asked for a
 * 24x7 alternative to an office that is closed. Returns 0, or -1 after
 * printing the error. */
int output_result(const struct cli *cli, pocdir *dir, const pocdir_result *res,
                  const char *const *attrs, int with_tree);

/* Print one entry with every field, one per line (show's table). */
int output_entry_detail(const struct cli *cli, const pocdir_entry *e);

#endif /* POCDIR_OUTPUT_H */
