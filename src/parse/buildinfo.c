/* The Go build info reader (include/correlate/buildinfo.h), for ELF.
 *
 * Follows Go's own reader, src/debug/buildinfo/buildinfo.go (Go 1.23):
 *   - the blob lives in the ".go.buildinfo" section; when there is no such
 *     section (section headers stripped, or not a Go program) it is looked
 *     for in the first writable, non-executable PT_LOAD segment;
 *   - in that region it starts at a 16-byte-aligned offset with a 32-byte
 *     header: the 14-byte magic, the pointer size, then flags;
 *   - flags & 2 (Go >= 1.18): two uvarint-length-prefixed strings follow the
 *     header, the Go version and the module info;
 *     otherwise (Go 1.13-1.17): at 16 and 16+ptrsize, pointers (in the
 *     byte order flags != 0 says) to Go string headers {data, len};
 *   - the module info is framed by two 16-byte sentinels
 *     (cmd/go/internal/modload infoStart/infoEnd), stripped when it is at
 *     least 33 bytes long and byte len-17 is '\n'.
 *
 * Where Go gives up with "not a Go executable" after finding the magic
 * (bad varint, unresolvable pointer, empty version), this reader reports the
 * file as malformed: a blob that starts with the magic and then makes no
 * sense is a damaged Go program, not a C one.
 *
 * Every offset, size and count read from the file is checked against the file
 * size before it is used, in an order that cannot overflow; memory use is one
 * CHUNK-sized buffer whatever the file claims (the module info is streamed,
 * never held whole). */
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/buildinfo.h"
#include "correlate/escape.h"
#include "lines.h"

#define CHUNK	    (64u * 1024)  /* one read while scanning or streaming */
#define SCAN_MAX    (64ull << 20) /* bytes of a data segment searched for the blob */
#define MODINFO_MAX (16ull << 20) /* longer module info is taken as corrupt */
#define HEADERS_MAX (1u << 20)	  /* section or program headers; more is corrupt */
#define LINE_CAP    1024	  /* modinfo lines are cut here: every field fits */

#define BI_ALIGN	   16 /* buildInfoAlign */
#define BI_SIZE		   32 /* buildInfoSize: magic, ptrsize, flags, two pointers */
#define BI_FLAG_BIG_ENDIAN 1
#define BI_FLAG_INLINE	   2

static const char bi_magic[] = "\xff Go buildinf:";
#define BI_MAGIC_LEN (sizeof bi_magic - 1)
static const char bi_section[] = ".go.buildinfo"; /* compared with its NUL */

struct elf_file {
	read_at_fn read_at;
	void *ctx;
	uint64_t size; /* bytes in the file: nothing at or past it is read */
	bool is64, big;
	uint64_t phoff, shoff;
	uint64_t phnum, shnum, shstrndx;
	uint64_t phentsize, shentsize;
};

struct elf_seg {
	uint64_t type, flags, offset, vaddr, filesz;
};

struct elf_sec {
	uint64_t name, type, offset, size, link, info;
};

/* A run of bytes of the file, already checked to lie inside it. */
struct span {
	uint64_t off, len;
};

static uint64_t load(const unsigned char *p, size_t n, bool big)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* Field `member` of an ELF structure (Ehdr, Phdr, Shdr) in the raw record
 * rec, in the file's class and byte order; <elf.h> gives the layouts. */
