/* Fetching the endpoint with libcurl.  The body goes to the streaming parser
 * chunk by chunk from the write callback; nothing holds a whole profile. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "correlate/acquire.h"
#include "correlate/escape.h"

void fetch_opts_default(struct fetch_opts *o)
{
	memset(o, 0, sizeof *o);
	o->timeout_ms = 5000;
	o->max_body = 128ull << 20;
}

/* Query keys whose values are kept when a URL is shown: they select what a
 * debug endpoint serves and carry no secret. */
static int harmless_key(const char *kv, size_t klen)
{
	static const char *const keys[] = {"debug", "gc", "seconds", "format"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i]) == klen && memcmp(keys[i], kv, klen) == 0)
			return 1;
	return 0;
}

void url_redact(const char *url, char *out, size_t cap)
{
	CURLU *u = curl_url();
	char *full = NULL, *query = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, url,
			       CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		/* Not a URL we can take apart: show nothing that could hold a secret. */
		snprintf(out, cap, "(unparsable URL)");
		curl_url_cleanup(u);
		return;
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) {
		char q[1024] = "";
		size_t o = 0;
		for (char *p = query; *p && o < sizeof q - 16;) {
			char *amp = strchr(p, '&');
			size_t len = amp ? (size_t)(amp - p) : strlen(p);
			char *eq = memchr(p, '=', len);
			size_t klen = eq ? (size_t)(eq - p) : len;
			int keep = !eq || harmless_key(p, klen);
			o += (size_t)snprintf(q + o, sizeof q - o, "%s%.*s%s", o ? "&" : "",
					      (int)(keep ? len : klen), p, keep ? "" : "=REDACTED");
			if (!amp)
				break;
			p = amp + 1;
		}
		curl_url_set(u, CURLUPART_QUERY, q, 0);
		curl_free(query);
	}
	if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK)
		snprintf(out, cap, "%s", full);
	else
		snprintf(out, cap, "(unparsable URL)");
	curl_free(full);
	curl_url_cleanup(u);
}

struct xfer {
	CURL *h;
	struct body_parser *parser;
	long status;
	int status_checked;
	char errbody[200]; /* start of a non-2xx body, for the message */
	size_t errbody_len;
	int parser_failed;
	struct err perr;
	body_tee_fn tee;
	void *tee_ctx;
	int tee_failed;
};

static size_t on_body(char *buf, size_t size, size_t n, void *vx)
{
	struct xfer *x = vx;
	size_t len = size * n;
	if (!x->status_checked) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
		x->status_checked = 1;
	}
	if (x->status < 200 || x->status >= 300) {
		size_t room = sizeof x->errbody - 1 - x->errbody_len;
		size_t take = len < room ? len : room;
		memcpy(x->errbody + x->errbody_len, buf, take);
		x->errbody_len += take;
		x->errbody[x->errbody_len] = '\0';
		return x->errbody_len < sizeof x->errbody - 1 ? len : 0;
	}
	if (body_parser_feed(x->parser, buf, len, &x->perr) != 0) {
		x->parser_failed = 1;
		return 0; /* stops the transfer: CURLE_WRITE_ERROR */
	}
	if (x->tee && x->tee(x->tee_ctx, buf, len, &x->perr) != 0) {
		x->tee_failed = 1;
		return 0;
	}
	return len;
}

/* The first line of an error body (at most 100 bytes), escaped, for
 * messages. */
static void first_line(const char *s, char *out, size_t cap)
{
	for (; *s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'; s++)
		;
	size_t n = strcspn(s, "\r\n");
	esc_bytes(out, cap, s, n < 100 ? n : 100, ESC_TEXT);
}

enum outcome { OK, TRY_NEXT, FAIL, REDIRECT };

/* What kind of failure an attempt ended in, for the caller's choice of
 * what to try next (fetch_result.fail). */
static enum fetch_fail fail_kind(CURLcode cc, long status, int parser_failed)
{
	if (parser_failed)
		return FF_BODY;
	if (cc == CURLE_COULDNT_CONNECT)
		return FF_CONNECT;
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return FF_TIMEOUT;
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && status >= 300))
		return FF_OTHER;
	if (status < 200 || status >= 300)
		return FF_HTTP;
	return FF_BODY; /* until the body is found whole */
}

