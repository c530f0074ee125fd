/* Recorded pairs: writing one atomically (--save), reading one (--fixture,
 * check).  The files' contents go through the same parsers as a live run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/acquire.h"
#include "correlate/mappings.h"
#include "correlate/meta.h"
#include "correlate/pair.h"

static const char *const body_names[] = {"memstats.txt", "vars.json", "metrics.prom"};

const char *pair_body_name(enum body_format f)
{
	switch (f) {
	case FMT_PPROF:
		return body_names[0];
	case FMT_EXPVAR:
		return body_names[1];
	case FMT_PROMETHEUS:
		return body_names[2];
	case FMT_UNKNOWN:
		break;
	}
	return "body";
}

/* ---- writing ---------------------------------------------------------- */

static int werr(struct pair_writer *w, struct err *err, const char *what, const char *name, int e)
{
	if (!w->failed) {
		w->failed = 1;
		err_set(&w->err, ERR_USAGE, "--save %s: cannot %s %s: %s", w->dir, what, name,
			strerror(e));
	}
	if (err)
		*err = w->err;
	return ERR_USAGE;
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

int pair_writer_begin(struct pair_writer *w, const char *dir, int force, struct err *err)
{
	struct stat st;
	memset(w, 0, sizeof *w);
	w->force = force;
	if (strlen(dir) == 0 || strlen(dir) >= sizeof w->dir - 32)
		return err_set(err, ERR_USAGE, "--save: the folder name is empty or too long");
	snprintf(w->dir, sizeof w->dir, "%s", dir);
	while (strlen(w->dir) > 1 && w->dir[strlen(w->dir) - 1] == '/')
		w->dir[strlen(w->dir) - 1] = '\0';
	if (stat(w->dir, &st) == 0 && !force) {
		err_set(err, ERR_USAGE, "--save %s: it exists already", w->dir);
		return err_hint(err, "pick a new folder, or add --force to replace that pair");
	}
	char a[PATH_MAX], b[PATH_MAX];
	snprintf(a, sizeof a, "%s", w->dir);
	snprintf(b, sizeof b, "%s", w->dir);
	const char *parent = dirname(a), *base = basename(b);
	if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(err, ERR_USAGE, "--save %s: the folder %s does not exist", w->dir,
			       parent);
	snprintf(w->tmp, sizeof w->tmp, "%s/.%s.partial-XXXXXX", parent, base);
	if (!mkdtemp(w->tmp)) { /* mode 0700 */
		int e = errno;
		w->tmp[0] = '\0';
		return err_set(err, ERR_USAGE, "--save %s: cannot create a folder in %s: %s",
			       w->dir, parent, strerror(e));
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int pair_writer_put(struct pair_writer *w, const char *name, const char *data, size_t len,
		    struct err *err)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, w->tmp, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr(w, err, "create", name, errno);
	int e = write_all(fd, data, len);
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	return e ? werr(w, err, "write", name, e) : 0;
}

static FILE *open_stream(struct pair_writer *w, const char *name, struct err *err)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, w->tmp, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w+");
	if (!f) {
		werr(w, err, "create", name, errno);
		if (fd >= 0)
			close(fd);
	}
	return f;
}

int pair_writer_body(void *vw, const char *buf, size_t len, struct err *err)
{
	struct pair_writer *w = vw;
	if (w->failed)
		return ERR_USAGE;
	if (!w->body && !(w->body = open_stream(w, "body.partial", err)))
		return ERR_USAGE;
	if (!buf) { /* a new body begins: drop an earlier probe's */
		if (fflush(w->body) != 0 || ftruncate(fileno(w->body), 0) != 0 ||
		    fseek(w->body, 0, SEEK_SET) != 0)
			return werr(w, err, "reset", "the body", errno);
		return 0;
	}
	if (fwrite(buf, 1, len, w->body) != len)
		return werr(w, err, "write", "the body", errno);
	return 0;
}

int pair_writer_smaps(struct pair_writer *w, const char *buf, size_t len, struct err *err)
{
	if (w->failed)
		return ERR_USAGE;
	if (!w->smaps && !(w->smaps = open_stream(w, "smaps", err)))
		return ERR_USAGE;
	if (fwrite(buf, 1, len, w->smaps) != len)
		return werr(w, err, "write", "smaps", errno);
	return 0;
}

static int close_stream(struct pair_writer *w, FILE **f, const char *name, struct err *err)
{
	if (!*f)
		return 0;
	int e = 0;
	if (fflush(*f) != 0 || fsync(fileno(*f)) != 0)
		e = errno;
	if (fclose(*f) != 0 && !e)
		e = errno;
	*f = NULL;
	return e ? werr(w, err, "write", name, e) : 0;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[PATH_MAX];
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path_in(path, sizeof path, dir, e->d_name);
		unlink(path); /* pairs are flat: files only */
	}
	closedir(d);
	rmdir(dir);
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int pair_writer_commit(struct pair_writer *w, const struct capture *c, struct err *err)
{
	if (w->failed) {
		if (err)
			*err = w->err;
		return ERR_USAGE;
	}
	int rc = close_stream(w, &w->body, "the body", err);
	if (!rc)
		rc = close_stream(w, &w->smaps, "smaps", err);
	char *meta = rc ? NULL : meta_json(c);
	if (!rc && !meta)
		rc = err_set(err, ERR_INTERNAL, "out of memory writing the pair");
	if (!rc)
		rc = pair_writer_put(w, "meta.json", meta, strlen(meta), err);
	free(meta);
	/* Every cgroup file the run read, as read (cgroup.h); none when the
	 * cgroup could not be read at all, which the replay then says. */
	if (!rc && c->os.cgroup.record)
		rc = pair_writer_put(w, "cgroup.txt", c->os.cgroup.record, c->os.cgroup.record_len,
				     err);
	if (rc)
		return rc;
	char from[PATH_MAX], to[PATH_MAX];
	path_in(from, sizeof from, w->tmp, "body.partial");
	path_in(to, sizeof to, w->tmp, pair_body_name(c->go.format));
	if (capture_os_only(c))
		unlink(from); /* issue 11: no MemStats; a body here is a failed attempt's */
	else if (rename(from, to) != 0)
		return werr(w, err, "name", "the body", errno);
	fsync_dir(w->tmp);

	/* Into place: over an old pair only with --force, and only once the
	 * new one is whole. */
	char old[PATH_MAX] = "";
	struct stat st;
	if (w->force && stat(w->dir, &st) == 0) {
		snprintf(old, sizeof old, "%s.old-XXXXXX", w->tmp);
		if (!mkdtemp(old) || rmdir(old) != 0 || rename(w->dir, old) != 0)
			return werr(w, err, "move aside", w->dir, errno);
	}
	if (rename(w->tmp, w->dir) != 0) {
		int e = errno;
		if (old[0])
			rename(old, w->dir);
		return werr(w, err, "move into place", w->dir, e);
	}
	w->tmp[0] = '\0';
	if (old[0])
		remove_tree(old);
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", w->dir);
	fsync_dir(dirname(parent));
	return 0;
}

void pair_writer_abort(struct pair_writer *w)
{
	if (!w)
		return;
	if (w->body)
		fclose(w->body);
	if (w->smaps)
		fclose(w->smaps);
	w->body = w->smaps = NULL;
	if (w->tmp[0])
		remove_tree(w->tmp);
	w->tmp[0] = '\0';
}

/* ---- reading ---------------------------------------------------------- */

static int exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	path_in(path, sizeof path, dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* issue 11: a pair recorded from /proc alone has no body; its meta.json
 * says why (os_only). */
static int recorded_os_only(const char *dir)
{
	static struct capture tmp;
	char path[PATH_MAX];
	struct text t = {0};
	struct err e = {0};
	path_in(path, sizeof path, dir, "meta.json");
	if (read_path(path, &t) != 0)
		return 0;
	memset(&tmp, 0, sizeof tmp);
	int yes = parse_meta(t.data, t.len, &tmp, &e) == 0 && tmp.reach.go_missing[0];
	text_free(&t);
	return yes;
}

int pair_is_pair(const char *dir)
{
	int body = 0;
	for (size_t i = 0; i < sizeof body_names / sizeof body_names[0]; i++)
		body += exists(dir, body_names[i]);
	if (!body)
		body = recorded_os_only(dir);
	return body > 0 && (exists(dir, "status") || exists(dir, "top"));
}

/* Reads dir/name whole; ENOENT is "absent" (0 with out->data NULL). */
static int read_opt(const char *dir, const char *name, struct text *out, struct err *err)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, dir, name);
	int e = read_path(path, out);
	if (e == ENOENT) {
		out->data = NULL;
		return 0;
	}
	if (e)
		return err_set(err, e == ENOMEM ? ERR_INTERNAL : ERR_USAGE, "%s: %s", path,
			       strerror(e));
	return 0;
}

