/* Unit tests for the Go build info reader (src/parse/buildinfo.c) and its
 * file front end (src/acquire/exe.c).
 *
 * No Go 1.13-1.17 toolchain is installed, so the old pointer layout, ELF32,
 * big-endian and stripped section headers are tested on synthetic ELF images
 * built here in memory.  Set BUILDINFO_IMAGES=DIR to also write those images
 * to DIR, to check them against Go's own reader:
 *   for f in DIR/inline64 DIR/pointer64 ...; do go version -m $f; done */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/buildinfo.h"

/* --- an in-memory file ------------------------------------------------------ */

struct mem {
	const unsigned char *p;
	size_t len;
	int calls;
	int fail_call;	   /* this call (1-based) returns -1; 0: none */
	int out_of_bounds; /* a read asked for bytes at or past len */
};

static long mem_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem *m = ctx;
	if (++m->calls == m->fail_call)
		return -1;
	if (off > m->len || len > m->len - off) {
		m->out_of_bounds = 1;
		if (off > m->len)
			return 0;
		len = m->len - (size_t)off;
	}
	memcpy(buf, m->p + off, len);
	return (long)len;
}

/* buildinfo_read on buf, checking it never reads outside the buffer. */
static int read_mem(const void *buf, size_t len, struct go_buildinfo *bi, struct err *err)
{
	struct mem m = {.p = buf, .len = len};
	memset(err, 0, sizeof *err);
	int rc = buildinfo_read(mem_read_at, &m, len, bi, err);
	assert_false(m.out_of_bounds);
	if (rc) {
		assert_int_equal(err->code, rc);
		assert_true(err->msg[0] != '\0');
		assert_int_equal(bi->found, 0);
	}
	return rc;
}

/* --- synthetic ELF images ---------------------------------------------------- */

#define TEXT_VA 0x400000u /* text segment: file offset 0 */
#define DATA_VA 0x800000u /* data segment: file offset image.data_off */

static const unsigned char bi_magic[14] = "\xff Go buildinf:";
/* cmd/go/internal/modload infoStart and infoEnd */
static const unsigned char info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
					     0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const unsigned char info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
					   0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};
/* section names: .text at 1, .go.buildinfo at 7, .shstrtab at 21, .data at 31 */
static const char shstrtab[] = "\0.text\0.go.buildinfo\0.shstrtab\0.data";

struct spec {
	bool is64, big;
	bool inline_strings;	 /* Go >= 1.18 layout; else Go 1.13-1.17 pointers */
	bool no_section_headers; /* e_shoff = 0: found by searching the data segment */
	bool not_go;		 /* no blob, and a .data section instead */
	bool extended_numbering; /* e_shnum = 0, e_shstrndx = SHN_XINDEX */
	bool decoy;		 /* a copy of the magic at an unaligned offset first */
	size_t bi_at;		 /* offset of the blob in the data segment (16-aligned) */
	const char *version;
	const char *modinfo; /* text between the sentinels; NULL: none */
	size_t modinfo_len;  /* 0: strlen(modinfo) */
};

struct image {
	unsigned char *p;
	size_t len;
	bool is64, big;
	/* where things are, for the tests that damage them */
	size_t phoff, shoff, data_off, data_end, bi_off, sh_bi;
};

