/* Showing bytes correlate does not control (endpoint bodies, /proc text,
 * process names, paths, the executable's build info, pair files, URLs,
 * libcurl's messages) without letting them reach a terminal, a ticket or a
 * JSON consumer raw.  One rule, for messages, the text and Markdown reports
 * and the JUnit XML of `correlate check` (JSON's strings: ESC_UTF8 below,
 * docs/json.md "Strings"):
 *
 *   - a control byte (0x00-0x1f, 0x7f), a C1 control (U+0080-U+009F, the
 *     bytes c2 80 to c2 9f) and every byte that is not part of valid UTF-8
 *     (a stray continuation byte, an overlong form, a surrogate, a sequence
 *     cut short, anything past U+10FFFF) is shown as \xNN, two lowercase
 *     hex digits per byte;
 *   - a backslash is shown as \\ in ESC_TEXT, so that \xNN always means a
 *     byte and never text that looked like one;
 *   - everything else, printable ASCII and valid UTF-8 (a path with é, a
 *     name in Cyrillic), is kept as it is.
 *
 * Escaping is done once, where the bytes are put into a message or a
 * report line; a message already escaped is passed on with ESC_SAFE, which
 * leaves its backslashes alone.  err_set, err_hint and err_prefix (err.h)
 * pass every message through ESC_SAFE too: a caller that forgot to escape
 * cannot put a raw byte on the terminal, only lose the \\ for a backslash. */
#ifndef CORRELATE_ESCAPE_H
#define CORRELATE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum esc_mode {
	ESC_TEXT, /* raw bytes for people: the rule above, \ shown as \\ */
	ESC_SAFE, /* text that may already hold escapes (a message): as ESC_TEXT,
		     but a backslash is kept, so escaping twice changes nothing */
	ESC_UTF8, /* a JSON string: only bytes that are not valid UTF-8 become
		     \xNN; controls and backslashes are kept for the JSON writer
		     (cJSON, then esc_json_controls) to escape as JSON does */
};

/* The longest escaped form of n bytes: each byte can become \xNN. */
#define ESC_MAX(n) (4 * (size_t)(n) + 1)

/* Escapes s[0..len) into out (cap bytes, cap > 0: always terminated).  What
 * does not fit is left off whole: never half an escape or half a UTF-8
 * character.  Returns strlen(out). */
size_t esc_bytes(char *out, size_t cap, const char *s, size_t len, enum esc_mode mode);

/* esc_bytes on a terminated string (NULL reads as ""); returns out, for use
 * as a printf argument. */
const char *esc_str(char *out, size_t cap, const char *s, enum esc_mode mode);

/* The escaped copy, malloc'd to size; NULL when out of memory. */
char *esc_strdup(const char *s, enum esc_mode mode);

/* Writes s escaped to f, however long.  Returns 0, or -1 on a write error. */
int esc_fputs(const char *s, enum esc_mode mode, FILE *f);

/* 1 when s[0..len) needs no escaping in ESC_SAFE: valid UTF-8 with no
 * control byte, no DEL and no C1 control.  What the tests and the fuzz
 * targets hold every message to. */
int esc_is_clean(const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 (controls allowed). */
int esc_is_utf8(const char *s, size_t len);

/* Cuts a terminated string that was cut to a buffer (vsnprintf) back to
 * whole UTF-8 characters: drops an incomplete sequence at its end. */
void esc_trim_cut(char *s);

/* JSON text (cJSON's output, whose strings went through ESC_UTF8) with DEL
 * and the C1 controls, which cJSON writes raw, written as \u007f and
 * \u0080-\u009f instead: the same string to a JSON reader, and nothing a
 * terminal acts on when the document is printed.  malloc'd; NULL when out
 * of memory. */
char *esc_json_controls(const char *json);

#endif