static void note_missing(struct capture *c, const char *name)
{
	size_t n = strlen(c->not_recorded);
	snprintf(c->not_recorded + n, sizeof c->not_recorded - n, "%s%s", n ? "," : "", name);
}

struct body_feed {
	struct body_parser *p;
};

static int feed_body(void *ctx, const char *buf, size_t len, struct err *err)
{
	return body_parser_feed(((struct body_feed *)ctx)->p, buf, len, err);
}

struct smaps_feed {
	struct smaps_parser parser;
	struct map_classifier classifier;
};

static int feed_smaps(void *ctx, const char *buf, size_t len, struct err *err)
{
	return smaps_parser_feed(&((struct smaps_feed *)ctx)->parser, buf, len, err);
}

static int load_body(const char *dir, struct capture *c, struct err *err)
{
	const char *name = NULL;
	for (size_t i = 0; i < sizeof body_names / sizeof body_names[0]; i++) {
		if (!exists(dir, body_names[i]))
			continue;
		if (name) {
			err_set(err, ERR_USAGE, "%s: both %s and %s: which body is the pair's?",
				dir, name, body_names[i]);
			return err_hint(err, "a pair holds one endpoint body");
		}
		name = body_names[i];
	}
	if (!name) {
		err_set(err, ERR_USAGE,
			"%s: no endpoint body (memstats.txt, vars.json or metrics.prom)", dir);
		return err_hint(err, "save the body as served: curl -s URL > %s/memstats.txt", dir);
	}
	char path[PATH_MAX];
	path_in(path, sizeof path, dir, name);
	struct body_feed f = {body_parser_new(0)};
	if (!f.p)
		return err_set(err, ERR_INTERNAL, "out of memory");
	int rc = acquire_file_stream(path, feed_body, &f, err);
	if (!rc)
		rc = body_parser_finish(f.p, &c->go, err);
	body_parser_free(f.p);
	if (rc && err->code == ERR_ENDPOINT)
		err_prefix(err, "%s", path);
	return rc;
}

