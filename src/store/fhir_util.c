/* FHIR store helpers: PostgreSQL array literals for array parameters. */
#include "store/query.h"

void pgarr_init(struct arena *a, struct pgarr *x)
{
	x->b = buf_new(a, 64);
	x->n = 0;
	buf_putc(x->b, '{');
}

void pgarr_add(struct pgarr *x, const char *s)
{
	if (x->n++)
		buf_putc(x->b, ',');
	if (!s) {
		buf_puts(x->b, "NULL");
		return;
	}
	buf_putc(x->b, '"');
	const char *run = s;
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_append(x->b, run, (size_t)(p - run));
			buf_putc(x->b, '\\');
			run = p;
		}
	}
	buf_puts(x->b, run);
	buf_putc(x->b, '"');
}

void pgarr_addi(struct pgarr *x, int64_t v)
{
	if (x->n++)
		buf_putc(x->b, ',');
	buf_printf(x->b, "%lld", (long long)v);
}

const char *pgarr_end(struct pgarr *x)
{
	buf_putc(x->b, '}');
	return x->b->data;
}

const char *pgarr_ids(struct arena *a, struct id_list l)
{
	struct pgarr x;
	pgarr_init(a, &x);
	for (int i = 0; i < l.n; i++)
		pgarr_addi(&x, l.v[i]);
	return pgarr_end(&x);
}
