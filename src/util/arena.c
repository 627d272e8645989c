/* Per-request arena: bump allocation in chunks, deferred cleanups, freed in one step. */
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

struct deferred {
	struct deferred *next;
	void (*fn)(void *);
	void *ptr;
};

struct arena {
	struct chunk *head;  /* current chunk */
	struct chunk *first; /* kept across resets */
	struct deferred *defers;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = malloc(sizeof(*c) + size);
	if (!c) {
		fprintf(stderr, "arena: out of memory\n");
		abort();
	}
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->first = a->head = chunk_new(ARENA_CHUNK);
	return a;
}

static void run_defers(struct arena *a)
{
	/* LIFO, so later objects that depend on earlier ones are released first */
	while (a->defers) {
		struct deferred *d = a->defers;
		a->defers = d->next;
		d->fn(d->ptr);
	}
}

void arena_reset(struct arena *a)
{
	run_defers(a);
	/* the list runs head -> ... -> first, with big blocks linked in after any chunk */
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		if (c != a->first)
			free(c);
		c = n;
	}
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct chunk *c = a->head;
	if (c->used + n > c->size) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		struct chunk *nc = chunk_new(size);
		if (size == n && c->used < c->size / 2) {
			/* big block: insert behind the current chunk so its free space stays usable
			 */
			nc->next = c->next;
			c->next = nc;
			nc->used = n;
			memset(nc->data, 0, n);
			return nc->data;
		}
		nc->next = c;
		a->head = c = nc;
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct deferred *d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->ptr = ptr;
	d->next = a->defers;
	a->defers = d;
}

static void json_put_void(void *p)
{
	json_object_put(p);
}

json_object *arena_json(struct arena *a, json_object *obj)
{
	if (obj)
		arena_defer(a, json_put_void, obj);
	return obj;
}