static size_t align(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

static void grow(struct image *im, size_t end)
{
	if (end <= im->len)
		return;
	im->p = realloc(im->p, end);
	assert_non_null(im->p);
	memset(im->p + im->len, 0, end - im->len);
	im->len = end;
}

static void put(struct image *im, size_t off, uint64_t v, size_t n)
{
	grow(im, off + n);
	for (size_t i = 0; i < n; i++)
		im->p[off + (im->big ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

static void put_bytes(struct image *im, size_t off, const void *b, size_t n)
{
	grow(im, off + n);
	memcpy(im->p + off, b, n);
}

static size_t put_uvarint(struct image *im, size_t off, uint64_t v)
{
	size_t n = 0;
	do {
		unsigned char b = (unsigned char)(v & 0x7f);
		v >>= 7;
		put(im, off + n++, b | (v ? 0x80 : 0), 1);
	} while (v);
	return n;
}

/* Writes field `member` of an ELF structure at base, in the image's class. */
#define PUT(im, base, type, member, v)                                                          \
	put((im),                                                                               \
	    (base) +                                                                            \
		((im)->is64 ? offsetof(Elf64_##type, member) : offsetof(Elf32_##type, member)), \
	    (v),                                                                                \
	    (im)->is64 ? sizeof(((Elf64_##type *)0)->member)                                    \
		       : sizeof(((Elf32_##type *)0)->member))

#define SIZEOF(im, type) ((im)->is64 ? sizeof(Elf64_##type) : sizeof(Elf32_##type))

/* The module info as the linker stores it: framed by the sentinels. */
static size_t put_modinfo(struct image *im, size_t off, const struct spec *s)
{
	if (!s->modinfo)
		return 0;
	size_t n = s->modinfo_len ? s->modinfo_len : strlen(s->modinfo);
	put_bytes(im, off, info_start, 16);
	put_bytes(im, off + 16, s->modinfo, n);
	put_bytes(im, off + 16 + n, info_end, 16);
	return n + 32;
}

static size_t modinfo_size(const struct spec *s)
{
	if (!s->modinfo)
		return 0;
	return (s->modinfo_len ? s->modinfo_len : strlen(s->modinfo)) + 32;
}

/* Layout: ELF header, 2 program headers, the strings (pointer layout), then
 * the data segment (the blob at bi_at), .shstrtab, the section headers
 * (.text, .go.buildinfo, .shstrtab). */
static struct image build(const struct spec *s)
{
	struct image im = {.is64 = s->is64, .big = s->big};
	size_t ptr = s->is64 ? 8 : 4;
	size_t vlen = strlen(s->version);

	im.phoff = SIZEOF(&im, Ehdr);
	size_t str_off = align(im.phoff + 2 * SIZEOF(&im, Phdr), 16), str_end = str_off;
	size_t vers_off = 0, mod_off = 0, mod_len = 0;
	grow(&im, str_off);
	if (!s->not_go && !s->inline_strings) {
		vers_off = str_end;
		put_bytes(&im, vers_off, s->version, vlen);
		mod_off = vers_off + vlen;
		mod_len = put_modinfo(&im, mod_off, s);
		str_end = mod_off + mod_len;
	}
	im.data_off = align(str_end, 16) + 16;
	im.bi_off = im.data_off + s->bi_at;
	if (s->not_go) {
		put_bytes(&im, im.data_off, "plain data, no Go here", 22);
		im.data_end = align(im.bi_off + 64, 16);
	} else {
		size_t h = im.bi_off;
		put_bytes(&im, h, bi_magic, sizeof bi_magic);
		put(&im, h + 14, ptr, 1);
		put(&im, h + 15, (s->big ? 1 : 0) | (s->inline_strings ? 2 : 0), 1);
		if (s->inline_strings) {
			size_t pos = h + 32;
			pos += put_uvarint(&im, pos, vlen);
			put_bytes(&im, pos, s->version, vlen);
			pos += vlen;
			pos += put_uvarint(&im, pos, modinfo_size(s));
			pos += put_modinfo(&im, pos, s);
			im.data_end = align(pos, 16);
		} else {
			/* runtime.buildVersion and runtime.modinfo: Go string headers
			 * right after the blob, pointing into the text segment */
			size_t vh = h + 32, mh = h + 32 + 2 * ptr;
			put(&im, h + 16, DATA_VA + (vh - im.data_off), ptr);
			put(&im, h + 16 + ptr, DATA_VA + (mh - im.data_off), ptr);
			put(&im, vh, TEXT_VA + vers_off, ptr);
			put(&im, vh + ptr, vlen, ptr);
			put(&im, mh, mod_len ? TEXT_VA + mod_off : 0, ptr);
			put(&im, mh + ptr, mod_len, ptr);
			im.data_end = align(mh + 2 * ptr, 16);
		}
		if (s->decoy)
			put_bytes(&im, im.data_off + 8, bi_magic, sizeof bi_magic);
	}
	grow(&im, im.data_end);

	/* program headers: text (R X) and data (RW) */
	size_t ph = im.phoff, phsz = SIZEOF(&im, Phdr);
	PUT(&im, ph, Phdr, p_type, PT_LOAD);
	PUT(&im, ph, Phdr, p_flags, PF_R | PF_X);
	PUT(&im, ph, Phdr, p_offset, 0);
	PUT(&im, ph, Phdr, p_vaddr, TEXT_VA);
	PUT(&im, ph, Phdr, p_filesz, str_end);
	PUT(&im, ph, Phdr, p_memsz, str_end);
	PUT(&im, ph + phsz, Phdr, p_type, PT_LOAD);
	PUT(&im, ph + phsz, Phdr, p_flags, PF_R | PF_W);
	PUT(&im, ph + phsz, Phdr, p_offset, im.data_off);
	PUT(&im, ph + phsz, Phdr, p_vaddr, DATA_VA);
	PUT(&im, ph + phsz, Phdr, p_filesz, im.data_end - im.data_off);
	PUT(&im, ph + phsz, Phdr, p_memsz, im.data_end - im.data_off + 0x1000);

	size_t shnum = 0;
	if (!s->no_section_headers) {
		size_t names = im.data_end, shsz = SIZEOF(&im, Shdr);
		put_bytes(&im, names, shstrtab, sizeof shstrtab);
		im.shoff = align(names + sizeof shstrtab, 8);
		shnum = 4;
		size_t sh = im.shoff;
		grow(&im, sh + shnum * shsz);
		if (s->extended_numbering) {
			PUT(&im, sh, Shdr, sh_size, shnum);
			PUT(&im, sh, Shdr, sh_link, 3);
		}
		sh += shsz;
		PUT(&im, sh, Shdr, sh_name, 1);
		PUT(&im, sh, Shdr, sh_type, SHT_PROGBITS);
		PUT(&im, sh, Shdr, sh_flags, SHF_ALLOC | SHF_EXECINSTR);
		PUT(&im, sh, Shdr, sh_addr, TEXT_VA + str_off);
		PUT(&im, sh, Shdr, sh_offset, str_off);
		PUT(&im, sh, Shdr, sh_size, str_end - str_off);
		sh += shsz;
		im.sh_bi = sh;
		PUT(&im, sh, Shdr, sh_name, s->not_go ? 31 : 7);
		PUT(&im, sh, Shdr, sh_type, SHT_PROGBITS);
		PUT(&im, sh, Shdr, sh_flags, SHF_ALLOC | SHF_WRITE);
		PUT(&im, sh, Shdr, sh_addr, DATA_VA + s->bi_at);
		PUT(&im, sh, Shdr, sh_offset, im.bi_off);
		PUT(&im, sh, Shdr, sh_size,
		    s->inline_strings || s->not_go ? im.data_end - im.bi_off : 32);
		PUT(&im, sh, Shdr, sh_addralign, 16);
		sh += shsz;
		PUT(&im, sh, Shdr, sh_name, 21);
		PUT(&im, sh, Shdr, sh_type, SHT_STRTAB);
		PUT(&im, sh, Shdr, sh_offset, names);
		PUT(&im, sh, Shdr, sh_size, sizeof shstrtab);
	}

	unsigned char ident[EI_NIDENT] = {ELFMAG0,
					  ELFMAG1,
					  ELFMAG2,
					  ELFMAG3,
					  s->is64 ? ELFCLASS64 : ELFCLASS32,
					  s->big ? ELFDATA2MSB : ELFDATA2LSB,
					  EV_CURRENT};
	put_bytes(&im, 0, ident, sizeof ident);
	PUT(&im, 0, Ehdr, e_type, ET_EXEC);
	PUT(&im, 0, Ehdr, e_machine, s->big ? EM_MIPS : (s->is64 ? EM_X86_64 : EM_386));
	PUT(&im, 0, Ehdr, e_version, EV_CURRENT);
	PUT(&im, 0, Ehdr, e_entry, TEXT_VA + str_off);
	PUT(&im, 0, Ehdr, e_phoff, im.phoff);
	PUT(&im, 0, Ehdr, e_shoff, im.shoff);
	PUT(&im, 0, Ehdr, e_ehsize, SIZEOF(&im, Ehdr));
	PUT(&im, 0, Ehdr, e_phentsize, SIZEOF(&im, Phdr));
	PUT(&im, 0, Ehdr, e_phnum, 2);
	PUT(&im, 0, Ehdr, e_shentsize, shnum ? SIZEOF(&im, Shdr) : 0);
	PUT(&im, 0, Ehdr, e_shnum, s->extended_numbering ? 0 : shnum);
	PUT(&im, 0, Ehdr, e_shstrndx, s->extended_numbering ? SHN_XINDEX : shnum ? 3 : 0);
	return im;
}

/* Writes the image to $BUILDINFO_IMAGES/name, when that is set. */
static void keep_image(const struct image *im, const char *name)
{
	const char *dir = getenv("BUILDINFO_IMAGES");
	if (!dir || !*dir)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(im->p, 1, im->len, f), im->len);
	assert_int_equal(fclose(f), 0);
}

#define MODINFO_1_23                                                   \
	"path\texample.com/memsvc\n"                                   \
	"mod\texample.com/memsvc\t(devel)\t\n"                         \
	"dep\tgithub.com/prometheus/client_golang\tv1.14.0\th1:abc=\n" \
	"build\t-buildmode=exe\n"                                      \
	"build\t-compiler=gc\n"                                        \
	"build\tDefaultGODEBUG=panicnil=1,x509negativeserial=1\n"      \
	"build\tCGO_ENABLED=1\n"                                       \
	"build\tCGO_CFLAGS=\n"                                         \
	"build\tGOARCH=amd64\n"                                        \
	"build\tGOOS=linux\n"                                          \
	"build\tGOAMD64=v1\n"

/* Go 1.13-1.17 wrote no build settings. */
#define MODINFO_1_16                        \
	"path\texample.com/old\n"           \
	"mod\texample.com/old\t(devel)\t\n" \
	"dep\tgolang.org/x/sys\tv0.0.0-2021\th1:xyz=\n"

static void expect_1_23(const struct go_buildinfo *bi, const char *version)
{
	assert_int_equal(bi->found, 1);
	assert_string_equal(bi->go_version, version);
	assert_string_equal(bi->path, "example.com/memsvc");
	assert_string_equal(bi->goarch, "amd64");
	assert_string_equal(bi->goos, "linux");
	assert_string_equal(bi->buildmode, "exe");
	assert_int_equal(bi->cgo, 1);
	assert_string_equal(bi->default_godebug, "panicnil=1,x509negativeserial=1");
}

static void expect_1_16(const struct go_buildinfo *bi, const char *version)
{
	assert_int_equal(bi->found, 1);
	assert_string_equal(bi->go_version, version);
	assert_string_equal(bi->path, "example.com/old");
	assert_string_equal(bi->goarch, "");
	assert_string_equal(bi->goos, "");
	assert_string_equal(bi->buildmode, "");
	assert_int_equal(bi->cgo, -1);
	assert_string_equal(bi->default_godebug, "");
}

static const struct spec inline64 = {
    .is64 = true, .inline_strings = true, .version = "go1.23.5", .modinfo = MODINFO_1_23};
static const struct spec inline32be = {
    .big = true, .inline_strings = true, .version = "go1.21.13", .modinfo = MODINFO_1_23};
static const struct spec pointer64 = {
    .is64 = true, .version = "go1.16.15", .modinfo = MODINFO_1_16};
static const struct spec pointer32be = {.big = true, .version = "go1.13", .modinfo = MODINFO_1_16};

/* Builds the image, reads it and frees it; returns read_mem's code. */
static int read_spec(const struct spec *s, const char *name, struct go_buildinfo *bi,
		     struct err *err)
{
	struct image im = build(s);
	if (name)
		keep_image(&im, name);
	int rc = read_mem(im.p, im.len, bi, err);
	free(im.p);
	return rc;
}

/* --- the two layouts, both classes, both byte orders --------------------------- */

static void test_inline_elf64(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	assert_int_equal(read_spec(&inline64, "inline64", &bi, &err), 0);
	expect_1_23(&bi, "go1.23.5");
}

static void test_inline_elf32_big_endian(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	assert_int_equal(read_spec(&inline32be, "inline32be", &bi, &err), 0);
	expect_1_23(&bi, "go1.21.13");
}

static void test_pointer_elf64(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	assert_int_equal(read_spec(&pointer64, "pointer64", &bi, &err), 0);
	expect_1_16(&bi, "go1.16.15");
}

static void test_pointer_elf32_big_endian(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	assert_int_equal(read_spec(&pointer32be, "pointer32be", &bi, &err), 0);
	expect_1_16(&bi, "go1.13");
}

/* A GOPATH build before Go 1.18: runtime.modinfo is "". */
static void test_pointer_no_modinfo(void **state)
{
	(void)state;
	struct spec s = pointer64;
	struct go_buildinfo bi;
	struct err err;
	s.modinfo = NULL;
	assert_int_equal(read_spec(&s, "pointer64-nomod", &bi, &err), 0);
	assert_int_equal(bi.found, 1);
	assert_string_equal(bi.go_version, "go1.16.15");
	assert_string_equal(bi.path, "");
	assert_int_equal(bi.cgo, -1);
}

/* Module info without its framing is ignored, as Go does. */
static void test_modinfo_unframed(void **state)
{
	(void)state;
	struct spec s = inline64;
	struct go_buildinfo bi;
	struct err err;
	s.modinfo = "path\tx\n"; /* framed: 39 bytes, but byte len-17 is not '\n' */
	struct image im = build(&s);
	unsigned char *nl = memmem(im.p, im.len, "path\tx\n", 7);
	assert_non_null(nl);
	nl[6] = ';';
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), 0);
	free(im.p);
	assert_int_equal(bi.found, 1);
	assert_string_equal(bi.go_version, "go1.23.5");
	assert_string_equal(bi.path, "");
}

static void test_extended_numbering(void **state)
{
	(void)state;
	struct spec s = inline64;
	struct go_buildinfo bi;
	struct err err;
	s.extended_numbering = true;
	assert_int_equal(read_spec(&s, "inline64-xnum", &bi, &err), 0);
	expect_1_23(&bi, "go1.23.5");
}

/* --- without section headers: the search of the data segment ----------------- */

static void test_no_section_headers(void **state)
{
	(void)state;
	const struct spec *specs[] = {&inline64, &inline32be, &pointer64, &pointer32be};
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		struct spec s = *specs[i];
		struct go_buildinfo bi;
		struct err err;
		char name[32];
		s.no_section_headers = true;
		s.bi_at = 48;
		s.decoy = true; /* at offset 8: not 16-aligned, must be passed over */
		snprintf(name, sizeof name, "noshdr-%zu", i);
		assert_int_equal(read_spec(&s, name, &bi, &err), 0);
		if (s.inline_strings)
			expect_1_23(&bi, s.version);
		else
			expect_1_16(&bi, s.version);
	}
}

/* The blob far into a big data segment: found across read chunks. */
static void test_search_far(void **state)
{
	(void)state;
	struct spec s = inline64;
	struct go_buildinfo bi;
	struct err err;
	s.no_section_headers = true;
	s.bi_at = 3 * 65536 + 4096 + 16;
	assert_int_equal(read_spec(&s, NULL, &bi, &err), 0);
	expect_1_23(&bi, "go1.23.5");
}

/* --- not Go, not ELF --------------------------------------------------------- */

static void test_not_go(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct spec s = inline64;
	s.not_go = true;
	assert_int_equal(read_spec(&s, "not-go", &bi, &err), 0);
	assert_int_equal(bi.found, 0);
	s.no_section_headers = true;
	assert_int_equal(read_spec(&s, "not-go-noshdr", &bi, &err), 0);
	assert_int_equal(bi.found, 0);
	s.big = true;
	s.is64 = false;
	assert_int_equal(read_spec(&s, NULL, &bi, &err), 0);
	assert_int_equal(bi.found, 0);
}

/* A .go.buildinfo section without the magic: Go says "not a Go executable". */
static void test_section_without_magic(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&inline64);
	im.p[im.bi_off] ^= 0xff;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), 0);
	assert_int_equal(bi.found, 0);
	free(im.p);
}

static void test_not_elf(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	static const char text[] = "#!/bin/sh\necho this is a shell script, not an ELF file\n";
	assert_int_equal(read_mem(text, sizeof text - 1, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	assert_int_equal(read_mem("", 0, &bi, &err), ERR_PROC);
	assert_int_equal(read_mem("\x7f"
				  "ELF",
				  4, &bi, &err),
			 ERR_PROC);

	struct image im = build(&inline64);
	im.p[EI_CLASS] = 3;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "class"));
	im.p[EI_CLASS] = ELFCLASS64;
	im.p[EI_DATA] = 0;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "byte order"));
	free(im.p);
}

/* --- damaged files: an error (or found = 0), never a read out of bounds ------- */

static void test_truncated_prefixes(void **state)
{
	(void)state;
	struct spec noshdr = pointer32be;
	noshdr.no_section_headers = true;
	const struct spec *specs[] = {&inline64, &inline32be, &pointer64, &pointer32be, &noshdr};
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		struct image im = build(specs[i]);
		for (size_t len = 0; len < im.len; len++) {
			/* an exact-size copy, so ASan or valgrind see any overrun */
			unsigned char *cut = malloc(len ? len : 1);
			struct go_buildinfo bi;
			struct err err;
			assert_non_null(cut);
			memcpy(cut, im.p, len);
			/* Every layout here ends in bytes the reader needs (the
			 * section headers, or the data segment): any cut is an error. */
			assert_int_equal(read_mem(cut, len, &bi, &err), ERR_PROC);
			free(cut);
		}
		free(im.p);
	}
}

/* Every single-byte change of the headers and the blob: no crash, no read
 * out of bounds (read_mem checks), and a consistent result. */
static void test_corrupted_bytes(void **state)
{
	(void)state;
	const struct spec *specs[] = {&inline64, &pointer32be};
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		struct image im = build(specs[i]);
		for (size_t off = 0; off < im.len; off++) {
			static const unsigned char vals[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
			unsigned char keep = im.p[off];
			for (size_t v = 0; v < sizeof vals; v++) {
				struct go_buildinfo bi;
				struct err err;
				im.p[off] = vals[v];
				int rc = read_mem(im.p, im.len, &bi, &err);
				assert_true(rc == 0 || rc == ERR_PROC);
				if (rc == 0 && bi.found)
					assert_true(bi.go_version[0] != '\0');
			}
			im.p[off] = keep;
		}
		free(im.p);
	}
}

static void test_section_out_of_file(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&inline64);
	/* offset + size overflows 64 bits */
	PUT(&im, im.sh_bi, Shdr, sh_offset, UINT64_MAX - 8);
	PUT(&im, im.sh_bi, Shdr, sh_size, 0x100);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, ".go.buildinfo"));
	/* a valid offset, a size running past the end */
	PUT(&im, im.sh_bi, Shdr, sh_offset, im.bi_off);
	PUT(&im, im.sh_bi, Shdr, sh_size, UINT64_MAX);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	PUT(&im, im.sh_bi, Shdr, sh_size, im.len - im.bi_off + 1);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	/* SHT_NOBITS */
	PUT(&im, im.sh_bi, Shdr, sh_size, 64);
	PUT(&im, im.sh_bi, Shdr, sh_type, SHT_NOBITS);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	free(im.p);
}

