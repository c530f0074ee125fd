/* Reports: acquire (live, or a recorded pair) -> parse -> reconcile -> findings -> render. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "correlate/buildinfo.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/pair.h"
#include "correlate/reach.h"
#include "correlate/redact.h"
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
		if (strstr(err->msg, "Permission denied")) {
			acquire_note_owner(id, err);
			acquire_permission_hint(id, exe, err);
		}
		return err->code;
	}
	if (!c->os.build.found) {
		err_set(err, ERR_PROC, "pid %d (%s) is not a Go program: %s has no Go build info",
			(int)id->pid, id->comm, id->exe[0] ? id->exe : exe);
		return err_hint(err, "give the pid of the Go service whose endpoint --url names");
	}
	return 0;
}

/* Whether status' Name and libproc2's comm name the same program.  The two
 * show bytes differently: the kernel gives status' Name raw but for "\n"
 * and "\\" (proc_task_name, ESCAPE_SPACE|ESCAPE_SPECIAL), libproc2 puts a
 * stand-in for a byte it does not print ('.' for a control byte, '?' for
 * the rest).  So a byte that either side may have replaced matches any;
 * what is left must agree, over comm's 15 bytes (TASK_COMM_LEN - 1). */
static int same_comm(const char *status_name, const char *comm)
{
	for (int i = 0; i < 15; i++) {
		unsigned char a = (unsigned char)status_name[i], b = (unsigned char)comm[i];
		if (!a || !b)
			return a == b;
		if (a == '\\')
			return 1; /* the kernel's escape shifts the rest: no telling */
		int stand_in = a < 0x20 || a >= 0x7f || b == '.' || b == '?';
		if (!stand_in && a != b)
			return 0;
	}
	return 1;
}

/* smaps goes straight from read() through the parser to the classifier,
 * and to the pair being saved. */
struct smaps_stream {
	struct smaps_parser parser;
	struct map_classifier classifier;
	struct pair_writer *save;
};

static int feed_smaps(void *ctx, const char *buf, size_t len, struct err *err)
{
	struct smaps_stream *s = ctx;
	int rc = smaps_parser_feed(&s->parser, buf, len, err);
	if (!rc && s->save)
		rc = pair_writer_smaps(s->save, buf, len, err);
	return rc;
}

static int read_smaps(struct capture *c, int keep_rows, struct pair_writer *save, struct err *err)
{
	static struct smaps_stream s;
	map_classifier_init(&s.classifier, &c->os.maps, c->os.id.exe, &c->os.build, keep_rows);
	smaps_parser_init(&s.parser, map_classifier_mapping_fn, &s.classifier);
	s.save = save;
	int rc = acquire_proc_stream(c->os.id.pid, "smaps", &c->os.id, feed_smaps, &s, err);
	if (!rc)
		rc = smaps_parser_finish(&s.parser, err);
	if (!rc)
		rc = map_classifier_finish(&s.classifier, err);
	if (rc)
		c->os.maps.have = 0;
	return rc;
}

/* Reads a /proc file once: parsed here, and kept in the pair if saving. */
static int read_once(struct capture *c, const char *name, struct pair_writer *save, struct text *t,
		     struct err *err)
{
	int rc = acquire_proc_file(c->os.id.pid, name, &c->os.id, t, err);
	if (!rc && save)
		rc = pair_writer_put(save, name, t->data, t->len, err);
	return rc;
}

static int read_proc(struct capture *c, int keep_rows, struct pair_writer *save, struct err *err)
{
	pid_t pid = c->os.id.pid;
	struct text status = {0}, rollup = {0};
	int rc = read_once(c, "status", save, &status, err);
	if (!rc)
		rc = parse_status(status.data, status.len, &c->os.status, err);
	/* status names the program now running: the one identified before the
	 * fetch, or the run stops (a report never mixes two programs). */
	if (!rc && c->os.status.name[0] && !same_comm(c->os.status.name, c->os.id.comm)) {
		rc = err_set(err, ERR_PROC,
			     "pid %d changed program while it was being read (now %s, was %s)",
			     (int)pid, c->os.status.name, c->os.id.comm);
		err_hint(err, "run again once the service has restarted");
	}
	if (!rc && !c->os.status.v.vm_rss.known) {
		rc = err_set(err, ERR_PROC, "pid %d (%s) has no memory map (state %c)", (int)pid,
			     c->os.id.comm, c->os.status.state ? c->os.status.state : '?');
		err_hint(err, "a zombie or a kernel thread: give the pid of the running service");
	}
	if (!rc)
		rc = read_once(c, "smaps_rollup", save, &rollup, err);
	if (!rc)
		rc = parse_smaps_rollup(rollup.data, rollup.len, &c->os.rollup, err);
	if (!rc)
		c->os.have_rollup = 1;
	if (!rc)
		rc = read_smaps(c, keep_rows, save, err);
	text_free(&status);
	text_free(&rollup);
	return rc;
}