#define MAX_REDIRECTS 5

/* One request.  A redirect is not followed here: its target goes to
 * location and the outcome is REDIRECT.  send_headers 0: the --header
 * values stay home (the request goes to another host than asked). */
static enum outcome fetch_one(const char *url, const char *shown, const struct fetch_opts *o,
			      int send_headers, struct go_snapshot *out, struct fetch_result *res,
			      body_tee_fn tee, void *tee_ctx, char *location, size_t loc_cap,
			      struct err *err)
{
	struct xfer x = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	enum outcome oc = FAIL;

	x.h = curl_easy_init();
	x.parser = body_parser_new(o->max_body);
	x.tee = tee;
	x.tee_ctx = tee_ctx;
	if (!x.h || !x.parser) {
		err_set(err, ERR_INTERNAL, "out of memory starting a request");
		goto done;
	}
	for (size_t i = 0; send_headers && i < o->n_headers; i++) {
		struct curl_slist *n = curl_slist_append(hdrs, o->headers[i]);
		if (!n) {
			err_set(err, ERR_INTERNAL, "out of memory for headers");
			goto done;
		}
		hdrs = n;
	}
	curl_easy_setopt(x.h, CURLOPT_URL, url);
	curl_easy_setopt(x.h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x.h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x.h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x.h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(x.h, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(x.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x.h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x.h, CURLOPT_USERAGENT, "correlate/" CORRELATE_VERSION);
	if (o->unix_socket)
		curl_easy_setopt(x.h,
				 o->unix_abstract ? CURLOPT_ABSTRACT_UNIX_SOCKET
						  : CURLOPT_UNIX_SOCKET_PATH,
				 o->unix_socket);
	if (o->insecure) {
		curl_easy_setopt(x.h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x.h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (tee)
		tee(tee_ctx, NULL, 0, NULL); /* a new body: drop any earlier attempt's */

	CURLcode cc = curl_easy_perform(x.h);
	double secs = 0;
	curl_easy_getinfo(x.h, CURLINFO_TOTAL_TIME, &secs);
	if (!x.status_checked)
		curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &x.status);
	res->fail = fail_kind(cc, x.status, x.parser_failed);

	char eshown[ESC_MAX(1024)], ewhat[ESC_MAX(CURL_ERROR_SIZE)];
	esc_str(eshown, sizeof eshown, shown, ESC_TEXT);
	if (x.parser_failed || x.tee_failed) {
		*err = x.perr;
		err_prefix(err, "%s", eshown);
		oc = x.parser_failed ? TRY_NEXT : FAIL;
		goto done;
	}
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && x.status >= 300)) {
		const char *what = esc_str(ewhat, sizeof ewhat,
					   errbuf[0] ? errbuf : curl_easy_strerror(cc), ESC_TEXT);
		switch (cc) {
		case CURLE_OPERATION_TIMEDOUT:
			err_set(err, ERR_ENDPOINT, "%s: no complete answer within %.1f s (%s)",
				eshown, (double)o->timeout_ms / 1000, what);
			err_hint(err,
				 "the service is slow or stuck; raise --timeout SECONDS if a big "
				 "profile takes that long to write");
			break;
		case CURLE_COULDNT_CONNECT:
			err_set(err, ERR_ENDPOINT, "%s: cannot connect (%s)", eshown, what);
			err_hint(err, "is the service listening there? `ss -ltnp` lists listening "
				      "ports and their processes");
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
			err_set(err, ERR_ENDPOINT, "%s: cannot resolve the host (%s)", eshown,
				what);
			err_hint(err, "check the host name, or use an address like 127.0.0.1:PORT");
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
			err_set(err, ERR_ENDPOINT, "%s: TLS certificate not trusted (%s)", eshown,
				what);
			err_hint(err,
				 "pass --insecure to skip verification if you trust this host");
			break;
		default:
			err_set(err, ERR_ENDPOINT, "%s: %s", eshown, what);
			break;
		}
		goto done;
	}
	if (x.status < 200 || x.status >= 300) {
		char line[ESC_MAX(100)];
		first_line(x.errbody, line, sizeof line);
		if (x.status >= 300 && x.status < 400) {
			char *loc = NULL;
			curl_easy_getinfo(x.h, CURLINFO_REDIRECT_URL, &loc);
			if (loc && strlen(loc) < loc_cap) {
				snprintf(location, loc_cap, "%s", loc);
				oc = REDIRECT;
				goto done;
			}
			err_set(err, ERR_ENDPOINT, "%s: HTTP %ld without a usable Location", eshown,
				x.status);
		} else {
			err_set(err, ERR_ENDPOINT, "%s: HTTP %ld%s%s", eshown, x.status,
				line[0] ? ": " : "", line);
			if (x.status == 401 || x.status == 403)
				err_hint(err, "the endpoint wants credentials: --header "
					      "'Authorization: ...'");
			else if (x.status == 404)
				err_hint(err,
					 "the service does not serve this path; give the path "
					 "that serves MemStats, or just host:port to try them all");
			else if (x.status >= 500)
				err_hint(err, "the service failed to answer; see its logs");
		}
		oc = x.status == 404 || x.status == 403 || x.status == 401 ? TRY_NEXT : FAIL;
		goto done;
	}
	if (body_parser_finish(x.parser, out, err) != 0) {
		err_prefix(err, "%s", eshown);
		oc = TRY_NEXT;
		goto done;
	}
	snprintf(res->url, sizeof res->url, "%s", shown);
	res->seconds = secs;
	res->fail = FF_NONE;
	oc = OK;
done:
	curl_slist_free_all(hdrs);
	body_parser_free(x.parser);
	if (x.h)
		curl_easy_cleanup(x.h);
	return oc;
}

static int path_is(const char *path, const char *a)
{
	return strcmp(path, a) == 0;
}

/* Scheme, host and port of a URL, for comparing origins. */
static int origin(const char *url, char *out, size_t cap)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	if (ok)
		snprintf(out, cap, "%s://%s:%s", scheme, host, port);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* fetch_one, following redirects: within the same scheme, host and port
 * always (Go's ServeMux redirects /debug/pprof to /debug/pprof/), to
 * another only with --follow-redirects, and then without the --header
 * values; at most MAX_REDIRECTS hops. */
static enum outcome follow(const char *url, const char *shown, const struct fetch_opts *o,
			   struct go_snapshot *out, struct fetch_result *res, body_tee_fn tee,
			   void *tee_ctx, struct err *err)
{
	char cur[2048], loc[2048], here[600], there[600], show[1024];
	snprintf(cur, sizeof cur, "%s", url);
	snprintf(show, sizeof show, "%s", shown);
	if (origin(url, here, sizeof here) != 0)
		here[0] = '\0';
	int send_headers = 1;
	for (int hops = 0;; hops++) {
		enum outcome oc = fetch_one(cur, show, o, send_headers, out, res, tee, tee_ctx, loc,
					    sizeof loc, err);
		if (oc != REDIRECT)
			return oc;
		char to[1024], eto[ESC_MAX(sizeof to)], eshow[ESC_MAX(sizeof show)];
		url_redact(loc, to, sizeof to);
		esc_str(eto, sizeof eto, to, ESC_TEXT);
		if (hops == MAX_REDIRECTS) {
			err_set(err, ERR_ENDPOINT,
				"%s: more than %d redirects (a loop?), the last to %s",
				esc_str(eshow, sizeof eshow, shown, ESC_TEXT), MAX_REDIRECTS, eto);
			err_hint(err, "give the URL that answers directly");
			return FAIL;
		}
		int same = origin(loc, there, sizeof there) == 0 && strcmp(here, there) == 0;
		if (!same && !o->follow_redirects) {
			err_set(err, ERR_ENDPOINT,
				"%s: redirected to %s, another host: not followed",
				esc_str(eshow, sizeof eshow, show, ESC_TEXT), eto);
			err_hint(err, "if that host is the service's, give it as --url, or pass "
				      "--follow-redirects");
			return FAIL;
		}
		if (!same)
			send_headers = 0; /* credentials stay with the host they were meant for */
		snprintf(cur, sizeof cur, "%s", loc);
		snprintf(show, sizeof show, "%s", to);
	}
}

int acquire_endpoint(const char *url, const struct fetch_opts *o, struct go_snapshot *out,
		     struct fetch_result *res, body_tee_fn tee, void *tee_ctx, struct err *err)
{
	static const char *const probes[][2] = {
	    {"/metrics", NULL},
	    {"/debug/vars", NULL},
	    {"/debug/pprof/heap", "debug=1"},
	};
	memset(res, 0, sizeof *res);
	CURLU *u = curl_url();
	char *path = NULL, *query = NULL;
	int rc = 0;
	if (!u)
		return err_set(err, ERR_INTERNAL, "out of memory");
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME);
	if (uc != CURLUE_OK) {
		curl_url_cleanup(u);
		char ex[ESC_MAX(200)];
		esc_bytes(ex, sizeof ex, url, strnlen(url, 200), ESC_TEXT);
		err_set(err, ERR_USAGE, "--url: cannot parse \"%s\": %s", ex,
			curl_url_strerror(uc));
		return err_hint(err, "give host:port, or a URL like "
				     "http://127.0.0.1:6060/debug/pprof/heap?debug=1");
	}
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	int probing = !path || path_is(path, "/") || path_is(path, "");
	if (!probing && (path_is(path, "/debug/pprof") || path_is(path, "/debug/pprof/"))) {
		curl_url_set(u, CURLUPART_PATH, "/debug/pprof/heap", 0);
		curl_free(path);
		path = NULL;
		curl_url_get(u, CURLUPART_PATH, &path, 0);
	}
	if (!probing &&
	    (path_is(path, "/debug/pprof/heap") || path_is(path, "/debug/pprof/allocs")) &&
	    (!query || !strstr(query, "debug=")))
		curl_url_set(u, CURLUPART_QUERY, "debug=1", CURLU_APPENDQUERY);

	size_t n = probing ? sizeof probes / sizeof probes[0] : 1;
	size_t tried_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (probing) {
			curl_url_set(u, CURLUPART_PATH, probes[i][0], 0);
			curl_url_set(u, CURLUPART_QUERY, probes[i][1], 0);
		}
		char *full = NULL;
		if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
			char ex[ESC_MAX(200)];
			esc_bytes(ex, sizeof ex, url, strnlen(url, 200), ESC_TEXT);
			rc = err_set(err, ERR_USAGE, "--url: cannot build a URL from \"%s\"", ex);
			break;
		}
		char shown[1024];
		url_redact(full, shown, sizeof shown);
		struct err e1 = {0};
		enum outcome oc = follow(full, shown, o, out, res, tee, tee_ctx, &e1);
		curl_free(full);
		if (oc == OK) {
			rc = 0;
			break;
		}
		if (!probing || oc == FAIL) {
			*err = e1;
			rc = e1.code;
			break;
		}
		/* Probing: note why this one did not do, and go on. */
		const char *why = strstr(e1.msg, ": ");
		tried_len += (size_t)snprintf(
		    res->tried + tried_len,
		    tried_len < sizeof res->tried ? sizeof res->tried - tried_len : 0, "%s%s (%s)",
		    tried_len ? ", " : "", probes[i][0], why ? why + 2 : e1.msg);
		if (tried_len >= sizeof res->tried)
			tried_len = sizeof res->tried - 1;
		if (i + 1 == n) {
			char base[1024], ebase[ESC_MAX(sizeof base)];
			url_redact(url, base, sizeof base);
			rc = err_set(err, ERR_ENDPOINT, "no Go memory endpoint at %s: %s",
				     esc_str(ebase, sizeof ebase, base, ESC_TEXT), res->tried);
			err_hint(err,
				 "the service must serve net/http/pprof, expvar or the "
				 "Prometheus Go client; give the full URL if it uses another path");
		}
	}
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}
