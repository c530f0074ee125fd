/* /proc/PID/smaps through the streaming parser and the classifier, fed in
 * chunks whose sizes the input's first bytes choose (fuzz.h), and held
 * against the one-shot classify_smaps of the same text: the chunking must
 * not change the answer.
 *
 * Flags (byte 0): bit 7 keeps every row (--mappings); bit 6 names the
 * executable (else the first file mapping is taken as it); bits 4-5 pick
 * the build info (none, amd64, amd64 -race, 386). */
#include <stdio.h>
#include <string.h>

#include "correlate/mappings.h"
#include "correlate/proc.h"
#include "fuzz.h"

#define EXE "/work/main/build/tests/targets/memsvc-go1.23-pure"

static void same_summary(const struct mapping_summary *a, const struct mapping_summary *b)
{
	FUZZ_CHECK(a->have == b->have && a->mappings == b->mappings, "mappings %llu vs %llu",
		   (unsigned long long)a->mappings, (unsigned long long)b->mappings);
	for (int k = 0; k < MC_COUNT; k++) {
		const struct class_total *x = &a->cls[k], *y = &b->cls[k];
		FUZZ_CHECK(x->mappings == y->mappings && x->size == y->size &&
			       x->reserved == y->reserved && x->rss == y->rss &&
			       x->anonymous == y->anonymous && x->swap == y->swap &&
			       x->lazy_free == y->lazy_free && x->anon_huge == y->anon_huge &&
			       x->private_dirty == y->private_dirty,
			   "class %s differs", map_class_name((enum map_class)k));
	}
	FUZZ_CHECK(a->n_files == b->n_files);
	for (size_t i = 0; i < a->n_files; i++)
		FUZZ_CHECK(strcmp(a->files[i].path, b->files[i].path) == 0 &&
			   a->files[i].rss == b->files[i].rss &&
			   a->files[i].size == b->files[i].size);
	FUZZ_CHECK(a->n_rows == b->n_rows);
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct mapping_row *x = &a->rows[i], *y = &b->rows[i];
		FUZZ_CHECK(x->start == y->start && x->end == y->end &&
			   memcmp(x->perms, y->perms, sizeof x->perms) == 0 && x->cls == y->cls &&
			   x->rss == y->rss && x->anonymous == y->anonymous && x->swap == y->swap &&
			   x->lazy_free == y->lazy_free && x->anon_huge == y->anon_huge &&
			   strcmp(x->path, y->path) == 0,
			   "row %zu differs", i);
	}
}

/* What holds for any summary of a text that parsed. */
static void sane_summary(const struct mapping_summary *s, int keep_rows)
{
	uint64_t n = 0;
	for (int k = 0; k < MC_COUNT; k++)
		n += s->cls[k].mappings;
	FUZZ_CHECK(n == s->mappings, "classes hold %llu of %llu mappings", (unsigned long long)n,
		   (unsigned long long)s->mappings);
	FUZZ_CHECK(s->n_files <= TOP_FILES);
	for (size_t i = 0; i < s->n_files; i++)
		FUZZ_CHECK(memchr(s->files[i].path, '\0', sizeof s->files[i].path) != NULL);
	if (keep_rows)
		FUZZ_CHECK(s->n_rows == s->mappings);
	else
		FUZZ_CHECK(s->n_rows == 0 && s->rows == NULL);
	for (size_t i = 0; i < s->n_rows; i++)
		FUZZ_CHECK(s->rows[i].cls < MC_COUNT && s->rows[i].path != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunker ch;
	unsigned flags = 0;
	size_t at = chunker_init(&ch, data, size, &flags);
	if (at == 0)
		return 0;
	const char *text = (const char *)data + at;
	size_t len = size - at;
	int keep_rows = (flags & 0x80) != 0;
	const char *exe = (flags & 0x40) ? EXE : "";
	/* The layouts the build info selects: unknown, amd64 Go 1.23, a -race
	 * build, 386. */
	static struct go_buildinfo builds[4];
	if (!builds[1].found) {
		builds[1] = (struct go_buildinfo){.found = 1, .go_version = "go1.23.5",
						  .goarch = "amd64", .cgo = 1, .race = 0};
		builds[2] = builds[1];
		builds[2].race = 1;
		builds[3] = builds[1];
		snprintf(builds[3].goarch, sizeof builds[3].goarch, "386");
	}
	const struct go_buildinfo *build = (flags & 0x30) ? &builds[(flags >> 4) & 3] : NULL;

	/* Streaming: parser -> classifier, chunk by chunk. */
	static struct smaps_parser p;
	static struct map_classifier c;
	/* classify_smaps leaves its summary untouched when it cannot start. */
	struct mapping_summary s1 = {0}, s2 = {0};
	struct err e1 = {0}, e2 = {0};
	map_classifier_init(&c, &s1, exe, build, keep_rows);
	smaps_parser_init(&p, map_classifier_mapping_fn, &c);
	int rc1 = 0;
	for (size_t off = 0; off < len && !rc1;) {
		size_t n = chunker_next(&ch, len - off);
		rc1 = smaps_parser_feed(&p, text + off, n, &e1);
		off += n;
	}
	if (!rc1)
		rc1 = smaps_parser_finish(&p, &e1);
	if (!rc1)
		rc1 = map_classifier_finish(&c, &e1);
	fuzz_check_err(rc1, &e1);
	if (!rc1)
		FUZZ_CHECK(p.mappings == s1.mappings, "parser delivered %zu, classifier took %llu",
			   p.mappings, (unsigned long long)s1.mappings);

	/* One shot. */
	int rc2 = classify_smaps(text, len, exe, build, keep_rows, &s2, &e2);
	fuzz_check_err(rc2, &e2);

	FUZZ_CHECK(rc1 == rc2, "chunked: %d (%s); one shot: %d (%s)", rc1, e1.msg, rc2, e2.msg);
	if (rc1 == 0) {
		sane_summary(&s1, keep_rows);
		same_summary(&s1, &s2);
	}
	mapping_summary_free(&s1);
	mapping_summary_free(&s2);
	return 0;
}