static void test_header_tables_out_of_file(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&inline64);
	struct image orig = {.p = malloc(im.len), .len = im.len};
	assert_non_null(orig.p);
	memcpy(orig.p, im.p, im.len);

	PUT(&im, 0, Ehdr, e_shoff, UINT64_MAX - 16);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	PUT(&im, 0, Ehdr, e_shnum, 0xfff0); /* 0xfff0 * 64 bytes: past the end */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	PUT(&im, 0, Ehdr, e_shentsize, 8); /* smaller than a section header */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	PUT(&im, 0, Ehdr, e_shstrndx, 9); /* names in a section that is not there */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	PUT(&im, 0, Ehdr, e_phoff, UINT64_MAX - 8);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	/* extended count in section 0, far too large */
	PUT(&im, 0, Ehdr, e_shnum, 0);
	PUT(&im, im.shoff, Shdr, sh_size, UINT64_MAX / 2);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p, orig.p, im.len);
	/* the name table's offset + size overflows */
	PUT(&im, im.shoff + 3 * SIZEOF(&im, Shdr), Shdr, sh_offset, UINT64_MAX - 1);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	free(im.p);
	free(orig.p);
}

static void test_data_segment_out_of_file(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct spec s = inline64;
	s.no_section_headers = true;
	struct image im = build(&s);
	size_t data_ph = im.phoff + SIZEOF(&im, Phdr);
	PUT(&im, data_ph, Phdr, p_filesz, UINT64_MAX);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	PUT(&im, data_ph, Phdr, p_filesz, 64);
	PUT(&im, data_ph, Phdr, p_offset, UINT64_MAX - 32);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	/* an executable segment is not searched: not Go */
	PUT(&im, data_ph, Phdr, p_offset, im.data_off);
	PUT(&im, data_ph, Phdr, p_filesz, im.data_end - im.data_off);
	PUT(&im, data_ph, Phdr, p_flags, PF_R | PF_W | PF_X);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), 0);
	assert_int_equal(bi.found, 0);
	free(im.p);
}