static int load_smaps(const char *dir, int keep_rows, struct capture *c, struct err *err)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, dir, "smaps");
	struct smaps_feed *f = malloc(sizeof *f);
	if (!f)
		return err_set(err, ERR_INTERNAL, "out of memory");
	map_classifier_init(&f->classifier, &c->os.maps, c->os.id.exe, &c->os.build, keep_rows);
	smaps_parser_init(&f->parser, map_classifier_mapping_fn, &f->classifier);
	int rc = acquire_file_stream(path, feed_smaps, f, err);
	if (!rc)
		rc = smaps_parser_finish(&f->parser, err);
	if (!rc)
		rc = map_classifier_finish(&f->classifier, err);
	free(f);
	if (rc) {
		c->os.maps.have = 0;
		if (err->code == ERR_PROC)
			err_prefix(err, "%s", path);
	}
	return rc;
}

/* cgroup.txt, the record of every cgroup file read (cgroup.h), parsed as a
 * live run parses it; else the summary older pairs hold, cgroup.json. */
static int load_cgroup(const char *dir, struct capture *c, struct err *err)
{
	struct text t = {0};
	int rc = read_opt(dir, "cgroup.txt", &t, err);
	if (rc)
		return rc;
	if (t.data) {
		parse_cgroup_record(t.data, t.len, (int)c->os.id.pid, &c->os.cgroup);
		c->os.cgroup.record = t.data; /* owned by the capture now */
		c->os.cgroup.record_len = t.len;
		return 0;
	}
	if ((rc = read_opt(dir, "cgroup.json", &t, err)))
		return rc;
	if (t.data) {
		rc = parse_cgroup_json(t.data, t.len, &c->os.cgroup, err);
		text_free(&t);
		return rc ? err_prefix(err, "%s", dir) : 0;
	}
	snprintf(c->os.cgroup.why, sizeof c->os.cgroup.why, "not recorded");
	note_missing(c, "cgroup.txt");
	return 0;
}

