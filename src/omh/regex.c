/*
 * regex.c - the ECMA-262 subset used by JSON Schema `pattern` / `patternProperties`
 * (fhir.md §14.3): anchors ^ $, word boundaries \b \B, groups (...) and (?:...), alternation |,
 * character classes [...] / [^...] with ranges and escapes, the classes \d \D \w \W \s \S and .,
 * quantifiers ? * + {n} {n,} {n,m} (greedy or lazy: irrelevant for a yes/no search).
 * Not supported (compile error): back-references, look-around, named groups, unicode property
 * escapes. Matching is on Unicode code points of UTF-8 input, without flags (no i/m/s/u).
 *
 * Implementation: the pattern is parsed into a small AST, then compiled to a Thompson/Pike program
 * (CHAR, ANY, CLASS, SPLIT, JMP, assertions, MATCH) simulated breadth-first: linear time in the
 * input, no backtracking blow-up, and no allocation at match time (the thread set lives on the
 * stack).
 */
#include "omh/omh_int.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RE_MAX_PROG 1024 /* instructions per compiled pattern */
#define RE_MAX_NODES 4096
#define RE_MAX_DEPTH 64 /* group nesting */
#define RE_MAX_REPEAT 1000

enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_BOL, I_EOL, I_WB, I_NWB, I_MATCH };

struct re_range {
	uint32_t lo, hi;
};

struct re_class {
	const struct re_range *r;
	uint32_t n;
	int negated;
};

struct re_inst {
	uint8_t op;
	uint32_t c;    /* I_CHAR code point, I_CLASS index */
	uint16_t x, y; /* jump targets */
};

struct omh_re {
	const struct re_inst *prog;
	uint32_t n;
	const struct re_class *classes;
};

/* ------------------------------------------------------------------ parser (AST) */

enum { N_EMPTY, N_LIT, N_ANY, N_CLASS, N_BOL, N_EOL, N_WB, N_NWB, N_CAT, N_ALT, N_REP };

struct re_node {
	int type;
	uint32_t c;   /* N_LIT code point, N_CLASS class index */
	int a, b;     /* N_CAT/N_ALT children; N_REP child in a */
	int min, max; /* N_REP; max -1 = unbounded */
};

struct re_parser {
	const char *p, *end;
	struct re_node *nodes;
	int nnodes;
	/* classes under construction */
	struct re_range *ranges; /* growable scratch for the current class */
	size_t nranges, capranges;
	struct re_class *classes;
	size_t nclasses, capclasses;
	struct arena *arena;
	struct omh_err e;
	int depth;
};

#define perr(ps, ...) omh_fail(&(ps)->e, __VA_ARGS__)

static int new_node(struct re_parser *ps, int type)
{
	if (ps->nnodes >= RE_MAX_NODES) {
		perr(ps, "pattern too complex");
		return 0;
	}
	struct re_node *n = &ps->nodes[ps->nnodes];
	memset(n, 0, sizeof *n);
	n->type = type;
	return ps->nnodes++;
}

/* Decodes one UTF-8 code point; invalid bytes decode as themselves (Latin-1). */
static uint32_t utf8_next(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t c = *p;
	int n = 0;
	if (c < 0x80)
		n = 0;
	else if ((c & 0xE0) == 0xC0)
		n = 1, c &= 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 2, c &= 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 3, c &= 0x07;
	else {
		*pp = (const char *)p + 1;
		return c;
	}
	if ((const char *)p + 1 + n > end) {
		*pp = (const char *)p + 1;
		return *p;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*pp = (const char *)p + 1;
			return *p;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	*pp = (const char *)p + 1 + n;
	return c;
}

/* omh_grow, recording "out of memory" when it fails. */
static void *grow(struct re_parser *ps, void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	void *nv = omh_grow(v, cap, n, size, first);
	if (!nv)
		perr(ps, "out of memory");
	return nv;
}

static int add_range(struct re_parser *ps, uint32_t lo, uint32_t hi)
{
	struct re_range *ranges =
	    grow(ps, ps->ranges, &ps->capranges, ps->nranges, sizeof *ranges, 32);
	if (!ranges)
		return -1;
	ps->ranges = ranges;
	ps->ranges[ps->nranges].lo = lo;
	ps->ranges[ps->nranges].hi = hi;
	ps->nranges++;
	return 0;
}

static const struct re_range R_DIGIT[] = {{'0', '9'}};
static const struct re_range R_WORD[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const struct re_range R_SPACE[] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};

static void add_set(struct re_parser *ps, const struct re_range *r, size_t n, int negate)
{
	if (!negate) {
		for (size_t i = 0; i < n; i++)
			add_range(ps, r[i].lo, r[i].hi);
		return;
	}
	uint32_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].lo > next)
			add_range(ps, next, r[i].lo - 1);
		next = r[i].hi + 1;
	}
	if (next <= 0x10FFFF)
		add_range(ps, next, 0x10FFFF);
}

