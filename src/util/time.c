/* RFC 3339 times as microseconds since the epoch (UTC). */
#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

usec_t time_now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int time_days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* days since 1970-01-01 (proleptic Gregorian, H. Hinnant's algorithm) */
int64_t time_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yy + (*m <= 2);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d))
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 || *d > time_days_in_month(*y, *m))
		return -1;
	return 0;
}

int time_parse(const char *s, usec_t *out)
{
	int y, mo, d, h, mi, sec = 0;
	size_t n = strlen(s);
	if (n < 16)
		return -1;
	char date[11];
	memcpy(date, s, 10);
	date[10] = 0;
	if (date_parse(date, &y, &mo, &d))
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if (digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
		return -1;
	const char *p = s + 16;
	int64_t frac = 0;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec))
			return -1;
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			int nd = 0;
			int64_t scale = 100000;
			while (*p >= '0' && *p <= '9') {
				if (nd < 6)
					frac += (*p - '0') * scale;
				scale /= 10;
				nd++;
				p++;
			}
			if (nd == 0)
				return -1;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		int sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh))
			return -1;
		if (p[3] == ':') {
			if (digits(p + 4, 2, &om))
				return -1;
			p += 6;
		} else if (p[3] >= '0' && p[3] <= '9') {
			if (digits(p + 3, 2, &om))
				return -1;
			p += 5;
		} else {
			om = 0;
			p += 3;
		}
		if (oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return -1;
	int64_t secs = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	*out = secs * 1000000 + frac;
	return 0;
}

void time_format(usec_t t, char *out)
{
	int64_t secs = t >= 0 ? t / 1000000 : -((-t + 999999) / 1000000);
	int64_t us = t - secs * 1000000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t y;
	int m, d;
	time_civil_from_days(days, &y, &m, &d);
	int n = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, d, (int)(rem / 3600),
	                 (int)(rem / 60 % 60), (int)(rem % 60));
	if (us)
		snprintf(out + n, 32 - (size_t)n, ".%06dZ", (int)us);
	else
		snprintf(out + n, 32 - (size_t)n, "Z");
}
