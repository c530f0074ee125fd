/* expvar's /debug/vars: a JSON object whose "memstats" member is the whole
 * runtime.MemStats.  Everything else the program published is skipped.
 *
 * A streaming scanner, not a JSON library: the body is checked as JSON byte
 * by byte as it arrives and never held (etcd and caddy publish megabytes of
 * vars), and numbers are read exactly from their digits (a double, as cJSON
 * keeps them, loses LastGC's last digits and turns NextGC = 2^64-1, what Go
 * reports with GOGC=off, into 2^64). */
#include <string.h>

#include "body.h"

enum js_state {
	JS_VALUE,	 /* a value must start here */
	JS_KEY_OR_END,	 /* after '{': a key or '}' */
	JS_KEY,		 /* after ',' in an object: a key */
	JS_COLON,	 /* after a key */
	JS_NEXT_OR_END,	 /* after a value: ',' or the container's end */
	JS_VALUE_OR_END, /* after '[': a value or ']' */
	JS_STRING,	 /* inside a string */
	JS_ESCAPE,	 /* after a backslash */
	JS_UNICODE,	 /* inside \uXXXX */
	JS_NUMBER,	 /* inside a number */
	JS_LITERAL,	 /* inside true, false or null */
	JS_DONE,	 /* after the root value: only blanks */
};