static void test_bogus_varint(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&inline64);
	size_t v = im.bi_off + 32;
	/* eleven continuation bytes: longer than any uvarint */
	memset(im.p + v, 0xff, 11);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "string length"));
	/* ten bytes whose last one overflows 64 bits */
	memset(im.p + v, 0xff, 9);
	im.p[v + 9] = 0x02;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	/* a well-formed length far past the section */
	memset(im.p + v, 0x80, 9);
	im.p[v] = 0xff;
	im.p[v + 9] = 0x01;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "past the end"));
	/* the version 1 byte longer than what is left of the section */
	free(im.p);
	im = build(&inline64);
	PUT(&im, im.sh_bi, Shdr, sh_size, 32 + 1 + strlen("go1.23.5") - 1);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	/* a continuation byte as the section's last byte */
	PUT(&im, im.sh_bi, Shdr, sh_size, 33);
	im.p[v] = 0x80;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	/* an empty version */
	free(im.p);
	im = build(&inline64);
	im.p[v] = 0;
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "empty Go version"));
	free(im.p);
}

static void test_pointer_bad_addresses(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&pointer64);
	size_t h = im.bi_off, vh = h + 32;
	unsigned char keep[64];
	memcpy(keep, im.p + h, sizeof keep);

	put(&im, h + 16, 0x1234, 8); /* header pointer in no segment */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "address"));
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, h + 16, UINT64_MAX - 4, 8); /* addr + 16 overflows */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, vh + 8, UINT64_MAX, 8); /* string length */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, vh + 8, 0x10000, 8); /* past the text segment's end */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, vh, UINT64_MAX, 8); /* string data pointer */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p + h, keep, sizeof keep);
	im.p[h + 14] = 3; /* pointer size */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "pointer size"));
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, vh + 8, 0, 8); /* empty version */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	memcpy(im.p + h, keep, sizeof keep);
	put(&im, vh, TEXT_VA + im.phoff, 8); /* a version that is not text */
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "not text"));
	memcpy(im.p + h, keep, sizeof keep);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), 0);
	expect_1_16(&bi, "go1.16.15");
	free(im.p);
}

