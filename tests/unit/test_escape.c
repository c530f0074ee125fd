/* Quoted text is escaped everywhere (issue 9, item 6): the escaping rule of
 * include/correlate/escape.h on its own, then every parser fed bytes a
 * hostile endpoint, process or pair file could hold (ESC, BEL, CR, BS,
 * DEL, C1, invalid UTF-8) where its error message quotes them, then the
 * three renderers and the pair writer on a capture full of such bytes.
 *
 * What is held: no message, hint or output line carries a byte below 0x20
 * (the reports' own newlines and JSON's indentation aside), DEL, a C1
 * control, or invalid UTF-8; and the quote is still there, escaped (the
 * message still says what was wrong). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/buildinfo.h"
#include "correlate/capture.h"
#include "correlate/context.h"
#include "correlate/err.h"
#include "correlate/escape.h"
#include "correlate/expect.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/memstats.h"
#include "correlate/meta.h"
#include "correlate/net.h"
#include "correlate/proc.h"
#include "correlate/render.h"
#include "testutil.h"

/* Sets the terminal's title, clears the screen, turns text red, returns the
 * cursor and rubs out a character; then an invalid byte, CSI as a C1
 * control, DEL.  No ':', no space, no '"', no newline: it stays one token
 * of the line it is put in. */
#define H "\x1b]0;owned\x07\x1b[2J\x1b[31mRED\r\x08\xff\xc2\x9b\x7f"
/* How H must show in a message: every byte of it that is not plain text as
 * \xNN. */
#define H_ESC "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mRED\\x0d\\x08\\xff\\xc2\\x9b\\x7f"
/* Its first bytes, where a message quotes only the start of a line. */
#define H_ESC_START "\\x1b]0;owned\\x07"

/* s escaped, for a failure message that must not itself carry the bytes. */
static const char *shown(const char *s, size_t len)
{
	static char buf[4][ESC_MAX(2048)];
	static int next;
	char *b = buf[next++ % 4];
	esc_bytes(b, sizeof buf[0], s, len < 2048 ? len : 2048, ESC_TEXT);
	return b;
}

/* ---- the rule --------------------------------------------------------------- */

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen */
	const char *text, *safe, *utf8;
};

