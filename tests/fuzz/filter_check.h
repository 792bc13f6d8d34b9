/* filter_check.h - the filter harnesses' shared check (filter_check.c). */
#ifndef POCDIR_FILTER_CHECK_H
#define POCDIR_FILTER_CHECK_H

#include "filter.h"

/* Load the sample directory the checks run on; aborts when it cannot. */
void filter_check_init(void);
/* Evaluate f everywhere; abort when the indexed search and a scan differ. */
void filter_check(const struct filter *f);

#endif /* POCDIR_FILTER_CHECK_H */
