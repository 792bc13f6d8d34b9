/* abi.h - the "ABI room" convention of pocdir.h: a struct a caller hands in
 * begins with size_t size, 0 meaning its first version; the library reads
 * and writes only the members that existed at that size. */
#ifndef POCDIR_ABI_H
#define POCDIR_ABI_H

#include <stddef.h>

#include "pocdir.h"

/* Where member m of struct type t ends: the size of t in its version whose
 * last member is m. */
#define ABI_END(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

/* Each struct's first version: what a caller that leaves size 0 (or was
 * built against that header) has. A member added later goes after these,
 * and the library reads it only from a caller whose size covers it. */
#define ABI_OPTIONS_V1 ABI_END(pocdir_options, base_dn)
#define ABI_QUERY_V1 ABI_END(pocdir_query, id)
#define ABI_IMPORT_OPTIONS_V1 ABI_END(pocdir_import_options, now)
#define ABI_WRITE_OPTIONS_V1 ABI_END(pocdir_write_options, vcard_version)
#define ABI_SIGN_INFO_V1 ABI_END(pocdir_sign_info, keyid)
#define ABI_SYNC_REPORT_V1 ABI_END(pocdir_sync_report, ignored)
#define ABI_MAIL_REPORT_V1 ABI_END(pocdir_mail_report, refused)
#define ABI_NOTICE_V1 ABI_END(pocdir_notice, passphrase)
#define ABI_IOC_V1 ABI_END(pocdir_ioc, value)

/* Copy the caller's struct in (its size member says how much of it there
 * is; 0: first bytes) into out, a struct of the library's version (have
 * bytes): members the caller's version lacks are zero, their default.
 * out->size becomes have. */
void abi_in(void *out, size_t have, const void *in, size_t first);

/* Copy the library's filled struct full (have bytes) back to the caller's
 * out: only the members its size (0: first) covers; its size stays. */
void abi_out(void *out, const void *full, size_t have, size_t first);

#endif /* POCDIR_ABI_H */
