/* /proc/PID/status and the shared "Key: value kB" helpers. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/proc.h"
#include "lines.h"
#include "procfields.h"

#define ROW(k, field, kib, json)                                                  \
	{                                                                         \
		k, sizeof k - 1, offsetof(struct status_values, field), kib, json \
	}

const struct proc_field status_fields[] = {
    ROW("VmPeak", vm_peak, 1, "vm_peak_bytes"),
    ROW("VmSize", vm_size, 1, "vm_size_bytes"),
    ROW("VmLck", vm_lck, 1, "vm_lck_bytes"),
    ROW("VmHWM", vm_hwm, 1, "vm_hwm_bytes"),
    ROW("VmRSS", vm_rss, 1, "vm_rss_bytes"),
    ROW("RssAnon", rss_anon, 1, "rss_anon_bytes"),
    ROW("RssFile", rss_file, 1, "rss_file_bytes"),
    ROW("RssShmem", rss_shmem, 1, "rss_shmem_bytes"),
    ROW("VmData", vm_data, 1, "vm_data_bytes"),
    ROW("VmStk", vm_stk, 1, "vm_stk_bytes"),
    ROW("VmExe", vm_exe, 1, "vm_exe_bytes"),
    ROW("VmLib", vm_lib, 1, "vm_lib_bytes"),
    ROW("VmPTE", vm_pte, 1, "vm_pte_bytes"),
    ROW("VmSwap", vm_swap, 1, "vm_swap_bytes"),
    ROW("Threads", threads, 0, "threads"),
    ROW("Uid", uid, 0, "uid"),
    ROW("Tgid", tgid, 0, "tgid"),
};
const size_t status_fields_count = sizeof status_fields / sizeof status_fields[0];
_Static_assert(sizeof status_fields / sizeof status_fields[0] ==
		   sizeof(struct status_values) / sizeof(opt_u64),
	       "status_fields[] and struct status_values must list the same fields");

int kv_split(const char *line, size_t len, size_t *key_len, size_t *val_off)
{
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return -1;
	*key_len = (size_t)(colon - line);
	*val_off = *key_len + 1;
	return 0;
}

/* The row's key equals key[0..key_len)?  By length first: the key may hold
 * a NUL (hostile text). */
static int key_is(const struct proc_field *f, const char *key, size_t key_len)
{
	return f->key_len == key_len && memcmp(f->key, key, key_len) == 0;
}

const struct proc_field *proc_field_find(const struct proc_field *table, size_t n, const char *key,
					 size_t key_len, size_t *hint)
{
	if (n == 0)
		return NULL;
	size_t i = *hint < n ? *hint : 0;
	if (key_is(&table[i], key, key_len))
		goto hit;
	for (i = 0; i < n; i++)
		if (key_is(&table[i], key, key_len))
			goto hit;
	return NULL;
hit:
	*hint = i + 1 < n ? i + 1 : 0;
	return &table[i];
}

int proc_field_set(const struct proc_field *f, void *base, const char *val, size_t len,
		   const char *what, struct err *err)
{
	size_t i = skip_blank(val, len, 0), used;
	uint64_t v;
	char ex[120];
	if (parse_u64_dec(val + i, len - i, &v, &used) != 0) {
		esc_bytes(ex, sizeof ex, val, len > 40 ? 40 : len, ESC_TEXT);
		return err_set(err, ERR_PROC, "%s: %s: not a number below 2^64: \"%s\"", what,
			       f->key, ex);
	}
	i = skip_blank(val, len, i + used);
	if (f->kib) {
		if (len - i < 2 || memcmp(val + i, "kB", 2) != 0)
			return err_set(err, ERR_PROC, "%s: %s: expected a size in kB", what,
				       f->key);
		if (__builtin_mul_overflow(v, 1024, &v)) {
			esc_bytes(ex, sizeof ex, val, len > 40 ? 40 : len, ESC_TEXT);
			return err_set(err, ERR_PROC, "%s: %s: %s is too large", what, f->key, ex);
		}
	}
	opt_u64 *slot = (opt_u64 *)((char *)base + f->offset);
	*slot = opt_some(v);
	return 0;
}

struct status_ctx {
	struct proc_status *out;
	size_t hint;
};

static void copy_text(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i = skip_blank(s, len, 0);
	size_t n = len - i;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s + i, n);
	dst[n] = '\0';
}

static int status_line(void *vctx, const char *line, size_t len, bool overlong, struct err *err)
{
	struct status_ctx *c = vctx;
	size_t key_len, val_off;
	(void)overlong; /* long lines (Mems_allowed) are not ones we read */
	if (len == 0 || kv_split(line, len, &key_len, &val_off) != 0)
		return 0;
	const char *val = line + val_off;
	size_t vlen = len - val_off;
	if (key_len == 4 && memcmp(line, "Name", 4) == 0) {
		copy_text(c->out->name, sizeof c->out->name, val, vlen);
		return 0;
	}
	if (key_len == 5 && memcmp(line, "State", 5) == 0) {
		size_t i = skip_blank(val, vlen, 0);
		c->out->state = i < vlen ? val[i] : 0;
		return 0;
	}
	if (key_len == 7 && memcmp(line, "Kthread", 7) == 0) {
		size_t i = skip_blank(val, vlen, 0);
		c->out->kthread = i < vlen && val[i] == '1';
		return 0;
	}
	const struct proc_field *f =
	    proc_field_find(status_fields, status_fields_count, line, key_len, &c->hint);
	if (!f)
		return 0;
	return proc_field_set(f, &c->out->v, val, vlen, "status", err);
}

int parse_status(const char *buf, size_t len, struct proc_status *out, struct err *err)
{
	memset(out, 0, sizeof *out);
	out->kthread = -1;
	struct status_ctx c = {out, 0};
	char partial[PROC_LINE_MAX];
	struct line_splitter s;
	lines_init(&s, partial, sizeof partial);
	int rc = lines_feed(&s, buf, len, status_line, &c, err);
	if (!rc)
		rc = lines_finish(&s, status_line, &c, err);
	if (rc)
		return rc;
	if (out->name[0] == '\0' && !out->v.tgid.known)
		return err_set(err, ERR_PROC,
			       "status: no Name or Tgid line: not /proc/PID/status text");
	return 0;
}
