/* Small formatting every renderer of the report shares. */
#include "report/report.h"

#include <stdio.h>
#include <string.h>

void
report_sparkline(const int64_t *v, size_t n, char *buf, size_t len)
{
	/* U+2581..U+2588, three bytes each in UTF-8. */
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	int64_t max = 0;
	size_t i, at = 0;
	int level;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (i = 0; i < n && at + 4 <= len; i++) {
		/* Zero is the lowest bar; any count at all is at least the second. */
		if (v[i] <= 0)
			level = 0;
		else if (max == 1)
			level = 7;
		else
			level = 1 + (int)((v[i] - 1) * 6 / (max - 1));
		memcpy(buf + at, bars[level], 3);
		at += 3;
		buf[at] = '\0';
	}
}

void
report_duration(int64_t ms, char *buf, size_t len)
{
	long long s = ms / 1000;

	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (s < 60)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%lldd%lldh", s / 86400, s / 3600 % 24);
}