/* Builds a class from the scratch ranges; returns its index. */
static int finish_class(struct re_parser *ps, int negated)
{
	struct re_class *classes =
	    grow(ps, ps->classes, &ps->capclasses, ps->nclasses, sizeof *classes, 8);
	if (!classes)
		return -1;
	ps->classes = classes;
	struct re_range *r = arena_alloc(ps->arena, (ps->nranges ? ps->nranges : 1) * sizeof *r);
	memcpy(r, ps->ranges, ps->nranges * sizeof *r);
	ps->classes[ps->nclasses].r = r;
	ps->classes[ps->nclasses].n = (uint32_t)ps->nranges;
	ps->classes[ps->nclasses].negated = negated;
	ps->nranges = 0;
	return (int)ps->nclasses++;
}

/* Parses an escape after '\'. Returns a code point (>= 0), or -2 for a class escape whose ranges
 * were appended to the scratch set (only when in_class or class_out is used), -1 on error.
 * For \d etc. outside classes, *cls_kind tells which. */
static long parse_escape(struct re_parser *ps, int in_class, int *cls_kind)
{
	*cls_kind = 0;
	if (ps->p >= ps->end) {
		perr(ps, "pattern ends with a backslash");
		return -1;
	}
	char c = *ps->p++;
	switch (c) {
	case 'd':
	case 'D':
	case 'w':
	case 'W':
	case 's':
	case 'S':
		*cls_kind = c;
		return -2;
	case 'b':
		if (in_class)
			return 0x08;
		*cls_kind = 'b';
		return -2;
	case 'B':
		if (in_class) {
			perr(ps, "invalid escape \\B in a class");
			return -1;
		}
		*cls_kind = 'B';
		return -2;
	case 't':
		return '\t';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 'v':
		return '\v';
	case 'f':
		return '\f';
	case '0':
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			perr(ps, "octal escapes are not supported");
			return -1;
		}
		return 0;
	case 'x': {
		if (ps->end - ps->p < 2 || hex_digit(ps->p[0]) < 0 || hex_digit(ps->p[1]) < 0) {
			perr(ps, "invalid \\x escape");
			return -1;
		}
		long v = hex_digit(ps->p[0]) * 16 + hex_digit(ps->p[1]);
		ps->p += 2;
		return v;
	}
	case 'u': {
		long v = 0;
		if (ps->p < ps->end && *ps->p == '{') {
			ps->p++;
			int n = 0;
			while (ps->p < ps->end && hex_digit(*ps->p) >= 0 && n < 7) {
				v = v * 16 + hex_digit(*ps->p++);
				n++;
			}
			if (n == 0 || ps->p >= ps->end || *ps->p != '}' || v > 0x10FFFF) {
				perr(ps, "invalid \\u{...} escape");
				return -1;
			}
			ps->p++;
			return v;
		}
		if (ps->end - ps->p < 4) {
			perr(ps, "invalid \\u escape");
			return -1;
		}
		for (int i = 0; i < 4; i++) {
			int h = hex_digit(ps->p[i]);
			if (h < 0) {
				perr(ps, "invalid \\u escape");
				return -1;
			}
			v = v * 16 + h;
		}
		ps->p += 4;
		return v;
	}
	case 'c':
		if (ps->p < ps->end &&
		    ((*ps->p >= 'a' && *ps->p <= 'z') || (*ps->p >= 'A' && *ps->p <= 'Z')))
			return (*ps->p++) % 32;
		perr(ps, "invalid \\c escape");
		return -1;
	default:
		if (c >= '1' && c <= '9') {
			perr(ps, "back-references are not supported");
			return -1;
		}
		if (c == 'k' || c == 'p' || c == 'P') {
			perr(ps, "escape \\%c is not supported", c);
			return -1;
		}
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			/* identity escape of a letter: allowed by Annex B, means the letter */
			return (unsigned char)c;
		}
		/* identity escape of a syntax character or other; decode UTF-8 */
		ps->p--;
		return (long)utf8_next(&ps->p, ps->end);
	}
}

