/* arena.h - a bump allocator: the strings and entries of one origin set are
 * allocated together and freed together, which keeps a 100k-entry directory
 * small (no per-string malloc overhead) and its teardown cheap. */
#ifndef POCDIR_ARENA_H
#define POCDIR_ARENA_H

#include <stddef.h>

struct arena;

/* A new, empty arena; NULL on allocation failure. */
struct arena *arena_new(void);

/* Free every block of *a and set *a to NULL; accepts NULL. */
void arena_free(struct arena **a);

/* size bytes aligned for any type, zeroed; NULL on allocation failure. */
void *arena_alloc(struct arena *a, size_t size);

/* A NUL-terminated copy of n bytes of s; NULL on allocation failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

/* Forget every allocation but keep the blocks for reuse: a scratch arena
 * used file after file then costs no new memory. */
void arena_reset(struct arena *a);

/* Bytes the arena holds from the system, for memory figures. */
size_t arena_size(const struct arena *a);

#endif /* POCDIR_ARENA_H */