/* The segment the pointers resolve through lies partly past the file's end. */
static void test_pointer_segment_out_of_file(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err;
	struct image im = build(&pointer64);
	PUT(&im, im.phoff, Phdr, p_filesz, im.len + 1);
	assert_int_equal(read_mem(im.p, im.len, &bi, &err), ERR_PROC);
	free(im.p);
}

/* read_at failing at each call in turn: always an error, until no call fails. */
static void test_read_errors(void **state)
{
	(void)state;
	struct image im = build(&pointer32be);
	for (int k = 1;; k++) {
		struct mem m = {.p = im.p, .len = im.len, .fail_call = k};
		struct go_buildinfo bi;
		struct err err = {0};
		int rc = buildinfo_read(mem_read_at, &m, im.len, &bi, &err);
		if (m.calls < k) {
			assert_int_equal(rc, 0);
			expect_1_16(&bi, "go1.13");
			assert_true(k > 5);
			break;
		}
		assert_int_equal(rc, ERR_PROC);
		assert_non_null(strstr(err.msg, "read error"));
		assert_int_equal(bi.found, 0);
	}
	free(im.p);
}

/* The file is shorter than the size given (it shrank): a short read. */
static void test_short_read(void **state)
{
	(void)state;
	struct image im = build(&inline64);
	struct mem m = {.p = im.p, .len = im.len - 100};
	struct go_buildinfo bi;
	struct err err = {0};
	assert_int_equal(buildinfo_read(mem_read_at, &m, im.len, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "truncated"));
	free(im.p);
}