static void add_builtin(struct re_parser *ps, int kind)
{
	switch (kind) {
	case 'd':
		add_set(ps, R_DIGIT, 1, 0);
		break;
	case 'D':
		add_set(ps, R_DIGIT, 1, 1);
		break;
	case 'w':
		add_set(ps, R_WORD, 4, 0);
		break;
	case 'W':
		add_set(ps, R_WORD, 4, 1);
		break;
	case 's':
		add_set(ps, R_SPACE, sizeof R_SPACE / sizeof R_SPACE[0], 0);
		break;
	case 'S':
		add_set(ps, R_SPACE, sizeof R_SPACE / sizeof R_SPACE[0], 1);
		break;
	}
}

static int parse_class(struct re_parser *ps)
{
	/* after '[' */
	int negated = 0;
	if (ps->p < ps->end && *ps->p == '^') {
		negated = 1;
		ps->p++;
	}
	ps->nranges = 0;
	for (;;) {
		if (ps->p >= ps->end) {
			perr(ps, "unterminated character class");
			return -1;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		long lo;
		int kind = 0;
		if (*ps->p == '\\') {
			ps->p++;
			lo = parse_escape(ps, 1, &kind);
			if (lo == -1)
				return -1;
			if (lo == -2) {
				add_builtin(ps, kind);
				continue;
			}
		} else {
			lo = (long)utf8_next(&ps->p, ps->end);
		}
		long hi = lo;
		if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']') {
			const char *save = ps->p;
			ps->p++;
			if (*ps->p == '\\') {
				ps->p++;
				hi = parse_escape(ps, 1, &kind);
				if (hi == -1)
					return -1;
				if (hi == -2) {
					/* [a-\d]: '-' is literal (Annex B) */
					add_range(ps, (uint32_t)lo, (uint32_t)lo);
					add_range(ps, '-', '-');
					add_builtin(ps, kind);
					continue;
				}
			} else {
				hi = (long)utf8_next(&ps->p, ps->end);
			}
			if (hi < lo) {
				ps->p = save;
				perr(ps, "range out of order in character class");
				return -1;
			}
		}
		add_range(ps, (uint32_t)lo, (uint32_t)hi);
	}
	return finish_class(ps, negated);
}

static int parse_alt(struct re_parser *ps);

/* Tries to parse {n}, {n,}, {n,m} at ps->p (pointing at '{'). Returns 1 and sets min/max on
 * success, 0 if it is not a quantifier (then '{' is a literal, Annex B). */
static int parse_braces(struct re_parser *ps, int *min, int *max)
{
	const char *q = ps->p + 1;
	long a = 0, b;
	int nd = 0;
	while (q < ps->end && *q >= '0' && *q <= '9') {
		if (a < 100000)
			a = a * 10 + (*q - '0');
		q++;
		nd++;
	}
	if (nd == 0)
		return 0;
	if (q < ps->end && *q == '}') {
		b = a;
		q++;
	} else if (q < ps->end && *q == ',') {
		q++;
		if (q < ps->end && *q == '}') {
			b = -1;
			q++;
		} else {
			b = 0;
			nd = 0;
			while (q < ps->end && *q >= '0' && *q <= '9') {
				if (b < 100000)
					b = b * 10 + (*q - '0');
				q++;
				nd++;
			}
			if (nd == 0 || q >= ps->end || *q != '}')
				return 0;
			q++;
		}
	} else {
		return 0;
	}
	if (a > RE_MAX_REPEAT || b > RE_MAX_REPEAT) {
		perr(ps, "repetition count too large");
		return -1;
	}
	if (b >= 0 && b < a) {
		perr(ps, "numbers out of order in {} quantifier");
		return -1;
	}
	*min = (int)a;
	*max = (int)b;
	ps->p = q;
	return 1;
}