int pair_load(const char *dir, int keep_rows, struct capture *c, struct err *err)
{
	struct stat st;
	struct text t = {0};
	int rc;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		err_set(err, ERR_USAGE, "--fixture %s: not a folder", dir);
		return err_hint(err, "give the folder a pair was saved in (correlate --save DIR), "
				     "or one made by hand as docs/fixtures.md says");
	}
	c->replay = 1;
	snprintf(c->source, sizeof c->source, "%s", dir);
	c->os.env.madvdontneed = c->os.env.disablethp = -1;

	/* Who and when, first: the classifier needs the executable's path. */
	if ((rc = read_opt(dir, "meta.json", &t, err)))
		return rc;
	if (t.data) {
		rc = parse_meta(t.data, t.len, c, err);
		text_free(&t);
		if (rc)
			return err_prefix(err, "%s", dir);
	} else {
		note_missing(c, "meta.json");
	}

	if ((rc = read_opt(dir, "status", &t, err)))
		return rc;
	if (t.data) {
		rc = parse_status(t.data, t.len, &c->os.status, err);
		text_free(&t);
		if (rc)
			return err_prefix(err, "%s/status", dir);
	} else {
		if ((rc = read_opt(dir, "top", &t, err)))
			return rc;
		if (!t.data) {
			err_set(err, ERR_USAGE, "%s: no status (nor top)", dir);
			return err_hint(err, "cat /proc/PID/status > %s/status", dir);
		}
		memset(&c->os.status, 0, sizeof c->os.status);
		c->os.status.kthread = -1;
		rc = parse_top(t.data, t.len, &c->os.status.v, err);
		text_free(&t);
		if (rc)
			return err_prefix(err, "%s/top", dir);
		note_missing(c, "status");
	}
	if (!c->os.id.pid && c->os.status.v.tgid.known)
		c->os.id.pid = (pid_t)c->os.status.v.tgid.v;
	if (!c->os.id.comm[0])
		snprintf(c->os.id.comm, sizeof c->os.id.comm, "%s", c->os.status.name);
	/* Without meta.json the time is unknown (captured_at 0): a file's
	 * mtime says when it was copied or cloned, not when /proc was read. */

	if ((rc = read_opt(dir, "smaps_rollup", &t, err)))
		return rc;
	if (t.data) {
		rc = parse_smaps_rollup(t.data, t.len, &c->os.rollup, err);
		text_free(&t);
		if (rc)
			return err_prefix(err, "%s/smaps_rollup", dir);
		c->os.have_rollup = 1;
	} else {
		note_missing(c, "smaps_rollup");
	}
	if (exists(dir, "smaps")) {
		if ((rc = load_smaps(dir, keep_rows, c, err)))
			return rc;
	} else {
		note_missing(c, "smaps");
	}

	if ((rc = read_opt(dir, "environ", &t, err)))
		return rc;
	if (t.data) {
		parse_environ(t.data, t.len, &c->os.env);
		text_free(&t);
	} else {
		snprintf(c->os.env.why, sizeof c->os.env.why, "not recorded");
		note_missing(c, "environ");
	}
	if ((rc = load_cgroup(dir, c, err)))
		return rc;

	int no_body = 1; /* issue 11: an OS-only pair has none, and says so */
	for (size_t i = 0; i < sizeof body_names / sizeof body_names[0]; i++)
		no_body = no_body && !exists(dir, body_names[i]);
	if (no_body && c->reach.go_missing[0])
		memset(&c->go, 0, sizeof c->go);
	else if ((rc = load_body(dir, c, err)))
		return rc;
	if (!c->url[0] && !capture_os_only(c))
		snprintf(c->url, sizeof c->url, "(not recorded)");
	return 0;
}
