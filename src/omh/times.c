/*
 * times.c - RFC 3339 date-time parsing for `format: date-time` (fhir.md §14.3) and the
 * effective-time projection of data-model.md §4.3.
 */
#include "omh/omh.h"
#include "omh/omh_int.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_SEC INT64_C(1000000)
/* Bounds of representable results: years 0001..9999 plus a margin. */
#define US_MIN (INT64_C(-62135596800) * US_PER_SEC)
#define US_MAX (INT64_C(253402300800) * US_PER_SEC)

enum { DT_STRICT, DT_LENIENT };

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Parses YYYY-MM-DD at s (10 chars available). */
static int parse_date(const char *s, int *y, int *mo, int *d)
{
	if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, mo) || s[7] != '-' ||
	    !digits(s + 8, 2, d))
		return 0;
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > time_days_in_month(*y, *mo))
		return 0;
	return 1;
}

/*
 * DT_STRICT: YYYY-MM-DD(T|t)hh:mm:ss[.f+][Z|z|±hh:mm]       (format date-time)
 * DT_LENIENT: YYYY-MM-DD(T|t| )hh:mm[:ss[.f+]][Z|z|±hh:mm]  (data-model.md §4.3)
 * No offset means UTC. *us receives microseconds since the epoch (fraction rounded).
 */
static int parse_dt(const char *s, size_t len, int mode, int64_t *us)
{
	int y, mo, d, h, mi, sec = 0;
	if (len < 16 || !parse_date(s, &y, &mo, &d))
		return 0;
	char t = s[10];
	if (!(t == 'T' || t == 't' || (mode == DT_LENIENT && t == ' ')))
		return 0;
	if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
		return 0;
	size_t i = 16;
	int64_t frac = 0;
	if (i < len && s[i] == ':') {
		if (len < i + 3 || !digits(s + i + 1, 2, &sec) || sec > 60)
			return 0;
		i += 3;
		if (i < len && s[i] == '.') {
			i++;
			size_t st = i;
			int nd = 0;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				if (nd < 6)
					frac = frac * 10 + (s[i] - '0');
				else if (nd == 6 && s[i] >= '5')
					frac++; /* round half up on the 7th digit */
				nd++;
				i++;
			}
			if (i == st)
				return 0;
			for (; nd < 6; nd++)
				frac *= 10;
		}
	} else if (mode == DT_STRICT) {
		return 0;
	}
	int off = 0;
	if (i < len) {
		if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
			i++;
		} else if ((s[i] == '+' || s[i] == '-') && len - i == 6) {
			int oh, om;
			if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
			    !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
				return 0;
			off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
			i = len;
		} else {
			return 0;
		}
	}
	if (i != len)
		return 0;
	if (us) {
		int64_t secs =
		    time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
		*us = secs * US_PER_SEC + frac;
	}
	return 1;
}

int omh_is_date_time(const char *s, size_t len)
{
	return parse_dt(s, len, DT_STRICT, NULL);
}

/* ------------------------------------------------------------------ effective times */

static int get_dt(json_object *o, const char *key, int64_t *us)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return 0;
	return parse_dt(json_object_get_string(v), (size_t)json_object_get_string_len(v),
	                DT_LENIENT, us);
}

struct duration {
	double value;
	const char *unit;
};

/* A duration {value: number or numeric string, unit: string}. */
static int get_duration(json_object *ti, struct duration *du)
{
	json_object *d, *v, *u;
	if (!json_object_object_get_ex(ti, "duration", &d) ||
	    !json_object_is_type(d, json_type_object))
		return 0;
	if (!json_object_object_get_ex(d, "value", &v) ||
	    !json_object_object_get_ex(d, "unit", &u) || !json_object_is_type(u, json_type_string))
		return 0;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		du->value = json_object_get_double(v);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;
		if (!*s || (*s != '-' && *s != '+' && *s != '.' && (*s < '0' || *s > '9')))
			return 0;
		du->value = strtod(s, &end);
		if (*end || end == s)
			return 0;
	} else {
		return 0;
	}
	if (!isfinite(du->value))
		return 0;
	du->unit = json_object_get_string(u);
	return 1;
}