static const struct esc_case esc_cases[] = {
    {"plain text", 0, "plain text", "plain text", "plain text"},
    {"", 0, "", "", ""},
    {"a\x1b[2Jb", 0, "a\\x1b[2Jb", "a\\x1b[2Jb", "a\x1b[2Jb"}, /* ESC */
    {"bell\x07", 0, "bell\\x07", "bell\\x07", "bell\x07"},     /* BEL */
    {"cr\rlf\ntab\t", 0, "cr\\x0dlf\\x0atab\\x09", "cr\\x0dlf\\x0atab\\x09", "cr\rlf\ntab\t"},
    {"bs\x08", 0, "bs\\x08", "bs\\x08", "bs\x08"},		       /* BS */
    {"nul\0after", 9, "nul\\x00after", "nul\\x00after", "nul\0after"}, /* NUL, by length */
    {"del\x7f", 0, "del\\x7f", "del\\x7f", "del\x7f"},		       /* DEL */
    {"csi\xc2\x9b"
     "2J",
     0, "csi\\xc2\\x9b2J", "csi\\xc2\\x9b2J",
     "csi\xc2\x9b"
     "2J"},								 /* C1 */
    {"nel\xc2\x85", 0, "nel\\xc2\\x85", "nel\\xc2\\x85", "nel\xc2\x85"}, /* C1 NEL */
    {"\xc2\x80\xc2\x9f", 0, "\\xc2\\x80\\xc2\\x9f", "\\xc2\\x80\\xc2\\x9f", "\xc2\x80\xc2\x9f"},
    {"nbsp\xc2\xa0", 0, "nbsp\xc2\xa0", "nbsp\xc2\xa0", "nbsp\xc2\xa0"}, /* U+00A0: text */
    {"back\\slash", 0, "back\\\\slash", "back\\slash", "back\\slash"},
    {"\\x1b", 0, "\\\\x1b", "\\x1b", "\\x1b"}, /* text that looks like an escape */
    {"quote\"d", 0, "quote\"d", "quote\"d", "quote\"d"},
    /* valid multibyte kept */
    {"/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80", 0,
     "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80",
     "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80",
     "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"},
    {"\xf4\x8f\xbf\xbf\xef\xbf\xbd", 0, "\xf4\x8f\xbf\xbf\xef\xbf\xbd",
     "\xf4\x8f\xbf\xbf\xef\xbf\xbd", "\xf4\x8f\xbf\xbf\xef\xbf\xbd"}, /* U+10FFFF, U+FFFD */
    {"\xd0\x9f\xd1\x80\xd0\xb8", 0, "\xd0\x9f\xd1\x80\xd0\xb8", "\xd0\x9f\xd1\x80\xd0\xb8",
     "\xd0\x9f\xd1\x80\xd0\xb8"}, /* Cyrillic */
    /* invalid UTF-8: each byte on its own */
    {"caf\xe9", 0, "caf\\xe9", "caf\\xe9", "caf\\xe9"},	       /* Latin-1 */
    {"\x80", 0, "\\x80", "\\x80", "\\x80"},		       /* a stray continuation */
    {"\xc0\xaf", 0, "\\xc0\\xaf", "\\xc0\\xaf", "\\xc0\\xaf"}, /* overlong '/' */
    {"\xc1\xbf", 0, "\\xc1\\xbf", "\\xc1\\xbf", "\\xc1\\xbf"},
    {"\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf", "\\xe0\\x80\\xaf", "\\xe0\\x80\\xaf"}, /* overlong */
    {"\xf0\x80\x80\xaf", 0, "\\xf0\\x80\\x80\\xaf", "\\xf0\\x80\\x80\\xaf", "\\xf0\\x80\\x80\\xaf"},
    {"\xed\xa0\x80", 0, "\\xed\\xa0\\x80", "\\xed\\xa0\\x80", "\\xed\\xa0\\x80"}, /* surrogate */
    {"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80", "\\xf4\\x90\\x80\\x80",
     "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
    {"\xf5\x80\x80\x80", 0, "\\xf5\\x80\\x80\\x80", "\\xf5\\x80\\x80\\x80", "\\xf5\\x80\\x80\\x80"},
    {"\xfe\xff", 0, "\\xfe\\xff", "\\xfe\\xff", "\\xfe\\xff"},
    {"cut\xe2\x82", 0, "cut\\xe2\\x82", "cut\\xe2\\x82", "cut\\xe2\\x82"}, /* truncated at end */
    {"\xe2\x82"
     "x",
     0, "\\xe2\\x82x", "\\xe2\\x82x", "\\xe2\\x82x"}, /* truncated inside */
    {"\xf0\x9f\x98", 0, "\\xf0\\x9f\\x98", "\\xf0\\x9f\\x98", "\\xf0\\x9f\\x98"},
    {"\xc3\xc3\xa9", 0, "\\xc3\xc3\xa9", "\\xc3\xc3\xa9", "\\xc3\xc3\xa9"}, /* lead, then é */
};

static void test_rule(void **state)
{
	(void)state;
	static const enum esc_mode modes[] = {ESC_TEXT, ESC_SAFE, ESC_UTF8};
	for (size_t i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
		const struct esc_case *c = &esc_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		const char *want[] = {c->text, c->safe, c->utf8};
		for (int m = 0; m < 3; m++) {
			char out[256];
			size_t n = esc_bytes(out, sizeof out, c->in, len, modes[m]);
			size_t wl = c->len && m == 2 ? c->len : strlen(want[m]);
			if (n != wl || memcmp(out, want[m], wl) != 0)
				fail_msg("case %zu \"%s\", mode %d: got \"%s\", want \"%s\"", i,
					 shown(c->in, len), m, shown(out, n), shown(want[m], wl));
			if (m < 2 && !esc_is_clean(out, n))
				fail_msg("case %zu mode %d: not clean: \"%s\"", i, m,
					 shown(out, n));
			if (!esc_is_utf8(out, n))
				fail_msg("case %zu mode %d: not UTF-8: \"%s\"", i, m,
					 shown(out, n));
			/* The stream form writes the same bytes (terminated inputs only). */
			if (!c->len) {
				char *mem = NULL;
				size_t ml = 0;
				FILE *f = open_memstream(&mem, &ml);
				assert_non_null(f);
				assert_int_equal(esc_fputs(c->in, modes[m], f), 0);
				fclose(f);
				if (ml != n || memcmp(mem, out, n) != 0)
					fail_msg(
					    "case %zu mode %d: esc_fputs \"%s\", esc_bytes \"%s\"",
					    i, m, shown(mem, ml), shown(out, n));
				free(mem);
			}
		}
	}
}

/* ESC_TEXT undone: \\ is a backslash, \xNN a byte, the rest as it is. */
static size_t unescape(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x') {
			char hex[3] = {s[i + 2], s[i + 3], 0};
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* Random bytes, weighted towards the interesting ones: ESC_TEXT's output is
 * clean, UTF-8, and gives back exactly the input; ESC_SAFE's is clean and
 * is its own escape (escaping twice changes nothing). */
static void test_rule_random(void **state)
{
	(void)state;
	static const unsigned char pick[] = {0x00, 0x07, 0x08, 0x0a, 0x0d, 0x1b, 0x1f, 0x20, 'a',
					     '\\', 'x',	 '"',  0x7f, 0x80, 0x9b, 0xa9, 0xbf, 0xc0,
					     0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xff};
	uint32_t seed = 12345;
	for (int round = 0; round < 20000; round++) {
		unsigned char in[24];
		size_t len = (size_t)(round % 24);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			in[i] = r & 1 ? pick[(r >> 1) % sizeof pick] : (unsigned char)(r >> 4);
		}
		char out[ESC_MAX(24)], back[24], twice[ESC_MAX(ESC_MAX(24))];
		size_t n = esc_bytes(out, sizeof out, (const char *)in, len, ESC_TEXT);
		if (!esc_is_clean(out, n) || !esc_is_utf8(out, n))
			fail_msg("not clean: \"%s\"", shown(out, n));
		size_t b = unescape(out, n, back);
		if (b != len || memcmp(back, in, len) != 0)
			fail_msg("\"%s\" does not give the input back", shown(out, n));
		n = esc_bytes(out, sizeof out, (const char *)in, len, ESC_SAFE);
		size_t n2 = esc_bytes(twice, sizeof twice, out, n, ESC_SAFE);
		if (!esc_is_clean(out, n) || n2 != n || memcmp(twice, out, n) != 0)
			fail_msg("ESC_SAFE twice: \"%s\" then \"%s\"", shown(out, n),
				 shown(twice, n2));
		n = esc_bytes(out, sizeof out, (const char *)in, len, ESC_UTF8);
		if (!esc_is_utf8(out, n))
			fail_msg("ESC_UTF8 not UTF-8: \"%s\"", shown(out, n));
	}
}

/* A buffer too small: what fits, never half an escape or a character. */
static void test_rule_cut(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(esc_bytes(out, 6, "\x1b\x1b", 2, ESC_TEXT), 4);
	assert_string_equal(out, "\\x1b");
	assert_int_equal(esc_bytes(out, 4, "\xc3\xa9\xc3\xa9", 4, ESC_TEXT), 2);
	assert_string_equal(out, "\xc3\xa9");
	assert_int_equal(esc_bytes(out, 2, "\\", 1, ESC_TEXT), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_bytes(out, 1, "abc", 3, ESC_TEXT), 0);
	assert_int_equal(esc_bytes(out, 0, "abc", 3, ESC_TEXT), 0);
	assert_string_equal(esc_str(out, sizeof out, NULL, ESC_TEXT), "");

	char s[16];
	snprintf(s, sizeof s, "abc\xe2\x82");
	esc_trim_cut(s);
	assert_string_equal(s, "abc");
	snprintf(s, sizeof s, "ab\xf0\x9f\x98");
	esc_trim_cut(s);
	assert_string_equal(s, "ab");
	snprintf(s, sizeof s, "ab\xc3");
	esc_trim_cut(s);
	assert_string_equal(s, "ab");
	snprintf(s, sizeof s, "ab\xc3\xa9");
	esc_trim_cut(s);
	assert_string_equal(s, "ab\xc3\xa9");
	snprintf(s, sizeof s, "ab\xf0\x9f\x98\x80");
	esc_trim_cut(s);
	assert_string_equal(s, "ab\xf0\x9f\x98\x80");
	snprintf(s, sizeof s, "abc");
	esc_trim_cut(s);
	assert_string_equal(s, "abc");
}

static void test_json_controls(void **state)
{
	(void)state;
	char *j = esc_json_controls("{\"a\": \"x\x7fy\xc2\x9bz\xc2\xa0\xc3\xa9\"}");
	assert_non_null(j);
	assert_string_equal(j, "{\"a\": \"x\\u007fy\\u009bz\xc2\xa0\xc3\xa9\"}");
	cJSON *v = cJSON_Parse(j);
	assert_non_null(v);
	assert_string_equal(cJSON_GetObjectItem(v, "a")->valuestring,
			    "x\x7fy\xc2\x9bz\xc2\xa0\xc3\xa9");
	cJSON_Delete(v);
	free(j);
}

/* ---- messages --------------------------------------------------------------- */

/* A message or hint that must be clean, and (needle) still quote H. */
static void check_text(const char *what, const char *field, const char *s, const char *needle)
{
	if (!esc_is_clean(s, strlen(s)))
		fail_msg("%s: the %s holds raw bytes: \"%s\"", what, field, shown(s, strlen(s)));
	if (needle && !strstr(s, needle))
		fail_msg("%s: the %s \"%s\" does not quote \"%s\"", what, field,
			 shown(s, strlen(s)), needle);
}

static void check_err(const char *what, int rc, const struct err *e, const char *needle)
{
	if (rc == 0 || e->code != rc)
		fail_msg("%s: rc %d, code %d, expected an error: \"%s\"", what, rc, e->code,
			 shown(e->msg, strlen(e->msg)));
	check_text(what, "message", e->msg, needle);
	check_text(what, "hint", e->hint, NULL);
}

/* err_set, err_hint and err_prefix themselves: bytes a caller quoted raw are
 * escaped (ESC_SAFE); a message cut to its buffer is cut at a character. */
static void test_err(void **state)
{
	(void)state;
	struct err e = {0};
	err_set(&e, ERR_PROC, "pid 7 (%s) exited", "m" H);
	check_err("err_set", ERR_PROC, &e, "pid 7 (m" H_ESC ") exited");
	err_hint(&e, "try %s", H);
	check_text("err_hint", "hint", e.hint, "try " H_ESC);
	err_prefix(&e, "%s", "http://x/" H);
	check_err("err_prefix", ERR_PROC, &e, "http://x/" H_ESC ": pid 7");
	/* already escaped: unchanged */
	err_set(&e, ERR_PROC, "quoted \"%s\"", "\\\\ and \\x1b");
	assert_string_equal(e.msg, "quoted \"\\\\ and \\x1b\"");
	/* cut in the middle of a character */
	char big[400];
	memset(big, 'a', sizeof big);
	for (size_t i = 1; i + 1 < sizeof big; i += 2)
		big[i] = '\xc3', big[i + 1] = '\xa9';
	big[sizeof big - 1] = '\0';
	err_set(&e, ERR_USAGE, "%s", big);
	check_err("a message cut to its buffer", ERR_USAGE, &e, NULL);
	err_set(&e, ERR_USAGE, "a%s", big);
	check_err("a message cut to its buffer (odd)", ERR_USAGE, &e, NULL);
	err_prefix(&e, "%s", "\xc3\xa9\xc3\xa9");
	check_err("a prefixed message cut to its buffer", ERR_USAGE, &e, NULL);
}

/* ---- the parsers ------------------------------------------------------------ */

static void status_case(const char *in, const char *needle)
{
	struct proc_status st;
	struct err e = {0};
	check_err(shown(in, strlen(in)), parse_status(in, strlen(in), &st, &e), &e, needle);
}

static void test_status(void **state)
{
	(void)state;
	/* The tab after the colon is quoted too, as \x09. */
	status_case("Name:\tgo\nVmRSS:\t" H " kB\n",
		    "VmRSS: not a number below 2^64: \"\\x09" H_ESC " kB\"");
	/* The quote is the value's first 40 bytes. */
	status_case("Name:\tgo\nVmRSS:\t18446744073709551615 kB" H "\n",
		    "18446744073709551615 kB" H_ESC_START);
	status_case("Name:\tgo\nThreads: " H "\n", "Threads: not a number below 2^64: \" " H_ESC);
	status_case(H "\n", NULL); /* no Name, no Tgid */
}

static void rollup_case(const char *in, const char *needle)
{
	struct smaps_values v;
	struct err e = {0};
	check_err(shown(in, strlen(in)), parse_smaps_rollup(in, strlen(in), &v, &e), &e, needle);
}

#define ROLLUP_HEAD "00400000-7ffc0000 ---p 00000000 00:00 0                          [rollup]\n"

static void test_smaps_rollup(void **state)
{
	(void)state;
	rollup_case(ROLLUP_HEAD "Rss: " H " kB\n",
		    "smaps: Rss: not a number below 2^64: \" " H_ESC);
	rollup_case(ROLLUP_HEAD "Rss: 18446744073709551615 kB" H "\n",
		    "Rss:  18446744073709551615 kB" H_ESC_START);
	rollup_case("0" H "\n", "not a mapping header: \"0" H_ESC "\"");
	rollup_case(ROLLUP_HEAD H "\n", "expected \"Key: value\": \"" H_ESC "\"");
	rollup_case(H ":\n", "counters before any mapping header");
	rollup_case("00400000-00401000 r--p 00000000 00:00 0 " H "\nRss: 4 kB\n",
		    "does not end in [rollup]");
}

static void smaps_case(const char *in, const char *needle)
{
	struct smaps_parser p;
	struct err e = {0};
	smaps_parser_init(&p, NULL, NULL);
	int rc = smaps_parser_feed(&p, in, strlen(in), &e);
	if (!rc)
		rc = smaps_parser_finish(&p, &e);
	check_err(shown(in, strlen(in)), rc, &e, needle);
}

static void test_smaps(void **state)
{
	(void)state;
	const char *map = "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 /tmp/" H "\n";
	char in[1024];
	snprintf(in, sizeof in, "%sSize:  " H " kB\n", map);
	smaps_case(in, "smaps: Size: not a number below 2^64: \"  " H_ESC " kB\"");
	snprintf(in, sizeof in, "%sSize:  4 kB\n" H "\n", map);
	smaps_case(in, "line 3: expected \"Key: value\": \"" H_ESC "\"");
	snprintf(in, sizeof in, "%sSize:  4 kB\n7" H "\n", map);
	smaps_case(in, "line 3: not a mapping header: \"7" H_ESC "\"");
	smaps_case("7f0000000000-7f0000001000 " H " 00000000 00:00 0 /x\n",
		   "not a mapping header: \"7f0000000000-7f0000001000 " H_ESC);
	/* A long line: the quote is cut at a whole escape, the message is too. */
	char lng[600];
	snprintf(lng, sizeof lng, "%s", "0");
	for (int i = 0; i < 20; i++)
		strcat(lng, H);
	strcat(lng, "\n");
	smaps_case(lng, "not a mapping header: \"0" H_ESC);
}

static int body_case(const char *in, size_t len, const char *needle)
{
	struct go_snapshot s;
	struct err e = {0};
	int rc = parse_body(in, len ? len : strlen(in), &s, &e);
	check_err(shown(in, len ? len : strlen(in)), rc, &e, needle);
	/* And fed one byte at a time: the same message. */
	struct body_parser *p = body_parser_new(0);
	struct err e2 = {0};
	assert_non_null(p);
	int rc2 = 0;
	for (size_t i = 0; i < (len ? len : strlen(in)) && !rc2; i++)
		rc2 = body_parser_feed(p, in + i, 1, &e2);
	if (!rc2)
		rc2 = body_parser_finish(p, &s, &e2);
	body_parser_free(p);
	check_err("byte by byte", rc2, &e2, needle);
	return rc;
}

#define PPROF "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n# runtime.MemStats\n"

static void test_pprof(void **state)
{
	(void)state;
	body_case(PPROF H "\n", 0, "expected \"# Key = value\": \"" H_ESC "\"");
	body_case(PPROF "# Sys = " H "\n", 0, "Sys: not a non-negative 64-bit integer: \" " H_ESC);
	body_case(PPROF "# Sys = 5" H "\n", 0,
		  "Sys: not a non-negative 64-bit integer: \" 5" H_ESC);
	body_case(PPROF "# Stack = 5 " H "\n", 0,
		  "Stack: expected \"inuse / sys\", got \" 5 " H_ESC);
	body_case(PPROF "# Stack = 5 / " H "\n", 0, "Stack: not a non-negative 64-bit integer");
	body_case(PPROF "# HeapAlloc = 1\n" H, 0, "expected \"# Key = value\": \"" H_ESC "\"");
}

static void test_expvar(void **state)
{
	(void)state;
	body_case("{\"memstats\": {\"Sys\": " H "}}", 0, "memstats.Sys is not a number");
	body_case("{\"" H "\": 1}", 0, "a control character in a string");
	body_case("{\"memstats\": {\"Sys\": 1" H "}}", 0, "expvar: not valid JSON");
	body_case("{\"\xff\xfe\xc0\xaf\": 1}", 0, "no \"memstats\" member");
	body_case("{\"memstats\": \""
		  "\xc2\x9b"
		  "\"}",
		  0, "\"memstats\" is not an object");
	body_case("[" H, 0, "not an object");
}

static void test_prom(void **state)
{
	(void)state;
	/* The body of the issue. */
	body_case("go_memstats_sys_bytes" H " 12\n", 0,
		  "not Prometheus text: line 1: expected a space before the value: "
		  "\"go_memstats_sys_bytes" H_ESC " 12\"");
	body_case("go_memstats_sys_bytes 1" H "\n", 0,
		  "the value is not a number: "
		  "\"go_memstats_sys_bytes 1" H_ESC "\"");
	body_case("# HELP x\nmetric " H "\n", 0, "line 2: the value is not a number");
	body_case("go_memstats_sys_bytes{a=\"" H "\n", 0,
		  "unterminated labels: \"go_memstats_sys_bytes{a=\"" H_ESC);
	body_case("x{a=\"1\"}" H "\n", 0, "expected a space before the value");
	body_case("go_info{version=\"go1.21" H "\"} 1\ngo_info{version=\"go1.22\x07\"} 1\n", 0,
		  "go_info's version \"go1.21\\x1b]0;owned\\x07");
	body_case("go_memstats_sys_bytes 1e99999" H "\n", 0, "the value is not a number");
}

static void test_prom_quote_backslash(void **state)
{
	(void)state;
	/* A backslash in the body shows doubled: \x1b in a message is a byte. */
	body_case("x{a=\"1\"}\\x1b 1\n", 0, "\"x{a=\"1\"}\\\\x1b 1\"");
}

static void test_body_detection(void **state)
{
	(void)state;
	body_case(H, 0, "not pprof text, expvar JSON or Prometheus text (starts \"" H_ESC);
	body_case("  \n" H "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, "(starts \"" H_ESC);
	body_case("goroutine profile: " H, 0,
		  "a pprof profile without MemStats (\"goroutine profile: " H_ESC_START);
	body_case("--- " H, 0, "a pprof profile without MemStats (\"--- " H_ESC);
	body_case("\x1f\x8b" H, 0, "gzip data");
	body_case("<" H, 0, "HTML or XML page");
	static const char nul[] = "\0\x01\x02" H;
	body_case(nul, sizeof nul - 1, "(starts \"\\x00\\x01\\x02" H_ESC);
}

/* expect.json's, meta.json's and cgroup.json's errors. */
static void pair_case(int which, const char *in, const char *needle)
{
	struct err e = {0};
	int rc = 0;
	static struct capture c;
	struct expectation x;
	struct cgroup_info cg;
	struct status_values sv;
	memset(&c, 0, sizeof c);
	switch (which) {
	case 0:
		rc = parse_expect(in, strlen(in), &x, &e);
		break;
	case 1:
		rc = parse_meta(in, strlen(in), &c, &e);
		break;
	case 2:
		rc = parse_cgroup_json(in, strlen(in), &cg, &e);
		break;
	case 3:
		rc = parse_top(in, strlen(in), &sv, &e);
		break;
	}
	check_err(shown(in, strlen(in)), rc, &e, needle);
}

static void test_pair_files(void **state)
{
	(void)state;
	pair_case(0, "{\"" H "\": 1}", "expect.json: unknown key \"" H_ESC "\"");
	pair_case(0, "{\"a\\u001b]0;owned\\u0007\\u009b\": 1}",
		  "unknown key \"a\\x1b]0;owned\\x07\\xc2\\x9b\"");
	pair_case(0, "{\"\xff\xfe\xc0\xaf\": 1}", "unknown key \"\\xff\\xfe\\xc0\\xaf\"");
	pair_case(0, "{\"must_include\": [\"" H "\"]}",
		  "expect.json: must_include: \"" H_ESC "\" is not a finding id");
	pair_case(0, "{\"must_not_include\": [\"x\\u001b\"]}", "\"x\\x1b\" is not a finding id");
	pair_case(0, "{\"findings\": {\"" H "\": {}}}",
		  "expect.json: findings: \"" H_ESC "\" is not a finding id");
	pair_case(0, "{\"findings\": {\"non_go_anon\": {\"" H "\": 1}}}",
		  "findings.non_go_anon: unknown key \"" H_ESC "\"");
	pair_case(0, "{\"top_finding\": \"" H "\"}", "top_finding: a finding id");
	pair_case(0, "{\"max_severity\": \"" H "\"}", "max_severity: info, warning");
	/* a long key: cut to 40 bytes, whole escapes */
	pair_case(0, "{\"" H H H H "\": 1}", "unknown key \"" H_ESC);
	pair_case(0, H, "expect.json: not a JSON object");
	pair_case(1, "{" H, "meta.json: not a JSON object");
	pair_case(2, "[" H "]", "cgroup.json: not a JSON object");
	pair_case(3, "VIRT " H "\nRES " H "\n", "top: no VIRT and RES");
}

/* A 64-bit little-endian ELF with one writable PT_LOAD holding a Go >= 1.18
 * build info blob: version and module info as inline strings. */
static size_t elf_image(unsigned char *img, size_t cap, const char *version, const char *modinfo)
{
	static const unsigned char start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
						0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
	static const unsigned char end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
					      0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};
	memset(img, 0, cap);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof *eh;
	eh->e_ehsize = sizeof *eh;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	size_t at = 128, o = at;
	memcpy(img + o, "\xff Go buildinf:", 14);
	img[o + 14] = 8;
	img[o + 15] = 2; /* inline strings */
	o += 32;
	size_t vl = strlen(version), ml = strlen(modinfo);
	img[o++] = (unsigned char)vl;
	memcpy(img + o, version, vl);
	o += vl;
	size_t full = ml ? ml + 32 : 0;
	img[o++] = (unsigned char)(full & 0x7f) | (full > 127 ? 0x80 : 0);
	if (full > 127)
		img[o++] = (unsigned char)(full >> 7);
	if (ml) {
		memcpy(img + o, start, 16);
		memcpy(img + o + 16, modinfo, ml);
		memcpy(img + o + 16 + ml, end, 16);
		o += full;
	}
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof *eh);
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_W;
	ph->p_offset = at;
	ph->p_vaddr = 0x800000;
	ph->p_filesz = ph->p_memsz = o - at;
	assert_true(o <= cap);
	return o;
}

