/* abi.c - copying structs of pocdir.h's "ABI room" convention in and out at
 * the size the caller's version has, see abi.h. */
#include "config.h"

#include <string.h>

#include "abi.h"

/* The bytes of a caller's struct that both sides know: its size (0: the
 * first version), but no more than the library's version has. */
static size_t known(const void *caller, size_t have, size_t first)
{
	size_t size;

	memcpy(&size, caller, sizeof(size));
	if (size == 0)
		size = first;
	if (size < sizeof(size_t))
		size = sizeof(size_t);
	return size < have ? size : have;
}

void abi_in(void *out, size_t have, const void *in, size_t first)
{
	size_t n = known(in, have, first);

	memset(out, 0, have);
	memcpy(out, in, n);
	memcpy(out, &have, sizeof(have));
}

void abi_out(void *out, const void *full, size_t have, size_t first)
{
	size_t n = known(out, have, first);

	memcpy((char *)out + sizeof(size_t), (const char *)full + sizeof(size_t),
	       n - sizeof(size_t));
}