#define GET(f, rec, type, member)                                                                  \
	load(                                                                                      \
	    (rec) + ((f)->is64 ? offsetof(Elf64_##type, member) : offsetof(Elf32_##type, member)), \
	    (f)->is64 ? sizeof(((Elf64_##type *)0)->member) : sizeof(((Elf32_##type *)0)->member), \
	    (f)->big)

#define RECSIZE(f, type) ((f)->is64 ? sizeof(Elf64_##type) : sizeof(Elf32_##type))

static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

/* Reads exactly len bytes at off, or fails naming what was being read. */
static int read_exact(const struct elf_file *f, uint64_t off, void *buf, size_t len,
		      const char *what, struct err *err)
{
	if (!in_file(f, off, len))
		return err_set(err, ERR_PROC,
			       "truncated or malformed ELF: %s (%zu bytes at offset %llu) "
			       "lies past the end of the %llu-byte file",
			       what, len, (unsigned long long)off, (unsigned long long)f->size);
	if (len == 0)
		return 0;
	long n = f->read_at(f->ctx, off, buf, len);
	if (n < 0)
		return err_set(err, ERR_PROC, "read error at offset %llu (%s)",
			       (unsigned long long)off, what);
	if ((unsigned long)n != len)
		return err_set(err, ERR_PROC,
			       "truncated file: %s: got %ld of %zu bytes at offset %llu", what, n,
			       len, (unsigned long long)off);
	return 0;
}

static int read_sec(const struct elf_file *f, uint64_t i, struct elf_sec *s, struct err *err)
{
	unsigned char rec[sizeof(Elf64_Shdr)];
	/* i < shnum <= HEADERS_MAX and shentsize <= 0xffff: no overflow */
	int rc = read_exact(f, f->shoff + i * f->shentsize, rec, RECSIZE(f, Shdr),
			    "a section header", err);
	if (rc)
		return rc;
	s->name = GET(f, rec, Shdr, sh_name);
	s->type = GET(f, rec, Shdr, sh_type);
	s->offset = GET(f, rec, Shdr, sh_offset);
	s->size = GET(f, rec, Shdr, sh_size);
	s->link = GET(f, rec, Shdr, sh_link);
	s->info = GET(f, rec, Shdr, sh_info);
	return 0;
}

static int read_seg(const struct elf_file *f, uint64_t i, struct elf_seg *p, struct err *err)
{
	unsigned char rec[sizeof(Elf64_Phdr)];
	int rc = read_exact(f, f->phoff + i * f->phentsize, rec, RECSIZE(f, Phdr),
			    "a program header", err);
	if (rc)
		return rc;
	p->type = GET(f, rec, Phdr, p_type);
	p->flags = GET(f, rec, Phdr, p_flags);
	p->offset = GET(f, rec, Phdr, p_offset);
	p->vaddr = GET(f, rec, Phdr, p_vaddr);
	p->filesz = GET(f, rec, Phdr, p_filesz);
	return 0;
}

static int table_check(const struct elf_file *f, const char *what, uint64_t off, uint64_t num,
		       uint64_t entsize, struct err *err)
{
	if (num > HEADERS_MAX)
		return err_set(err, ERR_PROC, "malformed ELF: %llu %s headers",
			       (unsigned long long)num, what);
	if (!in_file(f, off, num * entsize)) /* <= 2^20 * 2^16: no overflow */
		return err_set(err, ERR_PROC,
			       "truncated or malformed ELF: %llu %s headers at offset %llu "
			       "do not fit in the %llu-byte file",
			       (unsigned long long)num, what, (unsigned long long)off,
			       (unsigned long long)f->size);
	return 0;
}

/* Reads and checks the ELF header: class, byte order and the two header
 * tables, with the extended numbering of gABI (e_shnum == 0,
 * e_shstrndx == SHN_XINDEX, e_phnum == PN_XNUM: the real values are in
 * section header 0). */
static int elf_open(struct elf_file *f, struct err *err)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	if (f->size < EI_NIDENT)
		return err_set(err, ERR_PROC, "not an ELF file (%llu bytes)",
			       (unsigned long long)f->size);
	int rc = read_exact(f, 0, eh, EI_NIDENT, "the ELF identification", err);
	if (rc)
		return rc;
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return err_set(err, ERR_PROC, "not an ELF file");
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)
		return err_set(err, ERR_PROC, "malformed ELF: unknown class %u", eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return err_set(err, ERR_PROC, "malformed ELF: unknown byte order %u", eh[EI_DATA]);
	f->is64 = eh[EI_CLASS] == ELFCLASS64;
	f->big = eh[EI_DATA] == ELFDATA2MSB;
	rc = read_exact(f, 0, eh, RECSIZE(f, Ehdr), "the ELF header", err);
	if (rc)
		return rc;
	f->phoff = GET(f, eh, Ehdr, e_phoff);
	f->shoff = GET(f, eh, Ehdr, e_shoff);
	f->phentsize = GET(f, eh, Ehdr, e_phentsize);
	f->shentsize = GET(f, eh, Ehdr, e_shentsize);
	f->phnum = GET(f, eh, Ehdr, e_phnum);
	f->shnum = GET(f, eh, Ehdr, e_shnum);
	f->shstrndx = GET(f, eh, Ehdr, e_shstrndx);

	if (f->shoff == 0) {
		/* no section headers: no way to learn an extended count */
		f->shnum = 0;
		f->shstrndx = SHN_UNDEF;
		if (f->phnum == PN_XNUM)
			f->phnum = 0;
	} else {
		if (f->shentsize < RECSIZE(f, Shdr))
			return err_set(err, ERR_PROC, "malformed ELF: section header size %llu",
				       (unsigned long long)f->shentsize);
		if (f->shnum == 0 || f->shstrndx == SHN_XINDEX || f->phnum == PN_XNUM) {
			struct elf_sec s0;
			rc = read_sec(f, 0, &s0, err);
			if (rc)
				return rc;
			if (f->shnum == 0)
				f->shnum = s0.size;
			if (f->shstrndx == SHN_XINDEX)
				f->shstrndx = s0.link;
			if (f->phnum == PN_XNUM)
				f->phnum = s0.info;
		}
		rc = table_check(f, "section", f->shoff, f->shnum, f->shentsize, err);
		if (rc)
			return rc;
		if (f->shstrndx >= f->shnum)
			return err_set(err, ERR_PROC,
				       "malformed ELF: section name table %llu of %llu sections",
				       (unsigned long long)f->shstrndx,
				       (unsigned long long)f->shnum);
	}
	if (f->phoff == 0)
		f->phnum = 0;
	if (f->phnum > 0) {
		if (f->phentsize < RECSIZE(f, Phdr))
			return err_set(err, ERR_PROC, "malformed ELF: program header size %llu",
				       (unsigned long long)f->phentsize);
		rc = table_check(f, "program", f->phoff, f->phnum, f->phentsize, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Finds the .go.buildinfo section.  *found = 0 when the file has no section
 * headers, no name table, or no such section. */
static int find_section(const struct elf_file *f, struct elf_sec *out, bool *found, struct err *err)
{
	*found = false;
	if (f->shnum == 0 || f->shstrndx == SHN_UNDEF)
		return 0;
	struct elf_sec names;
	int rc = read_sec(f, f->shstrndx, &names, err);
	if (rc)
		return rc;
	if (names.type == SHT_NOBITS || !in_file(f, names.offset, names.size))
		return err_set(err, ERR_PROC,
			       "truncated or malformed ELF: section name table (offset %llu, "
			       "size %llu) is not in the %llu-byte file",
			       (unsigned long long)names.offset, (unsigned long long)names.size,
			       (unsigned long long)f->size);
	for (uint64_t i = 1; i < f->shnum; i++) {
		struct elf_sec s;
		char name[sizeof bi_section];
		rc = read_sec(f, i, &s, err);
		if (rc)
			return rc;
		if (s.name >= names.size || names.size - s.name < sizeof name)
			continue;
		rc = read_exact(f, names.offset + s.name, name, sizeof name, "a section name", err);
		if (rc)
			return rc;
		if (memcmp(name, bi_section, sizeof name) == 0) {
			*out = s;
			*found = true;
			return 0;
		}
	}
	return 0;
}

/* The bytes to search for the blob: the .go.buildinfo section, else the first
 * writable, non-executable PT_LOAD segment's file part (Go's DataStart).
 * region->len == 0 when there is neither: not a Go program. */
static int find_region(const struct elf_file *f, struct span *region, struct err *err)
{
	struct elf_sec s;
	bool found;
	*region = (struct span){0, 0};
	int rc = find_section(f, &s, &found, err);
	if (rc)
		return rc;
	if (found) {
		if (s.type == SHT_NOBITS)
			return err_set(err, ERR_PROC, "malformed ELF: %s has no bytes in the file",
				       bi_section);
		if (!in_file(f, s.offset, s.size))
			return err_set(err, ERR_PROC,
				       "truncated or malformed ELF: %s (offset %llu, size %llu) "
				       "is not in the %llu-byte file",
				       bi_section, (unsigned long long)s.offset,
				       (unsigned long long)s.size, (unsigned long long)f->size);
		*region = (struct span){s.offset, s.size};
		return 0;
	}
	for (uint64_t i = 0; i < f->phnum; i++) {
		struct elf_seg p;
		rc = read_seg(f, i, &p, err);
		if (rc)
			return rc;
		if (p.type != PT_LOAD || (p.flags & (PF_X | PF_W)) != PF_W)
			continue;
		if (!in_file(f, p.offset, p.filesz))
			return err_set(err, ERR_PROC,
				       "truncated or malformed ELF: data segment (offset %llu, "
				       "size %llu) is not in the %llu-byte file",
				       (unsigned long long)p.offset, (unsigned long long)p.filesz,
				       (unsigned long long)f->size);
		*region = (struct span){p.offset, p.filesz};
		return 0;
	}
	return 0;
}

/* Looks for the 32-byte blob header at 16-byte-aligned offsets of region (its
 * first SCAN_MAX bytes), reading CHUNK bytes at a time into buf.  *at is the
 * file offset of the header, or UINT64_MAX when there is none. */
static int scan(const struct elf_file *f, struct span region, unsigned char *buf, uint64_t *at,
		struct err *err)
{
	uint64_t limit = region.len < SCAN_MAX ? region.len : SCAN_MAX;
	*at = UINT64_MAX;
	for (uint64_t pos = 0; pos < limit && region.len - pos >= BI_SIZE; pos += CHUNK) {
		size_t n = limit - pos < CHUNK ? (size_t)(limit - pos) : CHUNK;
		int rc = read_exact(f, region.off + pos, buf, n,
				    "the data holding the Go build info", err);
		if (rc)
			return rc;
		/* CHUNK is a multiple of BI_ALIGN: k is aligned within the region too */
		for (size_t k = 0; k + BI_MAGIC_LEN <= n; k += BI_ALIGN) {
			if (region.len - pos - k < BI_SIZE)
				return 0;
			if (memcmp(buf + k, bi_magic, BI_MAGIC_LEN) == 0) {
				*at = region.off + pos + k;
				return 0;
			}
		}
	}
	return 0;
}

/* Decodes the uvarint at *pos (before end) the way encoding/binary.Uvarint
 * does; moves *pos past it. */
static int read_uvarint(const struct elf_file *f, uint64_t *pos, uint64_t end, uint64_t *v,
			struct err *err)
{
	unsigned char b[10];
	size_t n = end - *pos < sizeof b ? (size_t)(end - *pos) : sizeof b;
	int rc = read_exact(f, *pos, b, n, "a string length in the Go build info", err);
	if (rc)
		return rc;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] < 0x80) {
			if (i == 9 && b[i] > 1)
				break;
			*v = x | (uint64_t)b[i] << (7 * i);
			*pos += i + 1;
			return 0;
		}
		x |= (uint64_t)(b[i] & 0x7f) << (7 * i);
	}
	return err_set(err, ERR_PROC, "malformed Go build info: bad string length at offset %llu",
		       (unsigned long long)*pos);
}

/* A uvarint-prefixed string at *pos, ending by end (Go >= 1.18). */
static int inline_string(const struct elf_file *f, uint64_t *pos, uint64_t end, struct span *s,
			 struct err *err)
{
	uint64_t len = 0;
	int rc = read_uvarint(f, pos, end, &len, err);
	if (rc)
		return rc;
	if (len > end - *pos)
		return err_set(err, ERR_PROC,
			       "malformed Go build info: a %llu-byte string at offset %llu runs "
			       "past the end of its %llu-byte region",
			       (unsigned long long)len, (unsigned long long)*pos,
			       (unsigned long long)(end - *pos));
	*s = (struct span){*pos, len};
	*pos += len;
	return 0;
}

/* The file bytes behind len bytes at virtual address addr: they must lie in
 * the file part of one PT_LOAD segment. */
static int resolve(const struct elf_file *f, uint64_t addr, uint64_t len, struct span *out,
		   struct err *err)
{
	for (uint64_t i = 0; i < f->phnum; i++) {
		struct elf_seg p;
		int rc = read_seg(f, i, &p, err);
		if (rc)
			return rc;
		if (p.type != PT_LOAD || addr < p.vaddr || addr - p.vaddr >= p.filesz)
			continue;
		uint64_t rel = addr - p.vaddr;
		if (!in_file(f, p.offset, p.filesz))
			return err_set(err, ERR_PROC,
				       "truncated or malformed ELF: segment (offset %llu, "
				       "size %llu) is not in the %llu-byte file",
				       (unsigned long long)p.offset, (unsigned long long)p.filesz,
				       (unsigned long long)f->size);
		if (len > p.filesz - rel)
			break;
		*out = (struct span){p.offset + rel, len};
		return 0;
	}
	return err_set(err, ERR_PROC,
		       "malformed Go build info: %llu bytes at address 0x%llx are not in the file",
		       (unsigned long long)len, (unsigned long long)addr);
}

/* The Go string whose header {data, len} is at virtual address addr
 * (Go 1.13-1.17). */
static int pointed_string(const struct elf_file *f, uint64_t addr, size_t ptrsize, bool big,
			  struct span *s, struct err *err)
{
	unsigned char hdr[16];
	struct span h;
	int rc = resolve(f, addr, 2 * ptrsize, &h, err);
	if (!rc)
		rc = read_exact(f, h.off, hdr, 2 * ptrsize, "a Go string header", err);
	if (rc)
		return rc;
	uint64_t data = load(hdr, ptrsize, big), len = load(hdr + ptrsize, ptrsize, big);
	if (len == 0) {
		*s = (struct span){0, 0};
		return 0;
	}
	return resolve(f, data, len, s, err);
}

static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* --- module info ---------------------------------------------------------- */

enum setting_kind { SET_STR, SET_CGO, SET_RACE };

/* The "build\tKEY=VALUE" lines kept: one row per field. */
static const struct setting {
	const char *key;
	enum setting_kind kind;
	size_t offset, size; /* the char[] field of struct go_buildinfo (SET_STR) */
} settings[] = {
#define STR(key, field)                                             \
	{                                                           \
		key, SET_STR, offsetof(struct go_buildinfo, field), \
		    sizeof(((struct go_buildinfo *)0)->field)       \
	}
    STR("-buildmode", buildmode),	    STR("GOARCH", goarch),	    STR("GOOS", goos),
    STR("DefaultGODEBUG", default_godebug), {"CGO_ENABLED", SET_CGO, 0, 0},
    {"-race", SET_RACE, 0, 0},
#undef STR
};

/* Undoes the quoting runtime/debug applies to a value holding a space, tab,
 * CR, LF or quote (strconv.Quote, or a `raw` string), cutting the result to
 * cap - 1 bytes.  Knows the escapes strconv.Quote writes for bytes, not
 * \u/\U (never seen in the settings kept here): returns -1 for those and for
 * a malformed value. */
static int unquote(const char *s, size_t len, char *dst, size_t cap)
{
	size_t o = 0;
	if (len < 2 || s[len - 1] != s[0])
		return -1;
	if (s[0] == '`') {
		if (memchr(s + 1, '`', len - 2))
			return -1;
		copy_str(dst, cap, s + 1, len - 2);
		return 0;
	}
	for (size_t i = 1; i < len - 1; i++) {
		char c = s[i];
		if (c == '"')
			return -1;
		if (c == '\\') {
			static const char names[] = "abfnrtv\\\"", codes[] = "\a\b\f\n\r\t\v\\\"";
			const char *e;
			if (++i >= len - 1)
				return -1;
			if (s[i] == 'x') {
				int hi = i + 2 < len - 1 ? hex_digit(s[i + 1]) : -1;
				int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
				if (lo < 0)
					return -1;
				c = (char)(hi * 16 + lo);
				i += 2;
			} else if (s[i] != '\0' && (e = strchr(names, s[i])) != NULL) {
				c = codes[e - names];
			} else {
				return -1;
			}
		}
		if (o + 1 < cap)
			dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

static void build_setting(struct go_buildinfo *out, const char *kv, size_t len)
{
	/* A quoted key is one with '=', a space or a quote in it: none we keep. */
	if (len == 0 || kv[0] == '"' || kv[0] == '`')
		return;
	const char *eq = memchr(kv, '=', len);
	if (!eq)
		return;
	/* cmd/go writes -race=true only when set (load.setBuildInfo): once the
	 * settings are there, its absence means false. */
	if (out->race < 0)
		out->race = 0;
	size_t klen = (size_t)(eq - kv);
	const char *val = eq + 1;
	size_t vlen = len - klen - 1;
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *s = &settings[i];
		if (strlen(s->key) != klen || memcmp(s->key, kv, klen) != 0)
			continue;
		char v[LINE_CAP];
		if (vlen > 0 && (val[0] == '"' || val[0] == '`')) {
			if (unquote(val, vlen, v, sizeof v) != 0)
				return;
		} else {
			copy_str(v, sizeof v, val, vlen);
		}
		if (s->kind == SET_CGO)
			out->cgo = strcmp(v, "1") == 0 ? 1 : strcmp(v, "0") == 0 ? 0 : -1;
		else if (s->kind == SET_RACE)
			out->race = strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : -1;
		else
			copy_str((char *)out + s->offset, s->size, v, strlen(v));
		return;
	}
}

/* line_fn for the module info.  Lines longer than LINE_CAP arrive cut, which
 * cuts their value the way a full field would anyway. */
static int modinfo_line(void *ctx, const char *line, size_t len, bool overlong, struct err *err)
{
	struct go_buildinfo *out = ctx;
	(void)overlong;
	(void)err;
	if (len >= 5 && memcmp(line, "path\t", 5) == 0)
		copy_str(out->path, sizeof out->path, line + 5, len - 5);
	else if (len >= 6 && memcmp(line, "build\t", 6) == 0)
		build_setting(out, line + 6, len - 6);
	return 0;
}

static void modinfo_reset(struct go_buildinfo *out)
{
	out->path[0] = '\0';
	out->goarch[0] = '\0';
	out->goos[0] = '\0';
	out->buildmode[0] = '\0';
	out->default_godebug[0] = '\0';
	out->cgo = -1;
	out->race = -1;
}

/* Unlike runtime/debug.ParseBuildInfo, a malformed line is skipped rather
 * than failing the whole text, and a last line without '\n' is read. */
void buildinfo_parse_modinfo(const char *modinfo, size_t len, struct go_buildinfo *out)
{
	char partial[LINE_CAP];
	struct line_splitter ls;
	modinfo_reset(out);
	lines_init(&ls, partial, sizeof partial);
	lines_feed(&ls, modinfo, len, modinfo_line, out, NULL);
	lines_finish(&ls, modinfo_line, out, NULL);
}

/* Streams the module info at s through the line parser, CHUNK bytes at a time. */
static int read_modinfo(const struct elf_file *f, struct span s, unsigned char *buf,
			struct go_buildinfo *out, struct err *err)
{
	char partial[LINE_CAP];
	struct line_splitter ls;
	lines_init(&ls, partial, sizeof partial);
	for (uint64_t pos = 0; pos < s.len; pos += CHUNK) {
		size_t n = s.len - pos < CHUNK ? (size_t)(s.len - pos) : CHUNK;
		int rc = read_exact(f, s.off + pos, buf, n, "the Go module info", err);
		if (rc)
			return rc;
		lines_feed(&ls, (const char *)buf, n, modinfo_line, out, NULL);
	}
	lines_finish(&ls, modinfo_line, out, NULL);
	return 0;
}

/* --- the blob ---------------------------------------------------------------- */

static int read_blob(const struct elf_file *f, unsigned char *buf, struct go_buildinfo *out,
		     struct err *err)
{
	struct span region, vers, mod;
	uint64_t at = UINT64_MAX;
	int rc = find_region(f, &region, err);
	if (!rc && region.len > 0)
		rc = scan(f, region, buf, &at, err);
	if (rc || region.len == 0 || at == UINT64_MAX)
		return rc; /* 0 here: not a Go program */

	unsigned char h[BI_SIZE];
	rc = read_exact(f, at, h, sizeof h, "the Go build info header", err);
	if (rc)
		return rc;
	size_t ptrsize = h[BI_MAGIC_LEN];
	unsigned flags = h[BI_MAGIC_LEN + 1];
	if (flags & BI_FLAG_INLINE) {
		uint64_t pos = at + BI_SIZE, end = region.off + region.len;
		rc = inline_string(f, &pos, end, &vers, err);
		if (!rc)
			rc = inline_string(f, &pos, end, &mod, err);
	} else {
		/* Go 1.13-1.17 set only the big-endian bit here; Go's reader takes any
		 * non-zero flags as big-endian, and so do we. */
		bool big = flags != 0;
		if (ptrsize != 4 && ptrsize != 8)
			return err_set(err, ERR_PROC,
				       "malformed Go build info: pointer size %zu at offset %llu",
				       ptrsize, (unsigned long long)at);
		rc = pointed_string(f, load(h + 16, ptrsize, big), ptrsize, big, &vers, err);
		if (!rc)
			rc = pointed_string(f, load(h + 16 + ptrsize, ptrsize, big), ptrsize, big,
					    &mod, err);
	}
	if (rc)
		return rc;

	if (vers.len == 0)
		return err_set(err, ERR_PROC, "malformed Go build info: empty Go version");
	size_t n = vers.len < sizeof out->go_version ? vers.len : sizeof out->go_version - 1;
	rc = read_exact(f, vers.off, out->go_version, n, "the Go version", err);
	if (rc)
		return rc;
	out->go_version[n] = '\0';
	/* "go1.21.0", "devel go1.22-1234abcd Tue ...", "go1.21.0 X:boringcrypto" */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out->go_version[i] < 0x20 || out->go_version[i] == 0x7f) {
			char ex[ESC_MAX(sizeof out->go_version)];
			return err_set(
			    err, ERR_PROC,
			    "malformed Go build info: the Go version is not text: \"%s\"",
			    esc_str(ex, sizeof ex, out->go_version, ESC_TEXT));
		}

	/* Without its framing (a binary built outside a module before Go 1.18
	 * has an empty one) the module info is taken as absent, as Go does. */
	if (mod.len >= 33) {
		char nl;
		if (mod.len > MODINFO_MAX)
			return err_set(err, ERR_PROC,
				       "malformed Go build info: %llu bytes of module info",
				       (unsigned long long)mod.len);
		rc = read_exact(f, mod.off + mod.len - 17, &nl, 1, "the Go module info", err);
		if (rc)
			return rc;
		if (nl == '\n')
			rc = read_modinfo(f, (struct span){mod.off + 16, mod.len - 32}, buf, out,
					  err);
		if (rc)
			return rc;
	}
	out->found = 1;
	return 0;
}

static void bi_clear(struct go_buildinfo *out)
{
	memset(out, 0, sizeof *out);
	out->cgo = -1;
	out->race = -1;
}

int buildinfo_read(read_at_fn read_at, void *ctx, uint64_t file_size, struct go_buildinfo *out,
		   struct err *err)
{
	struct elf_file f = {.read_at = read_at, .ctx = ctx, .size = file_size};
	bi_clear(out);
	int rc = elf_open(&f, err);
	if (rc)
		return rc;
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		return err_set(err, ERR_INTERNAL, "out of memory reading the Go build info");
	rc = read_blob(&f, buf, out, err);
	free(buf);
	if (rc)
		bi_clear(out);
	return rc;
}
