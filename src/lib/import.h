/* import.h - turning other directories' listings (FIRST and Trusted
 * Introducer team JSON, RFC 9116 security.txt, CSV) into an origin file:
 * the pure conversion and its limits. The public entry points are
 * pocdir_import_buffer and pocdir_import in pocdir.h. */
#ifndef POCDIR_IMPORT_H
#define POCDIR_IMPORT_H

/* Limits on what an import reads; anything beyond is an error. */
#define IMPORT_MAX_BYTES (16u << 20) /* a file or a download, as sync's set limit */
#define IMPORT_MAX_RECORDS 100000    /* teams, rows */
#define IMPORT_MAX_FIELDS 256        /* keys of one team, columns of one row */
#define IMPORT_MAX_VALUE 4096        /* bytes of one value, as the loader's */
#define IMPORT_MAX_COLUMNS_MAP 4096  /* bytes of a CSV column map */

#endif /* POCDIR_IMPORT_H */