struct mem {
	const unsigned char *p;
	size_t len;
};

static long mem_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem *m = ctx;
	if (off > m->len)
		return 0;
	if (len > m->len - off)
		len = m->len - (size_t)off;
	memcpy(buf, m->p + off, len);
	return (long)len;
}

static void test_buildinfo(void **state)
{
	(void)state;
	static unsigned char img[4096];
	struct go_buildinfo bi;
	struct err e = {0};
	/* The version holds control bytes: refused, quoting it. */
	size_t n = elf_image(img, sizeof img, "go1.21" H, "");
	struct mem m = {img, n};
	int rc = buildinfo_read(mem_read_at, &m, n, &bi, &e);
	check_err("a Go version with control bytes", rc, &e,
		  "the Go version is not text: \"go1.21\\x1b]0;owned\\x07");
	/* The module info holds them: read as they are (the renderers escape). */
	n = elf_image(img, sizeof img, "go1.22.1",
		      "path\texample.com/" H "\nbuild\tGOARCH=amd" H "\nbuild\tDefaultGODEBUG=x=" H
		      "\n");
	m.len = n;
	e = (struct err){0};
	assert_int_equal(buildinfo_read(mem_read_at, &m, n, &bi, &e), 0);
	assert_int_equal(bi.found, 1);
	assert_string_equal(bi.path, "example.com/" H);
	assert_memory_equal(bi.goarch, "amd" H, sizeof bi.goarch - 1);
	assert_string_equal(bi.default_godebug, "x=" H);
}