/* Numbers: a DFA over RFC 8259's grammar. */
enum js_num { N_SIGN, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int bad_json(struct body_parser *p, const char *why, struct err *err)
{
	return err_set(err, ERR_ENDPOINT, "expvar: not valid JSON: %s at byte %llu", why,
		       (unsigned long long)p->js.pos);
}

/* The go_fields[] row of a memstats member, or NULL. */
static const struct go_field *member_field(const struct json_scan *js)
{
	if (js->key_len >= sizeof js->key)
		return NULL;
	for (size_t k = 0; k < go_fields_count; k++)
		if (go_fields[k].expvar && strlen(go_fields[k].expvar) == js->key_len &&
		    memcmp(go_fields[k].expvar, js->key, js->key_len) == 0)
			return &go_fields[k];
	return NULL;
}

/* A value begins with byte c, at the current depth. */
static int value_begins(struct body_parser *p, char c, struct err *err)
{
	struct json_scan *js = &p->js;
	js->field = NULL;
	if (js->depth == 0 && c != '{')
		return err_set(err, ERR_ENDPOINT, "expvar: the body is JSON but not an object");
	if (js->depth == 1 && js->key_is_memstats) {
		if (c != '{')
			return err_set(err, ERR_ENDPOINT, "expvar: \"memstats\" is not an object");
		js->saw_memstats = 1;
		js->memstats_depth = 2;
	}
	if (js->depth == 2 && js->memstats_depth == 2) {
		js->field = member_field(js);
		if (js->field && !(c == '-' || (c >= '0' && c <= '9')))
			return err_set(err, ERR_ENDPOINT, "expvar: memstats.%s is not a number",
				       js->field->expvar);
	}
	return 0;
}

static int push(struct body_parser *p, char c, struct err *err)
{
	struct json_scan *js = &p->js;
	if (js->depth >= (int)sizeof js->stack)
		return bad_json(p, "nested too deeply", err);
	js->stack[js->depth++] = c;
	js->state = c == '{' ? JS_KEY_OR_END : JS_VALUE_OR_END;
	return 0;
}

static int pop(struct body_parser *p, char c, struct err *err)
{
	struct json_scan *js = &p->js;
	if (js->depth == 0 || js->stack[js->depth - 1] != (c == '}' ? '{' : '['))
		return bad_json(p, "unbalanced brackets", err);
	if (js->memstats_depth == js->depth && c == '}')
		js->memstats_depth = 0;
	js->depth--;
	js->state = js->depth ? JS_NEXT_OR_END : JS_DONE;
	return 0;
}

/* A number ended: check and, for a memstats field, store it exactly. */
static int number_ends(struct body_parser *p, struct err *err)
{
	struct json_scan *js = &p->js;
	if (js->num_state != N_ZERO && js->num_state != N_INT && js->num_state != N_FRAC &&
	    js->num_state != N_EXP)
		return bad_json(p, "a number is cut short", err);
	js->state = js->depth ? JS_NEXT_OR_END : JS_DONE;
	if (!js->field)
		return 0;
	const struct go_field *f = js->field;
	uint64_t v;
	const char *why;
	if (js->num_len >= sizeof js->num ||
	    dec_parse_u64(js->num, js->num_len, 0, 0, &v, &why) != 0 ||
	    memchr(js->num, '.', js->num_len) || memchr(js->num, 'e', js->num_len) ||
	    memchr(js->num, 'E', js->num_len))
		return err_set(err, ERR_ENDPOINT,
			       "expvar: memstats.%s = %.*s is not a non-negative 64-bit integer",
			       f->expvar, (int)(js->num_len > 40 ? 40 : js->num_len), js->num);
	return go_field_store(&p->snap.ms, f, v, "expvar memstats", err);
}

static int number_char(struct json_scan *js, char c)
{
	int d = c >= '0' && c <= '9';
	switch (js->num_state) {
	case N_SIGN:
		return c == '0' ? N_ZERO : d ? N_INT : -1;
	case N_ZERO:
		return c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : -1;
	case N_INT:
		return d ? N_INT : c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : -1;
	case N_DOT:
		return d ? N_FRAC : -2;
	case N_FRAC:
		return d ? N_FRAC : (c == 'e' || c == 'E') ? N_E : -1;
	case N_E:
		return (c == '+' || c == '-') ? N_ESIGN : d ? N_EXP : -2;
	case N_ESIGN:
		return d ? N_EXP : -2;
	case N_EXP:
		return d ? N_EXP : -1;
	}
	return -2;
}

/* One byte; *again is set when the byte ended a token and must be read
 * again in the new state. */
static int scan(struct body_parser *p, char c, int *again, struct err *err)
{
	struct json_scan *js = &p->js;
	unsigned char u = (unsigned char)c;
	*again = 0;
	switch (js->state) {
	case JS_STRING:
		if (c == '"') {
			js->state = js->in_key ? JS_COLON : (js->depth ? JS_NEXT_OR_END : JS_DONE);
			if (js->in_key && js->depth == 1)
				js->key_is_memstats =
				    js->key_len == 8 && memcmp(js->key, "memstats", 8) == 0;
		} else if (c == '\\') {
			js->state = JS_ESCAPE;
		} else if (u < 0x20) {
			return bad_json(p, "a control character in a string", err);
		} else if (js->in_key) {
			if (js->key_len < sizeof js->key)
				js->key[js->key_len] = c;
			js->key_len++;
		}
		return 0;
	case JS_ESCAPE:
		if (c == 'u') {
			js->hex_left = 4;
			js->state = JS_UNICODE;
			js->key_len += js->in_key ? sizeof js->key : 0; /* no key we read has one */
			return 0;
		}
		if (!strchr("\"\\/bfnrt", c) || c == 0)
			return bad_json(p, "a bad escape in a string", err);
		if (js->in_key) {
			if (js->key_len < sizeof js->key)
				js->key[js->key_len] = c;
			js->key_len++;
		}
		js->state = JS_STRING;
		return 0;
	case JS_UNICODE:
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return bad_json(p, "a bad \\u escape", err);
		if (--js->hex_left == 0)
			js->state = JS_STRING;
		return 0;
	case JS_NUMBER: {
		int next = number_char(js, c);
		if (next == -2)
			return bad_json(p, "a malformed number", err);
		if (next == -1) {
			*again = 1;
			return number_ends(p, err);
		}
		js->num_state = next;
		if (js->num_len < sizeof js->num)
			js->num[js->num_len] = c;
		js->num_len++;
		return 0;
	}
	case JS_LITERAL:
		if (js->lit[js->lit_pos] == '\0') {
			js->state = js->depth ? JS_NEXT_OR_END : JS_DONE;
			*again = 1;
			return 0;
		}
		if (c != js->lit[js->lit_pos++])
			return bad_json(p, "a misspelt true, false or null", err);
		return 0;
	default:
		break;
	}
	if (blank(c))
		return 0;
	switch (js->state) {
	case JS_DONE:
		return bad_json(p, "more after the end of the object", err);
	case JS_COLON:
		if (c != ':')
			return bad_json(p, "expected ':'", err);
		js->in_key = 0;
		js->state = JS_VALUE;
		return 0;
	case JS_NEXT_OR_END:
		if (c == ',') {
			js->state = js->stack[js->depth - 1] == '{' ? JS_KEY : JS_VALUE;
			return 0;
		}
		if (c == '}' || c == ']')
			return pop(p, c, err);
		return bad_json(p, "expected ',' or the end of the object or array", err);
	case JS_KEY_OR_END:
	case JS_KEY:
		if (c == '}' && js->state == JS_KEY_OR_END)
			return pop(p, c, err);
		if (c != '"')
			return bad_json(p, "expected a member name", err);
		js->in_key = 1;
		js->key_len = 0;
		js->state = JS_STRING;
		return 0;
	case JS_VALUE_OR_END:
		if (c == ']')
			return pop(p, c, err);
		/* fall through */
	case JS_VALUE: {
		int rc = value_begins(p, c, err);
		if (rc)
			return rc;
		if (c == '{' || c == '[')
			return push(p, c, err);
		if (c == '"') {
			js->in_key = 0;
			js->state = JS_STRING;
			return 0;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			js->state = JS_NUMBER;
			js->num_state = c == '-' ? N_SIGN : c == '0' ? N_ZERO : N_INT;
			js->num[0] = c;
			js->num_len = 1;
			return 0;
		}
		js->lit = c == 't' ? "rue" : c == 'f' ? "alse" : c == 'n' ? "ull" : NULL;
		if (!js->lit)
			return bad_json(p, "expected a value", err);
		js->lit_pos = 0;
		js->state = JS_LITERAL;
		return 0;
	}
	default:
		break;
	}
	return bad_json(p, "internal state", err);
}

int expvar_feed(struct body_parser *p, const char *buf, size_t len, struct err *err)
{
	for (size_t i = 0; i < len; i++) {
		int again, rc = scan(p, buf[i], &again, err);
		if (!rc && again)
			rc = scan(p, buf[i], &again, err);
		if (rc)
			return rc;
		p->js.pos++;
	}
	return 0;
}

int expvar_finish(struct body_parser *p, struct err *err)
{
	struct json_scan *js = &p->js;
	int again = 0, rc = 0;
	/* A number or literal at the very end has no byte after it. */
	if (js->state == JS_NUMBER)
		rc = number_ends(p, err);
	else if (js->state == JS_LITERAL && js->lit[js->lit_pos] == '\0')
		js->state = js->depth ? JS_NEXT_OR_END : JS_DONE;
	(void)again;
	if (rc)
		return rc;
	if (js->state != JS_DONE)
		return bad_json(p, "the body ends inside the object", err);
	if (!js->saw_memstats) {
		err_set(err, ERR_ENDPOINT, "expvar: no \"memstats\" member");
		return err_hint(err, "the program imports expvar but not its memstats? any Go "
				     "program importing expvar publishes it");
	}
	return 0;
}
