/* /proc/PID/smaps and smaps_rollup: a header line per mapping, then
 * "Key: N kB" lines, then VmFlags. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/proc.h"
#include "lines.h"
#include "procfields.h"

#define ROW(k, field, json)                                                    \
	{                                                                      \
		k, sizeof k - 1, offsetof(struct smaps_values, field), 1, json \
	}

const struct proc_field smaps_fields[] = {
    ROW("Size", size, "size_bytes"),
    ROW("Rss", rss, "rss_bytes"),
    ROW("Pss", pss, "pss_bytes"),
    ROW("Pss_Dirty", pss_dirty, "pss_dirty_bytes"),
    ROW("Pss_Anon", pss_anon, "pss_anon_bytes"),
    ROW("Pss_File", pss_file, "pss_file_bytes"),
    ROW("Pss_Shmem", pss_shmem, "pss_shmem_bytes"),
    ROW("Shared_Clean", shared_clean, "shared_clean_bytes"),
    ROW("Shared_Dirty", shared_dirty, "shared_dirty_bytes"),
    ROW("Private_Clean", private_clean, "private_clean_bytes"),
    ROW("Private_Dirty", private_dirty, "private_dirty_bytes"),
    ROW("Referenced", referenced, "referenced_bytes"),
    ROW("Anonymous", anonymous, "anonymous_bytes"),
    ROW("KSM", ksm, "ksm_bytes"),
    ROW("LazyFree", lazy_free, "lazy_free_bytes"),
    ROW("AnonHugePages", anon_huge_pages, "anon_huge_pages_bytes"),
    ROW("ShmemPmdMapped", shmem_pmd, "shmem_pmd_mapped_bytes"),
    ROW("FilePmdMapped", file_pmd, "file_pmd_mapped_bytes"),
    ROW("Shared_Hugetlb", shared_hugetlb, "shared_hugetlb_bytes"),
    ROW("Private_Hugetlb", private_hugetlb, "private_hugetlb_bytes"),
    ROW("Swap", swap, "swap_bytes"),
    ROW("SwapPss", swap_pss, "swap_pss_bytes"),
    ROW("Locked", locked, "locked_bytes"),
};
const size_t smaps_fields_count = sizeof smaps_fields / sizeof smaps_fields[0];
/* The lines of one mapping in the order the kernel prints them
 * (fs/proc/task_mmu.c: show_smap, __show_smap; smaps_rollup adds the
 * Pss_Anon/File/Shmem lines and drops Size and the page sizes).  A line
 * costs a compare or two against the next few entries; one out of order is
 * looked for in the whole list, and a key not in it is ignored. */
enum { NOT_KEPT = -1, VM_FLAGS = -2 };
static const struct smaps_key {
	const char *key;
	unsigned char key_len;
	signed char row; /* in smaps_fields, or NOT_KEPT, VM_FLAGS */
} smaps_order[] = {
#define K(k, row)                    \
	{                            \
		k, sizeof k - 1, row \
	}
    K("Size", 0),
    K("KernelPageSize", NOT_KEPT),
    K("MMUPageSize", NOT_KEPT),
    K("Rss", 1),
    K("Pss", 2),
    K("Pss_Dirty", 3),
    K("Pss_Anon", 4),
    K("Pss_File", 5),
    K("Pss_Shmem", 6),
    K("Shared_Clean", 7),
    K("Shared_Dirty", 8),
    K("Private_Clean", 9),
    K("Private_Dirty", 10),
    K("Referenced", 11),
    K("Anonymous", 12),
    K("KSM", 13),
    K("LazyFree", 14),
    K("AnonHugePages", 15),
    K("ShmemPmdMapped", 16),
    K("FilePmdMapped", 17),
    K("Shared_Hugetlb", 18),
    K("Private_Hugetlb", 19),
    K("Swap", 20),
    K("SwapPss", 21),
    K("Locked", 22),
    K("THPeligible", NOT_KEPT),
    K("ProtectionKey", NOT_KEPT),
    K("VmFlags", VM_FLAGS),
#undef K
};
#define SMAPS_ORDER (sizeof smaps_order / sizeof smaps_order[0])
/* How far ahead of the expected line to look: past the three lines smaps
 * has and smaps_rollup has not, and the other way round. */