/* Module info much larger than one read: streamed line by line, with a line
 * cut by the 64 KiB read boundary and a line longer than that. */
static void test_big_modinfo(void **state)
{
	(void)state;
	size_t cap = 300 * 1024, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n, "path\texample.com/big\n");
	/* fill up to just before the first read boundary (reads start at the
	 * text, after the 16-byte sentinel) */
	while (n < 65536 - 40)
		n += (size_t)snprintf(text + n, cap - n, "dep\texample.com/d%zu\tv1.0.0\th1:x=\n",
				      n);
	while (n < 65536 - 6)
		text[n++] = '#';
	text[n++] = '\n';
	n += (size_t)snprintf(text + n, cap - n, "build\tGOOS=linux\n"); /* cut by it */
	memcpy(text + n, "dep\t", 4);
	memset(text + n + 4, 'x', 70000);
	n += 70004;
	text[n++] = '\n';
	n += (size_t)snprintf(text + n, cap - n,
			      "build\t-buildmode=pie\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=arm64\n");
	struct spec s = inline64;
	s.modinfo = text;
	s.modinfo_len = n;
	struct go_buildinfo bi;
	struct err err;
	assert_int_equal(read_spec(&s, "bigmod", &bi, &err), 0);
	assert_int_equal(bi.found, 1);
	assert_string_equal(bi.path, "example.com/big");
	assert_string_equal(bi.goos, "linux");
	assert_string_equal(bi.goarch, "arm64");
	assert_string_equal(bi.buildmode, "pie");
	assert_int_equal(bi.cgo, 0);
	s.no_section_headers = true; /* and found by the search */
	assert_int_equal(read_spec(&s, NULL, &bi, &err), 0);
	assert_string_equal(bi.goarch, "arm64");
	free(text);
}

