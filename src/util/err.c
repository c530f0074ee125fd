#include "correlate/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "correlate/escape.h"

/* Every message and hint leaves here printable (escape.h, ESC_SAFE): where a
 * caller quoted bytes it did not escape (a process name, a path), they are
 * escaped now, and what the caller escaped stays as it is.  A message cut to
 * its buffer loses the UTF-8 character the cut went through, not just half
 * of it. */
static void finish(char *buf, size_t cap, int cut)
{
	if (cut)
		esc_trim_cut(buf);
	size_t len = strlen(buf);
	if (esc_is_clean(buf, len))
		return;
	char tmp[sizeof((struct err *)0)->msg];
	_Static_assert(sizeof tmp == sizeof((struct err *)0)->hint, "msg and hint differ in size");
	esc_bytes(tmp, sizeof tmp < cap ? sizeof tmp : cap, buf, len, ESC_SAFE);
	memcpy(buf, tmp, strlen(tmp) + 1);
}

__attribute__((format(printf, 3, 0))) static void vformat(char *buf, size_t cap, const char *fmt,
							  va_list ap)
{
	int n = vsnprintf(buf, cap, fmt, ap);
	finish(buf, cap, n >= 0 && (size_t)n >= cap);
}

int err_set(struct err *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vformat(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->code = code;
	err->hint[0] = '\0';
	return code;
}

int err_hint(struct err *err, const char *fmt, ...)
{
	if (!err)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vformat(err->hint, sizeof err->hint, fmt, ap);
	va_end(ap);
	return err->code;
}

int err_prefix(struct err *err, const char *fmt, ...)
{
	if (!err)
		return 0;
	char pre[sizeof err->msg], old[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	vformat(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	int n = snprintf(err->msg, sizeof err->msg, "%s: %s", pre, old);
	finish(err->msg, sizeof err->msg, n >= 0 && (size_t)n >= sizeof err->msg);
	return err->code;
}
