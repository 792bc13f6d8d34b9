/* arena.c - bump allocator for the data of one origin set. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

/* Blocks are mapped from the kernel, not taken from malloc: freeing an
 * arena (a file's scratch tree, a replaced snapshot) gives its memory back
 * at once instead of leaving holes in the heap among the blocks that stay,
 * and the pages of a block's unused tail are never touched, so they cost
 * no memory. */
#define ARENA_BLOCK (64u * 1024) /* with its header */

struct block {
	struct block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct arena {
	struct block *head;
	struct block *spare; /* blocks kept by arena_reset for reuse */
	size_t total;
};

/* A block of at least size bytes of data, its whole mapping usable. */
static struct block *block_new(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (sizeof(struct block) + size + page - 1) / page * page;
	struct block *b =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return NULL;
	b->size = len - sizeof(struct block);
	return b;
}

static void block_free(struct block *b)
{
	munmap(b, sizeof(struct block) + b->size);
}

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena **a)
{
	struct block *b, *next;

	if (a == NULL || *a == NULL)
		return;
	for (b = (*a)->head; b != NULL; b = next) {
		next = b->next;
		block_free(b);
	}
	for (b = (*a)->spare; b != NULL; b = next) {
		next = b->next;
		block_free(b);
	}
	free(*a);
	*a = NULL;
}

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct block *b = a->head;
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	/* Strings are packed unaligned; realign before handing out a struct. */
	if (b != NULL) {
		size_t used = (b->used + align - 1) & ~(align - 1);

		b->used = used < b->size ? used : b->size;
	}
	if (b == NULL || b->size - b->used < size) {
		size_t bsize = size > ARENA_BLOCK - sizeof(*b) ? size : ARENA_BLOCK - sizeof(*b);

		if (a->spare != NULL && a->spare->size >= bsize) {
			b = a->spare;
			a->spare = b->next;
			a->total -= b->size; /* counted again below */
		} else if ((b = block_new(bsize)) == NULL) {
			return NULL;
		}
		bsize = b->size;
		b->used = 0;
		/* A big one-off block goes behind the head so that the head's
		 * free space is not wasted. */
		if (a->head != NULL && bsize > ARENA_BLOCK - sizeof(*b)) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		a->total += bsize;
	}
	p = (char *)b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	/* Strings need no alignment: pack them byte by byte in the head block. */
	struct block *b = a->head;
	char *p;

	if (b != NULL && b->size - b->used >= n + 1) {
		p = (char *)b->data + b->used;
		b->used += n + 1;
	} else {
		p = arena_alloc(a, n + 1);
		if (p == NULL)
			return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

void arena_reset(struct arena *a)
{
	struct block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		b->used = 0;
		b->next = a->spare;
		a->spare = b;
	}
	a->head = NULL;
}

size_t arena_size(const struct arena *a)
{
	return a == NULL ? 0 : a->total;
}