/* --- buildinfo_parse_modinfo ---------------------------------------------------- */

static void test_parse_modinfo(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	memset(&bi, 0, sizeof bi);
	strcpy(bi.go_version, "go1.23.5");
	bi.found = 1;
	buildinfo_parse_modinfo(MODINFO_1_23, strlen(MODINFO_1_23), &bi);
	expect_1_23(&bi, "go1.23.5");

	/* fields from an earlier call are cleared */
	static const char pure[] = "path\tx\nbuild\tCGO_ENABLED=0\nbuild\tGOOS=windows\n";
	buildinfo_parse_modinfo(pure, strlen(pure), &bi);
	assert_int_equal(bi.found, 1);
	assert_string_equal(bi.go_version, "go1.23.5");
	assert_string_equal(bi.path, "x");
	assert_int_equal(bi.cgo, 0);
	assert_string_equal(bi.goos, "windows");
	assert_string_equal(bi.goarch, "");
	assert_string_equal(bi.buildmode, "");
	assert_string_equal(bi.default_godebug, "");

	buildinfo_parse_modinfo("", 0, &bi);
	assert_string_equal(bi.path, "");
	assert_int_equal(bi.cgo, -1);
}

static void test_parse_modinfo_edges(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	static const char t1[] =
	    "build\tCGO_ENABLED=2\n"	  /* not 0 or 1: unknown */
	    "build\tGOARCH\n"		  /* no '=': skipped */
	    "build\t=amd64\n"		  /* no key */
	    "build\t\"GOOS\"=plan9\n"	  /* a quoted key: not ours */
	    "build\t-ldflags=\"-s -w\"\n" /* quoted, not kept */
	    "build\tGOOSX=linux\n"	  /* a longer key */
	    "build\tGOO=linux\n"	  /* a shorter one */
	    "pathology\tx\n"		  /* not "path\t" */
	    "mod\tpath\tv1\n"
	    "build\tDefaultGODEBUG=\"a b\\tc\\\"d\\x41\\\\\"\n" /* strconv.Quote */
	    "build\tGOARCH=`raw value`\r\n"			/* CRLF */
	    "build\t-buildmode=exe";				/* no final newline */
	buildinfo_parse_modinfo(t1, strlen(t1), &bi);
	assert_int_equal(bi.cgo, -1);
	assert_string_equal(bi.goos, "");
	assert_string_equal(bi.path, "");
	assert_string_equal(bi.default_godebug, "a b\tc\"dA\\");
	assert_string_equal(bi.goarch, "raw value");
	assert_string_equal(bi.buildmode, "exe");

	/* malformed quoting leaves the field unknown */
	static const char *bad[] = {
	    "build\tGOOS=\"linux\n",  "build\tGOOS=\"lin\"ux\"\n", "build\tGOOS=\"\\u00e9\"\n",
	    "build\tGOOS=\"\\x4\"\n", "build\tGOOS=\"a\\\"\n",	   "build\tGOOS=`a`b`\n",
	    "build\tGOOS=\"\n",	      "build\tGOOS=\"\\z\"\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buildinfo_parse_modinfo(bad[i], strlen(bad[i]), &bi);
		assert_string_equal(bi.goos, "");
	}

	/* values longer than their field are cut to it */
	char long_line[2100];
	memcpy(long_line, "path\t", 5);
	memset(long_line + 5, 'p', 2000);
	memcpy(long_line + 2005, "\nbuild\tGOOS=linuxlinuxlinuxlinux\n", 33);
	buildinfo_parse_modinfo(long_line, 2038, &bi);
	assert_int_equal(strlen(bi.path), sizeof bi.path - 1);
	assert_string_equal(bi.goos, "linuxlinuxlinux");

	/* a NUL inside the text does not stop the parse */
	static const char nul[] = "build\tGOOS=li\0ux\nbuild\tGOARCH=386\n";
	buildinfo_parse_modinfo(nul, sizeof nul - 1, &bi);
	assert_string_equal(bi.goos, "li");
	assert_string_equal(bi.goarch, "386");
}