static int parse_atom(struct re_parser *ps)
{
	char c = *ps->p;
	int n;
	switch (c) {
	case '(':
		ps->p++;
		if (ps->p < ps->end && *ps->p == '?') {
			if (ps->end - ps->p >= 2 && ps->p[1] == ':') {
				ps->p += 2;
			} else {
				perr(ps, "look-around and named groups are not supported");
				return -1;
			}
		}
		if (++ps->depth > RE_MAX_DEPTH) {
			perr(ps, "groups nested too deeply");
			return -1;
		}
		n = parse_alt(ps);
		ps->depth--;
		if (n < 0)
			return -1;
		if (ps->p >= ps->end || *ps->p != ')') {
			perr(ps, "missing )");
			return -1;
		}
		ps->p++;
		return n;
	case ')':
		perr(ps, "unmatched )");
		return -1;
	case '[': {
		ps->p++;
		int k = parse_class(ps);
		if (k < 0)
			return -1;
		n = new_node(ps, N_CLASS);
		ps->nodes[n].c = (uint32_t)k;
		return ps->e.failed ? -1 : n;
	}
	case '.':
		ps->p++;
		return new_node(ps, N_ANY);
	case '^':
		ps->p++;
		return new_node(ps, N_BOL);
	case '$':
		ps->p++;
		return new_node(ps, N_EOL);
	case '*':
	case '+':
	case '?':
		perr(ps, "nothing to repeat");
		return -1;
	case '{': {
		int mn, mx;
		int r = parse_braces(ps, &mn, &mx);
		if (r != 0) {
			if (r > 0)
				perr(ps, "nothing to repeat");
			return -1;
		}
		ps->p++;
		n = new_node(ps, N_LIT);
		ps->nodes[n].c = '{';
		return n;
	}
	case '\\': {
		ps->p++;
		int kind;
		long v = parse_escape(ps, 0, &kind);
		if (v == -1)
			return -1;
		if (v == -2) {
			if (kind == 'b')
				return new_node(ps, N_WB);
			if (kind == 'B')
				return new_node(ps, N_NWB);
			ps->nranges = 0;
			add_builtin(ps, kind);
			int k = finish_class(ps, 0);
			if (k < 0)
				return -1;
			n = new_node(ps, N_CLASS);
			ps->nodes[n].c = (uint32_t)k;
			return n;
		}
		n = new_node(ps, N_LIT);
		ps->nodes[n].c = (uint32_t)v;
		return n;
	}
	default:
		n = new_node(ps, N_LIT);
		ps->nodes[n].c = utf8_next(&ps->p, ps->end);
		return n;
	}
}

static int parse_repeat(struct re_parser *ps)
{
	int atom = parse_atom(ps);
	if (atom < 0 || ps->e.failed)
		return -1;
	int t = ps->nodes[atom].type;
	for (;;) {
		if (ps->p >= ps->end)
			return atom;
		int mn, mx;
		char c = *ps->p;
		if (c == '*')
			mn = 0, mx = -1, ps->p++;
		else if (c == '+')
			mn = 1, mx = -1, ps->p++;
		else if (c == '?')
			mn = 0, mx = 1, ps->p++;
		else if (c == '{') {
			int r = parse_braces(ps, &mn, &mx);
			if (r < 0)
				return -1;
			if (r == 0)
				return atom;
		} else
			return atom;
		if (t == N_BOL || t == N_EOL || t == N_WB || t == N_NWB) {
			perr(ps, "nothing to repeat");
			return -1;
		}
		if (ps->p < ps->end && *ps->p == '?')
			ps->p++; /* lazy: same language */
		int r = new_node(ps, N_REP);
		if (r < 0 || ps->e.failed)
			return -1;
		ps->nodes[r].a = atom;
		ps->nodes[r].min = mn;
		ps->nodes[r].max = mx;
		/* one quantifier per atom: "a**" then fails in parse_atom ("nothing to repeat") */
		return r;
	}
}

static int parse_concat(struct re_parser *ps)
{
	int cur = -1;
	while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
		int r = parse_repeat(ps);
		if (r < 0)
			return -1;
		if (cur < 0) {
			cur = r;
		} else {
			int c = new_node(ps, N_CAT);
			if (ps->e.failed)
				return -1;
			ps->nodes[c].a = cur;
			ps->nodes[c].b = r;
			cur = c;
		}
	}
	if (cur < 0)
		cur = new_node(ps, N_EMPTY);
	return ps->e.failed ? -1 : cur;
}

static int parse_alt(struct re_parser *ps)
{
	int left = parse_concat(ps);
	if (left < 0)
		return -1;
	while (ps->p < ps->end && *ps->p == '|') {
		ps->p++;
		int right = parse_concat(ps);
		if (right < 0)
			return -1;
		int a = new_node(ps, N_ALT);
		if (ps->e.failed)
			return -1;
		ps->nodes[a].a = left;
		ps->nodes[a].b = right;
		left = a;
	}
	return left;
}

