/* arena.c - bump allocator for compiled schemas (process-lifetime, immutable data). */
#include "omh/omh_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

struct omh_arena_chunk {
	struct omh_arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *omh_arena_alloc(struct omh_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct omh_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *omh_arena_strdup(struct omh_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = omh_arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void omh_arena_free(struct omh_arena *a)
{
	struct omh_arena_chunk *c = a->head;
	while (c) {
		struct omh_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
}

void *omh_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? *cap * 2 : first;
	void *nv = realloc(v, ncap * size);
	if (nv)
		*cap = ncap;
	return nv;
}

void omh_fail(struct omh_err *e, const char *fmt, ...)
{
	if (e->failed)
		return;
	e->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
}