#define LOOK_AHEAD 4
_Static_assert(sizeof smaps_fields / sizeof smaps_fields[0] ==
		   sizeof(struct smaps_values) / sizeof(opt_u64),
	       "smaps_fields[] and struct smaps_values must list the same fields");

static int parse_hex(const char *s, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;
	while (*i < len && hex_digit(s[*i]) >= 0) {
		if (v >> 60)
			return -1;
		v = v << 4 | (uint64_t)hex_digit(s[*i]);
		(*i)++;
	}
	if (*i == start)
		return -1;
	*out = v;
	return 0;
}

/* Copies the next blank-separated word into dst; returns -1 if none. */
static int word(const char *s, size_t len, size_t *i, char *dst, size_t cap)
{
	*i = skip_blank(s, len, *i);
	size_t start = *i;
	while (*i < len && s[*i] != ' ' && s[*i] != '\t')
		(*i)++;
	size_t n = *i - start;
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, s + start, n);
	dst[n] = '\0';
	return 0;
}

/* "7f0c3c000000-7f0c3c021000 rw-p 00000000 00:00 0    [heap]" */
static int parse_header(const char *s, size_t len, struct mapping *m)
{
	size_t i = 0;
	char inode[24];
	/* Not a memset of the whole mapping: path alone is 512 bytes, and
	 * every field is written below. */
	memset(&m->v, 0, sizeof m->v);
	m->vm_flags[0] = '\0';
	if (parse_hex(s, len, &i, &m->start) || i >= len || s[i++] != '-' ||
	    parse_hex(s, len, &i, &m->end) || m->end < m->start)
		return -1;
	if (word(s, len, &i, m->perms, sizeof m->perms) || strlen(m->perms) != 4)
		return -1;
	i = skip_blank(s, len, i);
	if (parse_hex(s, len, &i, &m->offset))
		return -1;
	if (word(s, len, &i, m->dev, sizeof m->dev) || word(s, len, &i, inode, sizeof inode))
		return -1;
	size_t used;
	if (parse_u64_dec(inode, strlen(inode), &m->inode, &used) || inode[used] != '\0')
		return -1;
	i = skip_blank(s, len, i);
	size_t n = len - i;
	if (n >= sizeof m->path)
		n = sizeof m->path - 1; /* cut; classification needs the start only */
	memcpy(m->path, s + i, n);
	m->path[n] = '\0';
	return 0;
}

/* a[0..n) == b[0..n), for the few bytes of a key: two overlapping loads
 * from each side, never reading outside either. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;
	uint32_t u, w, u2, w2;
	if (n >= 8) {
		memcpy(&x, a, 8), memcpy(&y, b, 8);
		memcpy(&x2, a + n - 8, 8), memcpy(&y2, b + n - 8, 8);
		return ((x ^ y) | (x2 ^ y2)) == 0;
	}
	if (n >= 4) {
		memcpy(&u, a, 4), memcpy(&w, b, 4);
		memcpy(&u2, a + n - 4, 4), memcpy(&w2, b + n - 4, 4);
		return ((u ^ w) | (u2 ^ w2)) == 0;
	}
	return memcmp(a, b, n) == 0;
}

/* The kernel prints each counter at fixed columns (task_mmu.c,
 * SEQ_PUT_DEC): the key and colon padded with spaces to 16 bytes, the
 * value right-aligned in the next 8, then " kB".  A line of exactly that
 * shape is read here by position: returns 1 with *out set.  Anything else
 * returns 0 and goes through proc_field_set, which reads any spacing and
 * gives the errors; where both accept a line they read the same value. */
