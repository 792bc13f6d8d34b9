/* dn.h - the one DN equality: every DN (the base, entry keys, bind DNs,
 * search bases, DN-valued assertions) is compared in one normalised form,
 * built with libldap's DN parser. */
#ifndef POCDIR_DN_H
#define POCDIR_DN_H

#include <stddef.h>

/* Longest DN accepted (bytes as written); a longer one is not a DN here. */
#define DN_MAX_LEN 4096

/* The RFC 4514 string form of the len bytes at dn (no spaces around ',',
 * '=' or '+', values escaped as libldap writes them, case kept): what the
 * daemon shows. Returns a string to free(), or NULL when dn is not a DN, is
 * longer than DN_MAX_LEN or memory ran out. "" is the empty DN. */
char *dn_pretty(const char *dn, size_t len);

/* The normalised form (RFC 4517 4.2.15 distinguishedNameMatch): as
 * dn_pretty, with each type by its canonical name (countryName, 2.5.4.6 and
 * C are c) and each value prepared with its type's equality rule (attr.h),
 * ASCII case folded. Two DNs are equal when their normalised forms are.
 * Returns a string to free(), or NULL as dn_pretty. */
char *dn_normalize(const char *dn, size_t len);

/* Fold ASCII upper case in s to lower case, in place; returns s. Used to
 * compose keys (uid=ID,c=CC,BASE) from parts already normalised. */
char *dn_fold(char *s);

#endif /* POCDIR_DN_H */
