/* /proc/PID/smaps and smaps_rollup: a header line per mapping, then
 * "Key: N kB" lines, then VmFlags. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "correlate/proc.h"
#include "lines.h"
#include "procfields.h"

#define ROW(k, field, json)                                      \
	{                                                        \
		k, offsetof(struct smaps_values, field), 1, json \
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
	memset(m, 0, sizeof *m);
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

static int deliver(struct smaps_parser *p, struct err *err)
{
	if (!p->have_cur)
		return 0;
	p->have_cur = 0;
	p->mappings++;
	return p->fn ? p->fn(&p->cur, p->ctx, err) : 0;
}

static int smaps_line(void *vctx, const char *line, size_t len, bool overlong, struct err *err)
{
	struct smaps_parser *p = vctx;
	p->line_no++;
	if (len == 0)
		return 0;
	if (hex_digit(line[0]) >= 0 && !(line[0] >= 'A' && line[0] <= 'F')) {
		int rc = deliver(p, err);
		if (rc)
			return rc;
		if (parse_header(line, len, &p->cur) != 0)
			return err_set(
			    err, ERR_PROC, "smaps: line %llu: not a mapping header: \"%.*s\"",
			    (unsigned long long)p->line_no, (int)(len > 60 ? 60 : len), line);
		p->have_cur = 1;
		return 0;
	}
	(void)overlong;
	size_t key_len, val_off;
	if (kv_split(line, len, &key_len, &val_off) != 0)
		return err_set(err, ERR_PROC, "smaps: line %llu: expected \"Key: value\": \"%.*s\"",
			       (unsigned long long)p->line_no, (int)(len > 60 ? 60 : len), line);
	if (!p->have_cur)
		return err_set(err, ERR_PROC,
			       "smaps: line %llu: counters before any mapping header",
			       (unsigned long long)p->line_no);
	if (key_len == 7 && memcmp(line, "VmFlags", 7) == 0) {
		size_t i = skip_blank(line, len, val_off);
		while (len > i && line[len - 1] == ' ')
			len--; /* the kernel ends the list with a space */
		size_t n = len - i;
		if (n >= sizeof p->cur.vm_flags)
			n = sizeof p->cur.vm_flags - 1;
		memcpy(p->cur.vm_flags, line + i, n);
		p->cur.vm_flags[n] = '\0';
		return 0;
	}
	const struct proc_field *f =
	    proc_field_find(smaps_fields, smaps_fields_count, line, key_len, &p->hint);
	if (!f)
		return 0; /* KernelPageSize, THPeligible, ProtectionKey ... */
	return proc_field_set(f, &p->cur.v, line + val_off, len - val_off, "smaps", err);
}

void smaps_parser_init(struct smaps_parser *p, mapping_fn fn, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->fn = fn;
	p->ctx = ctx;
}

int smaps_parser_feed(struct smaps_parser *p, const char *buf, size_t len, struct err *err)
{
	struct line_splitter s = {p->partial, sizeof p->partial, p->partial_len,
				  p->partial_overlong != 0};
	int rc = lines_feed(&s, buf, len, smaps_line, p, err);
	p->partial_len = s.len;
	p->partial_overlong = s.overlong;
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