/* ------------------------------------------------------------------ code generation */

struct re_gen {
	struct re_inst prog[RE_MAX_PROG];
	int n;
	struct re_parser *ps;
};

static int emit(struct re_gen *g, uint8_t op)
{
	if (g->n >= RE_MAX_PROG) {
		perr(g->ps, "pattern too large");
		return 0;
	}
	g->prog[g->n].op = op;
	g->prog[g->n].c = 0;
	g->prog[g->n].x = g->prog[g->n].y = 0;
	return g->n++;
}

static void gen(struct re_gen *g, int ni)
{
	if (g->ps->e.failed)
		return;
	const struct re_node *nd = &g->ps->nodes[ni];
	/* the leaves: one instruction each */
	static const uint8_t leaf_op[] = {
	    [N_LIT] = I_CHAR, [N_ANY] = I_ANY, [N_CLASS] = I_CLASS, [N_BOL] = I_BOL,
	    [N_EOL] = I_EOL,  [N_WB] = I_WB,   [N_NWB] = I_NWB};
	int i, j;
	if (nd->type >= N_LIT && nd->type <= N_NWB) {
		i = emit(g, leaf_op[nd->type]);
		if (nd->type == N_LIT || nd->type == N_CLASS)
			g->prog[i].c = nd->c;
		return;
	}
	switch (nd->type) {
	case N_EMPTY:
		break;
	case N_CAT:
		gen(g, nd->a);
		gen(g, nd->b);
		break;
	case N_ALT:
		/* split L1, L2; L1: a; jmp L3; L2: b; L3: */
		i = emit(g, I_SPLIT);
		g->prog[i].x = (uint16_t)g->n;
		gen(g, nd->a);
		j = emit(g, I_JMP);
		g->prog[i].y = (uint16_t)g->n;
		gen(g, nd->b);
		g->prog[j].x = (uint16_t)g->n;
		break;
	case N_REP: {
		for (int k = 0; k < nd->min; k++)
			gen(g, nd->a);
		if (nd->max < 0) {
			/* L1: split L2, L3; L2: a; jmp L1; L3: */
			i = emit(g, I_SPLIT);
			g->prog[i].x = (uint16_t)g->n;
			gen(g, nd->a);
			j = emit(g, I_JMP);
			g->prog[j].x = (uint16_t)i;
			g->prog[i].y = (uint16_t)g->n;
		} else {
			/* optional copies: SPLIT next, END; the pending END targets are chained
			 * through the y fields (0xFFFF ends the chain) and patched at the end */
			uint16_t chain = 0xFFFF;
			for (int k = nd->min; k < nd->max && !g->ps->e.failed; k++) {
				i = emit(g, I_SPLIT);
				g->prog[i].x = (uint16_t)g->n;
				g->prog[i].y = chain;
				chain = (uint16_t)i;
				gen(g, nd->a);
			}
			while (chain != 0xFFFF && !g->ps->e.failed) {
				uint16_t next = g->prog[chain].y;
				g->prog[chain].y = (uint16_t)g->n;
				chain = next;
			}
		}
		break;
	}
	}
}

struct omh_re *omh_re_compile(struct arena *a, const char *pattern, char *err, size_t errlen)
{
	struct re_parser ps;
	memset(&ps, 0, sizeof ps);
	ps.p = pattern;
	ps.end = pattern + strlen(pattern);
	ps.arena = a;
	ps.e.err = err;
	ps.e.errlen = errlen;
	ps.nodes = malloc(RE_MAX_NODES * sizeof *ps.nodes);
	struct re_gen *g = malloc(sizeof *g);
	struct omh_re *re = NULL;
	if (!ps.nodes || !g) {
		perr(&ps, "out of memory");
		goto out;
	}
	int root = parse_alt(&ps);
	if (root >= 0 && !ps.e.failed && ps.p < ps.end)
		perr(&ps, "unmatched )");
	if (root < 0 || ps.e.failed)
		goto out;
	g->n = 0;
	g->ps = &ps;
	gen(g, root);
	emit(g, I_MATCH);
	if (ps.e.failed)
		goto out;
	re = arena_alloc(a, sizeof *re);
	struct re_inst *prog = arena_alloc(a, (size_t)g->n * sizeof *prog);
	struct re_class *cls = arena_alloc(a, (ps.nclasses ? ps.nclasses : 1) * sizeof *cls);
	memcpy(prog, g->prog, (size_t)g->n * sizeof *prog);
	if (ps.nclasses)
		memcpy(cls, ps.classes, ps.nclasses * sizeof *cls);
	re->prog = prog;
	re->n = (uint32_t)g->n;
	re->classes = cls;
out:
	free(ps.nodes);
	free(ps.ranges);
	free(ps.classes);
	free(g);
	return re;
}