/* The environment is optional: another user's is not readable. */
static int read_environ(struct capture *c, struct pair_writer *save, struct err *err)
{
	struct text t = {0};
	int e = acquire_environ(c->os.id.pid, &c->os.env, &t);
	int rc = 0;
	if (!e && save) {
		/* Only the Go runtime's variables: the rest may hold secrets. */
		size_t n = environ_keep_go(t.data, t.len, t.data);
		rc = pair_writer_put(save, "environ", t.data, n, err);
	}
	text_free(&t);
	return rc;
}

/* issue 11: the endpoint, reached where the process listens (its own
 * namespaces), found when --url is not given, fetched without privilege;
 * or none: then the report is from /proc alone. */
static void reach_opts_of(const struct options *o, struct reach_opts *ro)
{
	memset(ro, 0, sizeof *ro);
	ro->url = o->url;
	ro->fetch = &o->fetch;
	ro->n_paths = o->n_paths < FETCH_PATHS_MAX ? o->n_paths : FETCH_PATHS_MAX;
	for (size_t i = 0; i < ro->n_paths; i++)
		ro->paths[i] = o->paths[i];
	ro->timeout_given = o->timeout_given;
	ro->proxied = o->proxied;
	ro->no_endpoint = o->no_endpoint;
	ro->user = o->user;
	ro->no_pprof = o->no_pprof;
}

int acquire_live(const struct options *o, struct capture *c, struct err *err)
{
	struct pair_writer save_w, *save = NULL;
	struct reach_opts ro;
	reach_opts_of(o, &ro);
	/* The fetch process sets itself up while the process is identified;
	 * it fetches nothing until the checks below have passed. */
	acquire_reach_start(&ro, o->pid, o->save != NULL);
	int rc = acquire_identity(o->pid, &c->os.id, err);
	if (!rc)
		rc = check_target(c, err);
	if (!rc && o->save) {
		rc = pair_writer_begin(&save_w, o->save, o->force, err);
		if (!rc)
			save = &save_w;
	}
	/* What answering costs the target: its CPU time around the request (a
	 * stop-the-world for pprof and expvar, and writing the whole profile). */
	opt_u64 cpu_before = acquire_cpu_ns(o->pid);
	if (!rc)
		rc = acquire_reach(&ro, c, save ? pair_writer_body : NULL, save, err);
	else
		acquire_reach_cancel();
	c->probe_cpu_ns = capture_os_only(c) ? opt_none()
					     : opt_sub_sat(acquire_cpu_ns(o->pid), cpu_before);
	/* /proc after the fetch: MemStats are taken at the end of the request,
	 * so this is the nearest moment to theirs. */
	c->captured_at = (int64_t)time(NULL);
	if (!rc)
		rc = read_proc(c, o->mappings, save, err);
	if (!rc)
		rc = read_environ(c, save, err);
	if (!rc) {
		acquire_cgroup(c->os.id.pid, &c->os.cgroup);
		acquire_sys(&c->os.sys);
		acquire_sys_extra(&c->os.sys);
		rc = acquire_same_process(&c->os.id, err);
	}
	if (!rc && save)
		rc = pair_writer_commit(save, c, err);
	if (save)
		pair_writer_abort(save); /* after a commit, nothing is left to remove */
	return rc;
}

int analyze_and_render(const struct options *o, struct capture *c, FILE *out, struct err *err)
{
	struct ledger l;
	struct findings fs;
	reconcile(c, &l);
	findings_compute(c, &l, &fs);
	struct render_input in = {.c = c, .l = &l, .fs = &fs, .mappings = o->mappings};
	int w = o->format == OUT_JSON	    ? render_json(out, &in)
		: o->format == OUT_MARKDOWN ? render_markdown(out, &in)
					    : render_text(out, &in);
	if (w != 0 || fflush(out) != 0)
		return err_set(err, ERR_INTERNAL, "cannot write the report");
	return 0;
}

int run_report(const struct options *o, FILE *out, struct err *err)
{
	static struct capture c; /* large; one per run */
	memset(&c, 0, sizeof c);
	snprintf(c.command, sizeof c.command, "%s", o->command);
	int rc =
	    o->fixture ? pair_load(o->fixture, o->mappings, &c, err) : acquire_live(o, &c, err);
	if (!rc)
		rc = analyze_and_render(o, &c, out, err);
	capture_free(&c);
	return rc;
}
