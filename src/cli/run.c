/* The live run: acquire -> parse -> reconcile -> findings -> render. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "correlate/buildinfo.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/render.h"

/* The process must be a live user-space Go program before its endpoint is
 * asked for anything (each fetch costs the target a stop-the-world). */
static int check_target(struct capture *c, struct err *err)
{
	const struct proc_identity *id = &c->os.id;
	char exe[64];
	if (id->state == 'Z') {
		err_set(err, ERR_PROC, "pid %d (%s) is a zombie: it has exited and holds no memory",
			(int)id->pid, id->comm);
		return err_hint(err, "find the service's current pid");
	}
	if (id->kthread) {
		err_set(err, ERR_PROC, "pid %d (%s) is a kernel thread, not a Go program",
			(int)id->pid, id->comm);
		return err_hint(err, "give the pid of the Go service");
	}
	snprintf(exe, sizeof exe, "/proc/%d/exe", (int)id->pid);
	if (buildinfo_read_file(exe, &c->os.build, err) != 0) {
		if (strstr(err->msg, "Permission denied"))
			acquire_note_owner(id, err);
		return err->code;
	}
	if (!c->os.build.found) {
		err_set(err, ERR_PROC, "pid %d (%s) is not a Go program: %s has no Go build info",
			(int)id->pid, id->comm, id->exe[0] ? id->exe : exe);
		return err_hint(err, "give the pid of the Go service whose endpoint --url names");
	}
	return 0;
}

/* smaps goes straight from read() through the parser to the classifier. */
struct smaps_stream {
	struct smaps_parser parser;
	struct map_classifier classifier;
};

static int feed_smaps(void *ctx, const char *buf, size_t len, struct err *err)
{
	struct smaps_stream *s = ctx;
	return smaps_parser_feed(&s->parser, buf, len, err);
}

static int read_smaps(struct capture *c, int keep_rows, struct err *err)
{
	static struct smaps_stream s;
	map_classifier_init(&s.classifier, &c->os.maps, c->os.id.exe, keep_rows);
	smaps_parser_init(&s.parser, map_classifier_mapping_fn, &s.classifier);
	int rc = acquire_proc_stream(c->os.id.pid, "smaps", &c->os.id, feed_smaps, &s, err);
	if (!rc)
		rc = smaps_parser_finish(&s.parser, err);
	if (!rc)
		rc = map_classifier_finish(&s.classifier, err);
	if (rc)
		c->os.maps.have = 0;
	return rc;
}

static int read_proc(struct capture *c, int keep_rows, struct err *err)
{
	pid_t pid = c->os.id.pid;
	struct text status = {0}, rollup = {0};
	int rc = acquire_proc_file(pid, "status", &c->os.id, &status, err);
	if (!rc)
		rc = parse_status(status.data, status.len, &c->os.status, err);
	if (!rc && !c->os.status.v.vm_rss.known) {
		rc = err_set(err, ERR_PROC, "pid %d (%s) has no memory map (state %c)", (int)pid,
			     c->os.id.comm, c->os.status.state ? c->os.status.state : '?');
		err_hint(err, "a zombie or a kernel thread: give the pid of the running service");
	}
	if (!rc)
		rc = acquire_proc_file(pid, "smaps_rollup", &c->os.id, &rollup, err);
	if (!rc)
		rc = parse_smaps_rollup(rollup.data, rollup.len, &c->os.rollup, err);
	if (!rc)
		c->os.have_rollup = 1;
	if (!rc)
		rc = read_smaps(c, keep_rows, err);
	text_free(&status);
	text_free(&rollup);
	return rc;
}

int run_live(const struct options *o, FILE *out, struct err *err)
{
	static struct capture c; /* large; one per run */
	struct ledger l;
	struct findings fs;
	struct fetch_result fr;
	memset(&c, 0, sizeof c);

	int rc = acquire_identity(o->pid, &c.os.id, err);
	if (!rc)
		rc = check_target(&c, err);
	if (!rc)
		rc = acquire_endpoint(o->url, &o->fetch, &c.go, &fr, NULL, NULL, err);
	if (rc)
		return rc;
	/* /proc after the fetch: MemStats are taken at the end of the request,
	 * so this is the nearest moment to theirs. */
	c.captured_at = (int64_t)time(NULL);
	rc = read_proc(&c, o->mappings, err);
	if (!rc)
		rc = acquire_same_process(&c.os.id, err);
	if (rc)
		return rc;
	acquire_sys(&c.os.sys);
	acquire_sys_extra(&c.os.sys);
	acquire_environ(c.os.id.pid, &c.os.env);
	acquire_cgroup(c.os.id.pid, &c.os.cgroup);
	snprintf(c.url, sizeof c.url, "%s", fr.url);
	snprintf(c.tried, sizeof c.tried, "%s", fr.tried);
	c.fetch_seconds = fr.seconds;

	reconcile(&c, &l);
	findings_compute(&c, &l, &fs);
	struct render_input in = {&c, &l, &fs, o->mappings};
	int w = o->format == OUT_JSON ? render_json(out, &in) : render_text(out, &in);
	capture_free(&c);
	if (w != 0 || fflush(out) != 0)
		return err_set(err, ERR_INTERNAL, "cannot write the report");
	return 0;
}