/* parse_net_tcp and parse_net_unix return no message: hostile lines are
 * skipped, and a socket bound to a path holding control bytes is still
 * found by its bytes. */
static int count_listener(const struct listener *l, void *ctx)
{
	(void)l;
	++*(int *)ctx;
	return 0;
}

static void test_net(void **state)
{
	(void)state;
	const char *tcp = "  sl  local_address rem_address   st\n"
			  "   0: 0100007F:1F90 00000000:0000 0A " H " 0 0 0 0 1234 " H "\n"
			  "   1: 0100007F:" H " 00000000:0000 0A 0 0 0 0 0 0 99\n" H "\n";
	int n = 0;
	assert_int_equal(parse_net_tcp(tcp, strlen(tcp), 0, count_listener, &n), 0);
	assert_int_equal(n, 1); /* the first: junk only in columns not read */
	const char *unx = "Num       RefCount Protocol Flags    Type St Inode Path\n"
			  "0000000000000000: 00000002 00000000 00010000 0001 01 4242 /run/" H "\n";
	uint64_t inodes[2];
	assert_int_equal(parse_net_unix(unx, strlen(unx), "/run/" H, inodes, 2), 1);
	assert_int_equal(inodes[0], 4242);
}

/* ---- the renderers ---------------------------------------------------------- */

