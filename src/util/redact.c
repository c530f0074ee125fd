#include "correlate/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int secret_name(const char *name, size_t n)
{
	static const char *const words[] = {"pass", "secret",  "token",	 "key",	   "auth",
					    "cred", "private", "cookie", "session"};
	char low[64];
	if (n >= sizeof low)
		n = sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

/* Appends word to out, as is or redacted. */
static void put(char *out, size_t cap, size_t *o, const char *w, size_t n)
{
	if (*o + n + 2 > cap)
		n = cap > *o + 2 ? cap - *o - 2 : 0;
	if (*o)
		out[(*o)++] = ' ';
	memcpy(out + *o, w, n);
	*o += n;
	out[*o] = '\0';
}

void cmdline_redact(char *cmdline, size_t cap)
{
	char out[4096], word[1024];
	size_t o = 0;
	int next_secret = 0;
	if (cap > sizeof out)
		cap = sizeof out;
	out[0] = '\0';
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *st = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - st);
		if (n >= sizeof word)
			n = sizeof word - 1;
		memcpy(word, st, n);
		word[n] = '\0';
		if (next_secret && word[0] != '-') {
			put(out, cap, &o, "REDACTED", 8);
			next_secret = 0;
			continue;
		}
		next_secret = 0;
		/* user:password@ in a URL */
		char *scheme = strstr(word, "://");
		char *at = scheme ? strchr(scheme + 3, '@') : NULL;
		char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
		if (at && (!slash || at < slash)) {
			char red[1100];
			snprintf(red, sizeof red, "%.*sREDACTED%s", (int)(scheme + 3 - word), word,
				 at);
			put(out, cap, &o, red, strlen(red));
			continue;
		}
		if (word[0] == '-') {
			const char *name = word + (word[1] == '-' ? 2 : 1);
			char *eq = strchr(word, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			if (secret_name(name, nlen)) {
				if (eq) {
					char red[1100];
					snprintf(red, sizeof red, "%.*s=REDACTED", (int)(eq - word),
						 word);
					put(out, cap, &o, red, strlen(red));
				} else {
					put(out, cap, &o, word, n);
					next_secret = 1;
				}
				continue;
			}
		}
		put(out, cap, &o, word, n);
	}
	snprintf(cmdline, cap, "%s", out);
}

size_t environ_keep_go(const char *buf, size_t len, char *out)
{
	static const char *const keep[] = {
	    "GOGC=", "GOMEMLIMIT=", "GODEBUG=", "GOMAXPROCS=", "GOTRACEBACK="};
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		const char *e = buf + i;
		const char *nul = memchr(e, '\0', len - i);
		size_t n = nul ? (size_t)(nul - e) : len - i;
		for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
			if (n >= strlen(keep[k]) && memcmp(e, keep[k], strlen(keep[k])) == 0) {
				memmove(out + o, e, n); /* out may be buf */
				o += n;
				out[o++] = '\0';
				break;
			}
		i += n + 1;
	}
	return o;
}
