/* Logging to stderr (collected by the supervisor / journald). Never log secrets or PHI. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *NAMES[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, NAMES[i]) == 0)
			return i;
	return LOG_INFO;
}

void log_msg(int level, const char *fmt, ...)
{
	if (level > g_config.log_level)
		return;
	char line[2048];
	char ts[32];
	time_format(time_now_usec() / 1000 * 1000, ts);
	int n = snprintf(line, sizeof(line), "%s [%d] %s: ", ts, (int)getpid(), NAMES[level]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