/* t + sign*duration; returns 0 when the unit is unknown or the result is out of range. */
static int add_duration(int64_t t, const struct duration *du, int sign, int64_t *out)
{
	static const struct {
		const char *unit;
		double us;
	} fixed[] = {{"ps", 1e-6}, {"ns", 1e-3}, {"us", 1.0},    {"ms", 1e3},     {"sec", 1e6},
	             {"min", 6e7}, {"h", 3.6e9}, {"d", 8.64e10}, {"wk", 6.048e11}};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (strcmp(du->unit, fixed[i].unit) == 0) {
			double delta = du->value * fixed[i].us * sign;
			if (!(fabs(delta) < 4e17))
				return 0;
			int64_t r = t + (int64_t)llround(delta);
			if (r < US_MIN || r >= US_MAX)
				return 0;
			*out = r;
			return 1;
		}
	}
	int per;
	if (strcmp(du->unit, "Mo") == 0)
		per = 1;
	else if (strcmp(du->unit, "yr") == 0)
		per = 12;
	else
		return 0;
	double n = trunc(du->value);
	if (!(fabs(n) <= 200000))
		return 0;
	int64_t months = (int64_t)n * per * sign;
	int64_t days = t >= 0 ? t / (86400 * US_PER_SEC)
	                      : -((-t + 86400 * US_PER_SEC - 1) / (86400 * US_PER_SEC));
	int64_t tod = t - days * 86400 * US_PER_SEC;
	int64_t y;
	int m, d;
	time_civil_from_days(days, &y, &m, &d);
	int64_t mi = y * 12 + (m - 1) + months;
	int64_t ny = mi >= 0 ? mi / 12 : -((-mi + 11) / 12);
	int nm = (int)(mi - ny * 12) + 1;
	if (ny < 1 || ny > 9999)
		return 0;
	int dim = time_days_in_month((int)ny, nm);
	if (d > dim)
		d = dim;
	*out = time_days_from_civil(ny, nm, d) * 86400 * US_PER_SEC + tod;
	return 1;
}

int omh_effective_times(json_object *body, struct omh_times *out)
{
	memset(out, 0, sizeof *out);
	json_object *tf, *ti, *v;
	if (!body || !json_object_is_type(body, json_type_object) ||
	    !json_object_object_get_ex(body, "effective_time_frame", &tf) ||
	    !json_object_is_type(tf, json_type_object))
		return 0;
	/* rule 1 */
	if (json_object_object_get_ex(tf, "date_time", &v)) {
		if (get_dt(tf, "date_time", &out->date_time))
			out->has_date_time = 1;
		return out->has_date_time;
	}
	if (!json_object_object_get_ex(tf, "time_interval", &ti) ||
	    !json_object_is_type(ti, json_type_object))
		return 0;
	int64_t st, en;
	int has_st = get_dt(ti, "start_date_time", &st);
	int has_en = get_dt(ti, "end_date_time", &en);
	struct duration du;
	/* rule 2 */
	if (has_st && has_en) {
		out->start = st, out->has_start = 1;
		out->end = en, out->has_end = 1;
		return 2;
	}
	int has_du = get_duration(ti, &du);
	/* rule 3 */
	if (has_st && has_du) {
		out->start = st, out->has_start = 1;
		out->has_end = add_duration(st, &du, 1, &out->end);
		return out->has_start + out->has_end;
	}
	/* rule 4 */
	if (has_en && has_du) {
		out->end = en, out->has_end = 1;
		out->has_start = add_duration(en, &du, -1, &out->start);
		return out->has_start + out->has_end;
	}
	/* rule 5 */
	json_object *dv, *pv;
	if (json_object_object_get_ex(ti, "date", &dv) &&
	    json_object_object_get_ex(ti, "part_of_day", &pv) &&
	    json_object_is_type(dv, json_type_string) &&
	    json_object_is_type(pv, json_type_string) && json_object_get_string_len(dv) == 10) {
		int y, m, d;
		if (!parse_date(json_object_get_string(dv), &y, &m, &d))
			return 0;
		static const struct {
			const char *name;
			int from, to;
		} parts[] = {{"morning", 6, 12},
		             {"afternoon", 12, 18},
		             {"evening", 18, 24},
		             {"night", 0, 6}};
		const char *p = json_object_get_string(pv);
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
			if (strcmp(p, parts[i].name) == 0) {
				int64_t day = time_days_from_civil(y, m, d) * 86400 * US_PER_SEC;
				out->start = day + parts[i].from * 3600 * US_PER_SEC;
				out->end = day + parts[i].to * 3600 * US_PER_SEC;
				out->has_start = out->has_end = 1;
				return 2;
			}
		}
	}
	return 0;
}
