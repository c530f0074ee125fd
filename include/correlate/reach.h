/* Reaching the endpoint (issue 11): in the process's own network and mount
 * namespaces, checked to be the process's, found without --url when not
 * given, fetched by the unprivileged child (privsep.h); or, when there is
 * none, nothing: the report is then from /proc alone. */
#ifndef CORRELATE_REACH_H
#define CORRELATE_REACH_H

#include "correlate/acquire.h"
#include "correlate/capture.h"
#include "correlate/err.h"
#include "correlate/privsep.h"

/* The default budget of a discovery, all attempts together, and the most
 * one attempt gets of it. */
#define DISCOVER_BUDGET_MS  1900
#define DISCOVER_ATTEMPT_MS 500

struct reach_opts {
	const char *url;	    /* --url; NULL: find the endpoint */
	const struct fetch_opts *fetch;
	const char *paths[FETCH_PATHS_MAX]; /* --path, tried first when finding it */
	size_t n_paths;
	int timeout_given; /* --timeout was given: it is the discovery's budget */
	int proxied;	   /* --proxied */
	int no_endpoint;   /* --no-endpoint: /proc alone */
	const char *user;  /* --user; NULL: nobody */
	int no_pprof;	   /* when finding it: try /metrics and /debug/vars only (scan's
			    * default: a debug=1 heap profile costs the target ms per MiB) */
};

/* With --url, starts the fetch process early, before the process is
 * identified (it sets itself up, then waits: nothing is fetched before
 * acquire_reach has checked the socket is the process's).  Best effort:
 * when anything is out of the ordinary it starts nothing, and
 * acquire_reach decides again and says what is wrong.  save: the body
 * will be asked for (--save). */
void acquire_reach_start(const struct reach_opts *ro, pid_t pid, int save);

/* Ends what acquire_reach_start started, when acquire_reach will not be
 * called (the process could not be read). */
void acquire_reach_cancel(void);

/* Fills c->go (or leaves it empty for an OS-only report, with
 * c->reach.go_missing saying why), c->url, c->tried, c->owner,
 * c->fetch_seconds and c->reach, for the process c->os.id.  tee gets the
 * body (--save).  Errors: ERR_ENDPOINT (cannot be fetched or parsed;
 * another network namespace without CAP_SYS_ADMIN), ERR_OWNER (another
 * process holds the socket), ERR_USAGE (--user). */
int acquire_reach(const struct reach_opts *ro, struct capture *c, body_tee_fn tee, void *tee_ctx,
		  struct err *err);

#endif
