/* Escaping bytes from outside for messages, reports and JSON (escape.h). */
#include "correlate/escape.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid multibyte UTF-8 sequence at s[0..len), or 0 when
 * s[0] does not start one (RFC 3629, table 3-7 of the Unicode standard:
 * no overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int is_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] <= 0x9f;
}

/* The escaped form of the character at s[0..len) into piece (at most 9
 * bytes, not terminated); *used gets the input bytes it stands for. */
static size_t esc_one(const unsigned char *s, size_t len, enum esc_mode mode, char *piece,
		      size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : utf8_seq(s, len), o = 0;
	if (n == 0) { /* not UTF-8: this byte alone, the next one starts afresh */
		*used = 1;
		goto bytes;
	}
	*used = n;
	if (mode == ESC_UTF8 || (c >= 0x20 && c < 0x7f && c != '\\') || (n > 1 && !is_c1(s, n))) {
		memcpy(piece, s, n);
		return n;
	}
	if (c == '\\' && mode == ESC_SAFE) {
		piece[0] = '\\';
		return 1;
	}
	if (c == '\\') {
		piece[0] = piece[1] = '\\';
		return 2;
	}
bytes:
	for (size_t i = 0; i < *used; i++) {
		piece[o++] = '\\';
		piece[o++] = 'x';
		piece[o++] = hex[s[i] >> 4];
		piece[o++] = hex[s[i] & 15];
	}
	return o;
}

size_t esc_bytes(char *out, size_t cap, const char *s, size_t len, enum esc_mode mode)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		char piece[16];
		size_t used, n = esc_one(u + i, len - i, mode, piece, &used);
		if (o + n >= cap)
			break;
		memcpy(out + o, piece, n);
		o += n;
		i += used;
	}
	out[o] = '\0';
	return o;
}

const char *esc_str(char *out, size_t cap, const char *s, enum esc_mode mode)
{
	esc_bytes(out, cap, s ? s : "", s ? strlen(s) : 0, mode);
	return out;
}

char *esc_strdup(const char *s, enum esc_mode mode)
{
	size_t len = s ? strlen(s) : 0;
	char *out = malloc(ESC_MAX(len));
	if (!out)
		return NULL;
	esc_bytes(out, ESC_MAX(len), s ? s : "", len, mode);
	return out;
}

int esc_fputs(const char *s, enum esc_mode mode, FILE *f)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)u);
	for (size_t i = 0; i < len;) {
		/* Runs that need nothing go out in one write. */
		size_t run = i;
		while (run < len && u[run] >= 0x20 && u[run] < 0x7f &&
		       (u[run] != '\\' || mode != ESC_TEXT))
			run++;
		if (run > i && fwrite(u + i, 1, run - i, f) != run - i)
			return -1;
		i = run;
		if (i == len)
			break;
		char piece[16];
		size_t used, n = esc_one(u + i, len - i, mode, piece, &used);
		if (fwrite(piece, 1, n, f) != n)
			return -1;
		i += used;
	}
	return 0;
}

int esc_is_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		if (u[i] < 0x80) {
			if (u[i] < 0x20 || u[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		size_t n = utf8_seq(u + i, len - i);
		if (n == 0 || is_c1(u + i, n))
			return 0;
		i += n;
	}
	return 1;
}

int esc_is_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = u[i] < 0x80 ? 1 : utf8_seq(u + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

void esc_trim_cut(char *s)
{
	size_t len = strlen(s);
	/* At most 3 continuation bytes after a lead byte: look back that far. */
	for (size_t back = 1; back <= 4 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];
		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: its lead is further back */
		if (c >= 0xc0 && utf8_seq((const unsigned char *)s + len - back, back) == 0 &&
		    (size_t)(c >= 0xf0	 ? 4
			     : c >= 0xe0 ? 3
					 : 2) > back)
			s[len - back] = '\0'; /* a lead whose sequence was cut */
		return;
	}
}

char *esc_json_controls(const char *json)
{
	const unsigned char *u = (const unsigned char *)json;
	size_t len = strlen(json), extra = 0;
	for (size_t i = 0; i < len; i++)
		if (u[i] == 0x7f ||
		    (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f))
			extra += 6;
	char *out = malloc(len + extra + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned cp = 0;
		if (u[i] == 0x7f)
			cp = 0x7f;
		else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			cp = u[++i];
		if (!cp) {
			out[o++] = (char)u[i];
			continue;
		}
		/* Only inside strings: JSON's own syntax is ASCII without DEL. */
		o += (size_t)snprintf(out + o, 7, "\\u%04x", cp);
	}
	out[o] = '\0';
	return out;
}