/* -race: cmd/go writes "build\t-race=true" only for a -race build, so with
 * the build settings there and no such line it is false; without any build
 * line (Go 1.13-1.17's module info) it is unknown. */
static void test_parse_modinfo_race(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	static const char race[] = "path\tmemsvc\nbuild\t-compiler=gc\nbuild\t-race=true\n"
				   "build\tCGO_ENABLED=1\nbuild\tGOARCH=amd64\n";
	buildinfo_parse_modinfo(race, strlen(race), &bi);
	assert_int_equal(bi.race, 1);
	assert_int_equal(bi.cgo, 1);
	static const char plain[] = "path\tmemsvc\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=0\n";
	buildinfo_parse_modinfo(plain, strlen(plain), &bi);
	assert_int_equal(bi.race, 0);
	static const char no_build[] = "path\tmemsvc\nmod\tmemsvc\t(devel)\t\n";
	buildinfo_parse_modinfo(no_build, strlen(no_build), &bi);
	assert_int_equal(bi.race, -1);
	static const char other[] = "build\t-race=yes\n";
	buildinfo_parse_modinfo(other, strlen(other), &bi);
	assert_int_equal(bi.race, -1);
	static const char off[] = "build\t-race=false\n";
	buildinfo_parse_modinfo(off, strlen(off), &bi);
	assert_int_equal(bi.race, 0);
	buildinfo_parse_modinfo("", 0, &bi);
	assert_int_equal(bi.race, -1);
}

/* A version longer than the field is cut, not refused. */
static void test_long_version(void **state)
{
	(void)state;
	struct spec s = inline64;
	struct go_buildinfo bi;
	struct err err;
	s.version = "devel go1.24-0123456789 Mon Jan 1 00:00:00 2024 +0000";
	assert_int_equal(read_spec(&s, NULL, &bi, &err), 0);
	assert_int_equal(strlen(bi.go_version), sizeof bi.go_version - 1);
	assert_memory_equal(bi.go_version, s.version, sizeof bi.go_version - 1);
	s = pointer32be;
	s.version = "devel go1.24-0123456789 Mon Jan 1 00:00:00 2024 +0000";
	assert_int_equal(read_spec(&s, NULL, &bi, &err), 0);
	assert_int_equal(strlen(bi.go_version), sizeof bi.go_version - 1);
}

/* --- buildinfo_read_file ------------------------------------------------------ */

static void test_read_file(void **state)
{
	(void)state;
	struct go_buildinfo bi;
	struct err err = {0};
	char path[] = "/tmp/test_buildinfo.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	struct image im = build(&pointer64);
	assert_int_equal(write(fd, im.p, im.len), (ssize_t)im.len);
	close(fd);
	free(im.p);
	assert_int_equal(buildinfo_read_file(path, &bi, &err), 0);
	expect_1_16(&bi, "go1.16.15");

	/* cut short: the message names the file */
	assert_int_equal(truncate(path, 200), 0);
	assert_int_equal(buildinfo_read_file(path, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(bi.found, 0);
	unlink(path);

	assert_int_equal(buildinfo_read_file(path, &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));

	assert_int_equal(buildinfo_read_file("/", &bi, &err), ERR_PROC);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inline_elf64),
	    cmocka_unit_test(test_inline_elf32_big_endian),
	    cmocka_unit_test(test_pointer_elf64),
	    cmocka_unit_test(test_pointer_elf32_big_endian),
	    cmocka_unit_test(test_pointer_no_modinfo),
	    cmocka_unit_test(test_modinfo_unframed),
	    cmocka_unit_test(test_extended_numbering),
	    cmocka_unit_test(test_no_section_headers),
	    cmocka_unit_test(test_search_far),
	    cmocka_unit_test(test_not_go),
	    cmocka_unit_test(test_section_without_magic),
	    cmocka_unit_test(test_not_elf),
	    cmocka_unit_test(test_truncated_prefixes),
	    cmocka_unit_test(test_corrupted_bytes),
	    cmocka_unit_test(test_section_out_of_file),
	    cmocka_unit_test(test_header_tables_out_of_file),
	    cmocka_unit_test(test_data_segment_out_of_file),
	    cmocka_unit_test(test_bogus_varint),
	    cmocka_unit_test(test_pointer_bad_addresses),
	    cmocka_unit_test(test_pointer_segment_out_of_file),
	    cmocka_unit_test(test_read_errors),
	    cmocka_unit_test(test_short_read),
	    cmocka_unit_test(test_big_modinfo),
	    cmocka_unit_test(test_parse_modinfo),
	    cmocka_unit_test(test_parse_modinfo_edges),
	    cmocka_unit_test(test_parse_modinfo_race),
	    cmocka_unit_test(test_long_version),
	    cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
