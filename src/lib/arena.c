/* arena.c - bump allocator for the data of one origin set. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK (64u * 1024)

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
		free(b);
	}
	for (b = (*a)->spare; b != NULL; b = next) {
		next = b->next;
		free(b);
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
		size_t bsize = size > ARENA_BLOCK ? size : ARENA_BLOCK;

		if (a->spare != NULL && a->spare->size >= bsize) {
			b = a->spare;
			a->spare = b->next;
			bsize = b->size;
			a->total -= bsize; /* counted again below */
		} else {
			b = malloc(sizeof(*b) + bsize);
			if (b == NULL)
				return NULL;
		}
		b->size = bsize;
		b->used = 0;
		/* A big one-off block goes behind the head so that the head's
		 * free space is not wasted. */
		if (a->head != NULL && bsize > ARENA_BLOCK) {
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
