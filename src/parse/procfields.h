/* Shared by the status and smaps parsers: "Key:   value [kB]" lines. */
#ifndef CORRELATE_PARSE_PROCFIELDS_H
#define CORRELATE_PARSE_PROCFIELDS_H

#include <stddef.h>

#include "correlate/err.h"
#include "correlate/proc.h"

/* Splits "Key:  rest" at the first colon.  Returns 0, or -1 if no colon. */
int kv_split(const char *line, size_t len, size_t *key_len, size_t *val_off);

/* The row of table[0..n) whose key is line[0..key_len), or NULL.  *hint is
 * where to look first and is moved past a hit: /proc prints its keys in a
 * fixed order, so a lookup costs one comparison in the common case. */
const struct proc_field *proc_field_find(const struct proc_field *table, size_t n, const char *key,
					 size_t key_len, size_t *hint);

/* Parses the value of a numeric /proc line ("  1234 kB" or "  7") into the
 * field `f` of the struct at `base`.  what: the file, for messages. */
int proc_field_set(const struct proc_field *f, void *base, const char *val, size_t len,
		   const char *what, struct err *err);

#endif
