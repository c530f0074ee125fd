#include "correlate/units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fmt_iec(uint64_t bytes, char *out, size_t cap)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	if (bytes < 1024) {
		snprintf(out, cap, "%llu B", (unsigned long long)bytes);
		return out;
	}
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	/* Three significant digits at most: 1.46 GiB, 14.6 GiB, 146 GiB. */
	if (v < 10)
		snprintf(out, cap, "%.2f %s", v, unit[u]);
	else if (v < 100)
		snprintf(out, cap, "%.1f %s", v, unit[u]);
	else
		snprintf(out, cap, "%.0f %s", v, unit[u]);
	return out;
}

const char *fmt_amount(opt_u64 v, int is_count, char *buf, size_t cap)
{
	if (!v.known)
		return "unknown";
	if (is_count) {
		snprintf(buf, cap, "%llu", (unsigned long long)v.v);
		return buf;
	}
	return fmt_iec(v.v, buf, cap);
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
	    {"KiB", 1024.0},
	    {"MiB", 1048576.0},
	    {"GiB", 1073741824.0},
	    {"TiB", 1099511627776.0},
	    {"K", 1024.0},
	    {"M", 1048576.0},
	    {"G", 1073741824.0},
	    {"T", 1099511627776.0},
	    {"kB", 1e3},
	    {"KB", 1e3},
	    {"MB", 1e6},
	    {"GB", 1e9},
	    {"TB", 1e12},
	    {"B", 1.0},
	    {"", 1.0},
	};
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		double b = v * units[i].mult;
		if (b >= 18446744073709551616.0)
			return -1;
		*out = (uint64_t)(b + 0.5 < 18446744073709551616.0 ? b + 0.5 : b);
		return 0;
	}
	return -1;
}

void fmt_append(char *dst, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(dst);
	if (n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + n, cap - n, fmt, ap);
	va_end(ap);
}