/* ------------------------------------------------------------------ matcher */

static int class_has(const struct re_class *k, uint32_t c)
{
	int in = 0;
	for (uint32_t i = 0; i < k->n; i++) {
		if (c >= k->r[i].lo && c <= k->r[i].hi) {
			in = 1;
			break;
		}
	}
	return in != k->negated;
}

static int is_word(long c)
{
	return c >= 0 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	                  (c >= 'A' && c <= 'Z') || c == '_');
}

static int is_line_term(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

struct re_list {
	uint16_t pcs[RE_MAX_PROG];
	uint32_t n;
};

/* Adds pc and its epsilon closure to list l. prev/cur: code points around the position (-1 = none).
 */
static void addthread(const struct omh_re *re, struct re_list *l, uint32_t *mark, uint32_t gen,
                      uint16_t pc0, long prev, long cur)
{
	uint16_t stack[2 * RE_MAX_PROG];
	int sp = 0;
	stack[sp++] = pc0;
	while (sp > 0) {
		uint16_t pc = stack[--sp];
		if (mark[pc] == gen)
			continue;
		mark[pc] = gen;
		const struct re_inst *in = &re->prog[pc];
		switch (in->op) {
		case I_JMP:
			stack[sp++] = in->x;
			break;
		case I_SPLIT:
			stack[sp++] = in->y;
			stack[sp++] = in->x;
			break;
		case I_BOL:
			if (prev < 0)
				stack[sp++] = (uint16_t)(pc + 1);
			break;
		case I_EOL:
			if (cur < 0)
				stack[sp++] = (uint16_t)(pc + 1);
			break;
		case I_WB:
			if (is_word(prev) != is_word(cur))
				stack[sp++] = (uint16_t)(pc + 1);
			break;
		case I_NWB:
			if (is_word(prev) == is_word(cur))
				stack[sp++] = (uint16_t)(pc + 1);
			break;
		default:
			l->pcs[l->n++] = pc;
			break;
		}
	}
}

int omh_re_search(const struct omh_re *re, const char *s, size_t len)
{
	struct re_list la, lb, *cl = &la, *nl = &lb;
	uint32_t mark[RE_MAX_PROG];
	memset(mark, 0, re->n * sizeof mark[0]);
	uint32_t gen = 1;
	const char *p = s, *end = s + len;
	long prev = -1;
	long cur;
	const char *q = p;
	cur = p < end ? (long)utf8_next(&q, end) : -1;
	cl->n = 0;
	addthread(re, cl, mark, gen, 0, prev, cur);
	for (;;) {
		/* cur is the code point at p (or -1 at end), q points after it */
		long nextc = -1;
		const char *q2 = q;
		if (cur >= 0 && q < end)
			nextc = (long)utf8_next(&q2, end);
		gen++;
		nl->n = 0;
		for (uint32_t i = 0; i < cl->n; i++) {
			const struct re_inst *in = &re->prog[cl->pcs[i]];
			int ok = 0;
			switch (in->op) {
			case I_MATCH:
				return 1;
			case I_CHAR:
				ok = cur >= 0 && (uint32_t)cur == in->c;
				break;
			case I_ANY:
				ok = cur >= 0 && !is_line_term((uint32_t)cur);
				break;
			case I_CLASS:
				ok = cur >= 0 && class_has(&re->classes[in->c], (uint32_t)cur);
				break;
			}
			if (ok)
				addthread(re, nl, mark, gen, (uint16_t)(cl->pcs[i] + 1), cur,
				          nextc);
		}
		if (cur < 0)
			return 0;
		/* unanchored search: a new thread starts at every position */
		addthread(re, nl, mark, gen, 0, cur, nextc);
		struct re_list *t = cl;
		cl = nl;
		nl = t;
		prev = cur;
		cur = nextc;
		p = q;
		q = q2;
		(void)prev;
		(void)p;
	}
}