static struct capture cap;
static struct ledger led;
static struct findings fs;

/* A capture whose every string came from a hostile target: through the
 * context parsers where there is one, else set by hand. */
static void hostile_capture(void)
{
	memset(&cap, 0, sizeof cap);
	cap.os.id.pid = 4242;
	snprintf(cap.os.id.comm, sizeof cap.os.id.comm, "m" H "`|*_");
	snprintf(cap.os.id.exe, sizeof cap.os.id.exe, "/tmp/caf\xc3\xa9/" H "\\x1b");
	snprintf(cap.os.id.cmdline, sizeof cap.os.id.cmdline, "/tmp/" H " -x `id` | y");
	/* valid UTF-8, controls and all: JSON keeps it exactly */
	snprintf(cap.os.id.user, sizeof cap.os.id.user, "u\x1b[2J\x07\xc2\x9b\x7f\xc3\xa9");
	snprintf(cap.os.status.name, sizeof cap.os.status.name, "n" H);
	snprintf(cap.url, sizeof cap.url, "http://127.0.0.1:1/" H);
	snprintf(cap.tried, sizeof cap.tried, "/metrics (HTTP 404: " H_ESC ")" H);
	snprintf(cap.owner, sizeof cap.owner, "pid 4242 holds " H);
	snprintf(cap.command, sizeof cap.command, "correlate --url `http://x/" H "` | tee");
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.23" H);
	cap.os.build.found = 1;
	cap.os.build.cgo = 1;
	snprintf(cap.os.build.go_version, sizeof cap.os.build.go_version, "go1.23" H);
	snprintf(cap.os.build.path, sizeof cap.os.build.path, "example.com/" H);
	snprintf(cap.os.build.goarch, sizeof cap.os.build.goarch, "a`|" H);
	snprintf(cap.os.build.goos, sizeof cap.os.build.goos, "l" H);
	snprintf(cap.os.build.buildmode, sizeof cap.os.build.buildmode, "e" H);
	snprintf(cap.os.build.default_godebug, sizeof cap.os.build.default_godebug, "x=" H);

	static const char environ[] =
	    "GOGC=" H "\0GODEBUG=madvdontneed=0," H "\0GOMEMLIMIT=" H "\0GOMAXPROCS=" H "\0";
	parse_environ(environ, sizeof environ - 1, &cap.os.env);
	const char *cg = "0::/system.slice/" H ".service\n";
	assert_int_equal(parse_proc_cgroup(cg, strlen(cg), &cap.os.cgroup.version,
					   cap.os.cgroup.path, sizeof cap.os.cgroup.path),
			 0);
	char mnt[256], root[256];
	const char *mi = "30 1 0:26 / /sys/fs/" H " rw - cgroup2 cgroup2 rw\n";
	assert_int_equal(
	    parse_mountinfo_cgroup(mi, strlen(mi), 2, mnt, sizeof mnt, root, sizeof root), 0);
	snprintf(cap.os.cgroup.dir, sizeof cap.os.cgroup.dir, "%s%s", mnt, cap.os.cgroup.path);
	cap.os.cgroup.limit = opt_some(256 * MiB);
	cap.os.cgroup.usage = opt_some(250 * MiB);
	parse_thp_mode("always [" H "] never", strlen("always [" H "] never"), cap.os.sys.thp,
		       sizeof cap.os.sys.thp);
	assert_true(strchr(cap.os.sys.thp, '\x1b') != NULL);

	struct go_memstats *m = &cap.go.ms;
	m->heap_alloc = opt_some(95 * MiB);
	m->heap_inuse = opt_some(100 * MiB);
	m->heap_idle = opt_some(10 * MiB);
	m->heap_released = opt_some(6 * MiB);
	m->heap_sys = opt_some(110 * MiB);
	m->stack_inuse = opt_some(1 * MiB);
	m->stack_sys = opt_some(1 * MiB);
	m->mspan_sys = opt_some(1 * MiB);
	m->mcache_sys = opt_some(0);
	m->buck_hash_sys = opt_some(0);
	m->gc_sys = opt_some(4 * MiB);
	m->other_sys = opt_some(0);
	m->sys = opt_some(116 * MiB);
	m->next_gc = opt_some(190 * MiB);
	struct status_values *v = &cap.os.status.v;
	v->vm_size = opt_some(1 * GiB);
	v->rss_anon = opt_some(160 * MiB);
	v->rss_file = opt_some(40 * MiB);
	v->rss_shmem = opt_some(0);
	v->vm_rss = opt_some(200 * MiB);
	v->vm_swap = opt_some(0);
	v->threads = opt_some(10);
	cap.os.have_rollup = 1;
	cap.os.rollup.lazy_free = opt_some(8 * MiB);
	cap.os.rollup.anon_huge_pages = opt_some(0);
	cap.os.rollup.swap = opt_some(0);
	struct mapping_summary *s = &cap.os.maps;
	s->have = 1;
	s->mappings = 3;
	s->cls[MC_GO_HEAP] = (struct class_total){
	    .mappings = 1, .size = 128 * MiB, .rss = 105 * MiB, .anonymous = 105 * MiB};
	s->cls[MC_OTHER_ANON] = (struct class_total){
	    .mappings = 1, .size = 64 * MiB, .rss = 55 * MiB, .anonymous = 55 * MiB};
	s->cls[MC_FILES] = (struct class_total){.mappings = 1, .size = 40 * MiB, .rss = 40 * MiB};
	snprintf(s->files[0].path, sizeof s->files[0].path, "/data/" H "|`x`");
	s->files[0].rss = s->files[0].size = 40 * MiB;
	s->n_files = 1;
	s->rows = xmalloc(sizeof *s->rows);
	s->rows[0] = (struct mapping_row){
	    .start = 0x7f0000000000, .end = 0x7f0002800000, .cls = MC_FILES, .rss = 40 * MiB};
	snprintf(s->rows[0].perms, sizeof s->rows[0].perms, "r\x1b\x07p");
	s->rows[0].path = strdup("/data/" H);
	s->n_rows = s->cap_rows = 1;
	reconcile(&cap, &led);
	findings_compute(&cap, &led, &fs);
	/* And one finding that quotes the bytes as a rule would (a mapped
	 * file's path, the cgroup's): the renderers must not rely on the rules
	 * for the escaping.  First, so that Markdown gives its details. */
	assert_true(fs.n < FINDINGS_MAX);
	memmove(&fs.f[1], &fs.f[0], fs.n * sizeof fs.f[0]);
	fs.n++;
	fs.f[0] =
	    (struct finding){.id = "file_mappings", .severity = SEV_WARNING, .bytes = 40 * MiB};
	snprintf(fs.f[0].summary, sizeof fs.f[0].summary, "40 MiB of /data/" H "|`x`*_[y](z)");
	snprintf(fs.f[0].evidence, sizeof fs.f[0].evidence, "largest: /data/" H "|`x`; cgroup %s",
		 cap.os.cgroup.path);
	snprintf(fs.f[0].advice, sizeof fs.f[0].advice, "look at `ls -l /data` " H);
}