static inline int quick_kib(const char *line, size_t len, size_t key_len, opt_u64 *out)
{
	/* 16 zero bytes then 16 0xff: the mask of bytes >= from, from any
	 * offset, whatever the byte order. */
	static const unsigned char ones[32] = {0,    0,	   0,	 0,    0,    0,	   0,	 0,
					       0,    0,	   0,	 0,    0,    0,	   0,	 0,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint64_t spaces = 0x2020202020202020u;
	size_t from = key_len + 1;
	if (len != 27 || from > 16)
		return 0;
	uint64_t a, b, ma, mb;
	memcpy(&a, line, 8), memcpy(&b, line + 8, 8);
	memcpy(&ma, ones + 16 - from, 8), memcpy(&mb, ones + 24 - from, 8);
	if (((a ^ spaces) & ma) | ((b ^ spaces) & mb))
		return 0;
	const char *f = line + 16;
	uint64_t x;
	memcpy(&x, f, 8);
	x ^= spaces; /* a space is now a zero byte */
	if (x == 0)
		return 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	int k = __builtin_ctzll(x) / 8; /* leading spaces */
#else
	int k = __builtin_clzll(x) / 8;
#endif
	uint64_t v = 0;
	for (; k < 8; k++) {
		unsigned d = (unsigned)(unsigned char)f[k] - '0';
		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	if (line[24] != ' ' || line[25] != 'k' || line[26] != 'B')
		return 0;
	*out = opt_some(v * 1024); /* < 10^8 * 1024 */
	return 1;
}

static int deliver(struct smaps_parser *p, struct err *err)
{
	if (!p->have_cur)
		return 0;
	p->have_cur = 0;
	p->mappings++;
	return p->fn ? p->fn(&p->cur, p->ctx, err) : 0;
}

static void set_vm_flags(struct mapping *m, const char *line, size_t len, size_t val_off)
{
	size_t i = skip_blank(line, len, val_off);
	while (len > i && line[len - 1] == ' ')
		len--; /* the kernel ends the list with a space */
	size_t n = len - i;
	if (n >= sizeof m->vm_flags)
		n = sizeof m->vm_flags - 1;
	memcpy(m->vm_flags, line + i, n);
	m->vm_flags[n] = '\0';
}

/* Where line, a "Key: value" line, is in smaps_order, looking at count
 * entries from `from` on (wrapping); -1 if not there. */
static inline __attribute__((always_inline)) int find_key(const char *line, size_t len, size_t from,
							  size_t count)
{
	for (size_t k = 0, at = from; k < count; k++, at = at + 1 < SMAPS_ORDER ? at + 1 : 0) {
		const struct smaps_key *e = &smaps_order[at];
		if (len > e->key_len && line[e->key_len] == ':' &&
		    same_bytes(line, e->key, e->key_len))
			return (int)at;
	}
	return -1;
}

/* Reads the line found at smaps_order[at] into the current mapping. */
static inline __attribute__((always_inline)) int
read_line(struct smaps_parser *p, size_t at, const char *line, size_t len, struct err *err)
{
	const struct smaps_key *e = &smaps_order[at];
	size_t off = (size_t)e->key_len + 1;
	p->next = at + 1 < SMAPS_ORDER ? at + 1 : 0;
	if (e->row == VM_FLAGS)
		set_vm_flags(&p->cur, line, len, off);
	if (e->row < 0)
		return 0;
	const struct proc_field *f = &smaps_fields[e->row];
	if (quick_kib(line, len, e->key_len, (opt_u64 *)((char *)&p->cur.v + f->offset)))
		return 0;
	return proc_field_set(f, &p->cur.v, line + off, len - off, "smaps", err);
}

static int smaps_line(void *vctx, const char *line, size_t len, bool overlong, struct err *err)
{
	struct smaps_parser *p = vctx;
	int rc;
	(void)overlong;
	p->line_no++;
	if (len == 0)
		return 0;
	int at = p->have_cur ? find_key(line, len, p->next, LOOK_AHEAD) : -1;
	if (at >= 0)
		return read_line(p, (size_t)at, line, len, err);
	if (hex_digit(line[0]) >= 0 && !(line[0] >= 'A' && line[0] <= 'F')) {
		rc = deliver(p, err);
		if (rc)
			return rc;
		if (parse_header(line, len, &p->cur) != 0) {
			char ex[160];
			esc_bytes(ex, sizeof ex, line, len > 60 ? 60 : len, ESC_TEXT);
			return err_set(err, ERR_PROC,
				       "smaps: line %llu: not a mapping header: \"%s\"",
				       (unsigned long long)p->line_no, ex);
		}
		p->have_cur = 1;
		p->next = 0;
		return 0;
	}
	if (!memchr(line, ':', len)) {
		char ex[160];
		esc_bytes(ex, sizeof ex, line, len > 60 ? 60 : len, ESC_TEXT);
		return err_set(err, ERR_PROC, "smaps: line %llu: expected \"Key: value\": \"%s\"",
			       (unsigned long long)p->line_no, ex);
	}
	if (!p->have_cur)
		return err_set(err, ERR_PROC,
			       "smaps: line %llu: counters before any mapping header",
			       (unsigned long long)p->line_no);
	at = find_key(line, len, 0, SMAPS_ORDER);
	/* A key correlate does not know (a newer kernel's) is passed over. */
	return at >= 0 ? read_line(p, (size_t)at, line, len, err) : 0;
}

void smaps_parser_init(struct smaps_parser *p, mapping_fn fn, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->fn = fn;
	p->ctx = ctx;
}

/* Reads, in place, the run of counter lines at `at` that are the kernel's
 * own: the key smaps_order expects next, in exactly 27 bytes and a newline
 * (quick_kib's shape, which has no room for another newline).  Returns
 * where the run stops: the first line that is anything else (a header, VmFlags, a key out of order, other spacing, a
 * line cut by the end of the chunk), which smaps_line then reads.  What
 * smaps_line would do with each line read here is exactly this, so the
 * result does not depend on which of the two reads a line; it saves the
 * search for the newline and the call per line. */
static const char *kernel_lines(struct smaps_parser *p, const char *at, const char *end)
{
	while (p->have_cur && end - at >= 28 && at[27] == '\n') {
		const struct smaps_key *e = &smaps_order[p->next];
		if (e->row == VM_FLAGS || at[e->key_len] != ':' ||
		    !same_bytes(at, e->key, e->key_len))
			break;
		/* A line not kept must be in the same shape, or the 28 bytes
		 * could hold a newline, and two lines. */
		opt_u64 unused;
		opt_u64 *out = e->row >= 0 ? (opt_u64 *)((char *)&p->cur.v + smaps_fields[e->row].offset)
					   : &unused;
		if (!quick_kib(at, 27, e->key_len, out))
			break;
		p->line_no++;
		p->next = p->next + 1 < SMAPS_ORDER ? p->next + 1 : 0;
		at += 28;
	}
	return at;
}

int smaps_parser_feed(struct smaps_parser *p, const char *buf, size_t len, struct err *err)
{
	const char *at = buf, *end = buf + len;
	int rc = 0;
	while (at < end && !rc) {
		if (p->partial_len == 0 && !p->partial_overlong) {
			at = kernel_lines(p, at, end);
			if (at == end)
				break;
		}
		/* One line (or the rest, when it has no newline) the usual way. */
		const char *nl = memchr(at, '\n', (size_t)(end - at));
		size_t n = nl ? (size_t)(nl + 1 - at) : (size_t)(end - at);
		struct line_splitter s = {p->partial, sizeof p->partial, p->partial_len,
					  p->partial_overlong != 0};
		rc = lines_feed(&s, at, n, smaps_line, p, err);
		p->partial_len = s.len;
		p->partial_overlong = s.overlong;
		at += n;
	}
	return rc;
}

int smaps_parser_finish(struct smaps_parser *p, struct err *err)
{
	struct line_splitter s = {p->partial, sizeof p->partial, p->partial_len,
				  p->partial_overlong != 0};
	int rc = lines_finish(&s, smaps_line, p, err);
	p->partial_len = 0;
	p->partial_overlong = 0;
	return rc ? rc : deliver(p, err);
}

struct rollup_ctx {
	struct smaps_values *out;
	int seen;
};

static int rollup_one(const struct mapping *m, void *vctx, struct err *err)
{
	struct rollup_ctx *c = vctx;
	if (c->seen++)
		return err_set(err, ERR_PROC, "smaps_rollup: more than one block");
	if (strcmp(m->path, "[rollup]") != 0)
		return err_set(err, ERR_PROC, "smaps_rollup: header does not end in [rollup]");
	*c->out = m->v;
	return 0;
}

int parse_smaps_rollup(const char *buf, size_t len, struct smaps_values *out, struct err *err)
{
	struct smaps_parser p;
	struct rollup_ctx c = {out, 0};
	memset(out, 0, sizeof *out);
	smaps_parser_init(&p, rollup_one, &c);
	int rc = smaps_parser_feed(&p, buf, len, err);
	if (!rc)
		rc = smaps_parser_finish(&p, err);
	if (rc)
		return rc;
	if (!c.seen)
		return err_set(err, ERR_PROC, "smaps_rollup: empty");
	if (!out->rss.known)
		return err_set(err, ERR_PROC, "smaps_rollup: no Rss line");
	return 0;
}