/* Output: clean but for newlines (and tabs, allowed_tab, for JSON's
 * indentation). */
static void check_output(const char *what, const char *s, size_t len, int allowed_tab)
{
	if (!esc_is_utf8(s, len))
		fail_msg("%s: not UTF-8", what);
	size_t st = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n' && !(allowed_tab && s[i] == '\t'))
			continue;
		if (!esc_is_clean(s + st, i - st))
			fail_msg("%s: a raw byte in line \"%s\"", what, shown(s + st, i - st));
		st = i + 1;
	}
}

static char *render(int (*fn)(FILE *, const struct render_input *), int mappings, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	assert_non_null(f);
	struct render_input in = {&cap, &led, &fs, mappings};
	assert_int_equal(fn(f, &in), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_render_text(void **state)
{
	(void)state;
	hostile_capture();
	size_t len;
	char *out = render(render_text, 1, &len);
	check_output("text", out, len, 0);
	/* What must be there, escaped. */
	const char *needles[] = {
	    "pid 4242 (m" H_ESC "`|*_)",
	    "endpoint  http://127.0.0.1:1/" H_ESC,
	    "tried     /metrics (HTTP 404: " H_ESC ")" H_ESC,
	    "owner     pid 4242 holds " H_ESC,
	    "Go        go1.23\\x1b]0;owned",
	    "WARNING  file_mappings          40 MiB of /data/" H_ESC "|`x`*_[y](z)\n",
	    "because: largest: /data/" H_ESC "|`x`; cgroup /system.slice/" H_ESC ".service\n",
	    "try: look at `ls -l /data` " H_ESC "\n",
	    "r\\x1b\\x07p",
	    "  /data/" H_ESC "\n"};
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		if (!strstr(out, needles[i])) {
			fprintf(stderr, "%s", out); /* longer than cmocka's message */
			fail_msg("text: no \"%s\" in it", shown(needles[i], strlen(needles[i])));
		}
	free(out);
	capture_free(&cap);
}

static int has(const char *l, size_t n, const char *needle)
{
	return memmem(l, n, needle, strlen(needle)) != NULL;
}

/* The unescaped pipes of a Markdown line. */
static int pipes(const char *line, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
			k++;
	return k;
}

static void test_render_markdown(void **state)
{
	(void)state;
	hostile_capture();
	size_t len;
	char *out = render(render_markdown, 0, &len);
	check_output("markdown", out, len, 0);
	/* Each table row keeps its columns; the command's code span has only
	 * its own two backticks. */
	int saw_command = 0, saw_summary = 0, saw_evidence = 0;
	for (const char *l = out; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n >= 12 && memcmp(l, "| command | ", 12) == 0) {
			assert_int_equal(pipes(l, n), 3);
			int ticks = 0;
			for (size_t i = 0; i < n; i++)
				ticks += l[i] == '`';
			assert_int_equal(ticks, 2);
			if (!has(l, n, "\\x60http://x/" H_ESC "\\x60 \\| tee`"))
				fail_msg("markdown command row: %s", shown(l, n));
			saw_command = 1;
		} else if (n >= 6 && memcmp(l, "| Go |", 6) == 0) {
			assert_int_equal(pipes(l, n), 3);
		} else if (n >= 10 && memcmp(l, "| endpoint", 10) == 0) {
			assert_int_equal(pipes(l, n), 3);
		} else if (n > 2 && l[0] == '|' && has(l, n, "`file_mappings`")) {
			/* the summary's pipe, backticks, emphasis and link are text */
			assert_int_equal(pipes(l, n), 5);
			if (has(l, n, "/data/") &&
			    (!has(l, n, "/data/\\\\x1b]0;owned\\\\x07\\\\x1b\\[2J") ||
			     !has(l, n, "\\|\\`x\\`\\*\\_\\[y](z) |")))
				fail_msg("markdown summary: %s", shown(l, n));
			saw_summary |= has(l, n, "/data/");
		} else if (n > 12 && memcmp(l, "- evidence: ", 12) == 0 && has(l, n, "/data/")) {
			/* Markdown's own escapes on top: \\x1b shows as \x1b, \[ as [. */
			if (!has(l, n, "/data/\\\\x1b]0;owned\\\\x07\\\\x1b\\[2J") ||
			    !has(l, n, "\\|\\`x\\`; cgroup /system.slice/\\\\x1b]0;owned") ||
			    has(l, n, "`x`"))
				fail_msg("markdown evidence: %s", shown(l, n));
			saw_evidence = 1;
		} else if (n > 10 && memcmp(l, "- advice: ", 10) == 0 && has(l, n, "/data")) {
			/* correlate's own text: its code span stays one */
			if (!has(l, n, "look at `ls -l /data` " H_ESC))
				fail_msg("markdown advice: %s", shown(l, n));
		}
		l += n + (nl ? 1 : 0);
	}
	assert_true(saw_command && saw_summary && saw_evidence);
	if (!strstr(out, "### correlate: pid 4242 (m\\\\x1b]0;owned"))
		fail_msg("markdown heading:\n%s", shown(out, len));
	free(out);
	capture_free(&cap);
}

/* A JSON document: clean but for its layout, parses, and gives back the
 * strings: exactly when they were UTF-8, with \xNN for the bytes that were
 * not. */
static void check_json(const char *what, const char *out, size_t len)
{
	check_output(what, out, len, 1);
	cJSON *root = cJSON_ParseWithLength(out, len);
	if (!root)
		fail_msg("%s: does not parse", what);
	const cJSON *p = cJSON_GetObjectItem(root, "process");
	const cJSON *comm = cJSON_GetObjectItem(p, "comm");
	const cJSON *exe = cJSON_GetObjectItem(p, "exe");
	char want[ESC_MAX(512)];
	esc_str(want, sizeof want, cap.os.id.comm, ESC_UTF8);
	assert_string_equal(cJSON_GetStringValue(comm), want);
	esc_str(want, sizeof want, cap.os.id.exe, ESC_UTF8);
	assert_string_equal(cJSON_GetStringValue(exe), want);
	assert_non_null(strstr(want, "\x1b]0;owned\x07")); /* valid UTF-8: exact */
	assert_non_null(strstr(want, "\\xff\xc2\x9b\x7f"));
	cJSON_Delete(root);
}

static void test_render_json(void **state)
{
	(void)state;
	hostile_capture();
	size_t len;
	char *out = render(render_json, 1, &len);
	check_json("json", out, len);
	/* DEL and C1 are \u escapes; the other controls too (cJSON's). */
	assert_non_null(strstr(out, "\\u001b]0;owned\\u0007"));
	assert_non_null(strstr(out, "\\\\xff\\u009b\\u007f"));
	free(out);
	capture_free(&cap);
}

/* --save's meta.json and cgroup.json: clean, and read back as written. */
static void test_pair_writer(void **state)
{
	(void)state;
	hostile_capture();
	char *j = meta_json(&cap);
	assert_non_null(j);
	check_json("meta.json", j, strlen(j));
	static struct capture back;
	struct err e = {0};
	memset(&back, 0, sizeof back);
	assert_int_equal(parse_meta(j, strlen(j), &back, &e), 0);
	assert_string_equal(back.os.id.user, cap.os.id.user); /* valid UTF-8: exact */
	char want[ESC_MAX(512)];
	esc_str(want, sizeof want, cap.os.id.exe, ESC_UTF8);
	assert_string_equal(back.os.id.exe, want);
	free(j);
	j = cgroup_json(&cap.os.cgroup);
	assert_non_null(j);
	check_output("cgroup.json", j, strlen(j), 1);
	struct cgroup_info cg;
	assert_int_equal(parse_cgroup_json(j, strlen(j), &cg, &e), 0);
	esc_str(want, sizeof want, cap.os.cgroup.path, ESC_UTF8);
	assert_string_equal(cg.path, want);
	free(j);
	capture_free(&cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),
	    cmocka_unit_test(test_rule_random),
	    cmocka_unit_test(test_rule_cut),
	    cmocka_unit_test(test_json_controls),
	    cmocka_unit_test(test_err),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_smaps_rollup),
	    cmocka_unit_test(test_smaps),
	    cmocka_unit_test(test_pprof),
	    cmocka_unit_test(test_expvar),
	    cmocka_unit_test(test_prom),
	    cmocka_unit_test(test_prom_quote_backslash),
	    cmocka_unit_test(test_body_detection),
	    cmocka_unit_test(test_pair_files),
	    cmocka_unit_test(test_buildinfo),
	    cmocka_unit_test(test_net),
	    cmocka_unit_test(test_render_text),
	    cmocka_unit_test(test_render_markdown),
	    cmocka_unit_test(test_render_json),
	    cmocka_unit_test(test_pair_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
