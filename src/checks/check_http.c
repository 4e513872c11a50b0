/* http checks: libcurl on the shared engine; status, body and latency judged here. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_kinds.h"
#include "checks/http_engine.h"
#include "core/ere.h"
#include "core/mem.h"

/* Enough of a body to look for a word in; the rest is read and dropped. */
#define HTTP_BODY_KEEP	(256 * 1024)
/* A body buffer kept between runs; a larger one goes when its run ends. */
#define HTTP_BODY_IDLE	(16 * 1024)

/*
 * An http check's easy handle and what goes with it (its headers, its
 * regex compiled), made at its first run and kept in the check's memory;
 * the engine's cache hands every run an open connection to its target.
 * Without memory (a one-shot `tend check`), it lives for one run.
 */
struct http_run {
	struct check_run *run;		/* in flight, or NULL */
	struct http_engine *engine;
	CURL		*easy;
	struct curl_slist *headers;
	bool		 keep_body;	/* contains: or regex: must read it */
	regex_t		 re;
	bool		 has_re;
	char		 re_error[300];	/* why regex: did not compile */
	char		*body;
	size_t		 len;
	size_t		 cap;
};

static size_t
http_body_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_run *h = arg;
	size_t len = size * n, keep = len;

	if (!h->keep_body)
		return len;
	if (h->len + keep > HTTP_BODY_KEEP)
		keep = HTTP_BODY_KEEP - h->len;
	if (keep == 0)
		return len;
	if (h->len + keep + 1 > h->cap) {
		h->cap = h->len + keep + 1 > 2 * h->cap ? h->len + keep + 1 : 2 * h->cap;
		h->body = xrealloc(h->body, h->cap);
	}
	memcpy(h->body + h->len, data, keep);
	h->len += keep;
	h->body[h->len] = '\0';
	return len;
}

static void
http_run_free(void *state)
{
	struct http_run *h = state;

	/* Never in flight: the scheduler cancels a run before it frees its memory. */
	if (h == NULL)
		return;
	curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->headers);
	if (h->has_re)
		regfree(&h->re);
	free(h->body);
	free(h);
}

/* A run is over: the state stays for the next one if the check has memory. */
static void
http_run_end(struct http_run *h, struct check_run *run)
{
	h->run = NULL;
	if (run->memory == NULL) {
		http_run_free(h);
		return;
	}
	/* Ten thousand checks must not each keep a large page between runs. */
	if (h->cap > HTTP_BODY_IDLE) {
		free(h->body);
		h->body = NULL;
		h->cap = 0;
	}
	h->len = 0;
}

static bool
http_status_accepted(const struct http_check_conf *conf, long status)
{
	size_t i;

	if (conf->n_status == 0)
		return status >= 200 && status < 400;
	for (i = 0; i < conf->n_status; i++)
		if (status >= conf->status[i].lo && status <= conf->status[i].hi)
			return true;
	return false;
}

static bool
http_body_matches(const struct http_run *h, const char *pattern, char *why, size_t len)
{
	if (!h->has_re) {
		snprintf(why, len, "%s", h->re_error);
		return false;
	}
	if (regexec(&h->re, h->body != NULL ? h->body : "", 0, NULL, 0) == 0)
		return true;
	snprintf(why, len, "body does not match /%s/", pattern);
	return false;
}

/* Judges a completed transfer. */
static void
http_judge(struct http_run *h, CURLcode rc, struct check_result *r)
{
	const struct http_check_conf *conf = &h->run->conf->http;
	char why[300];
	long status = 0;

	if (rc != CURLE_OK) {
		check_result_set(r, HEALTH_CRITICAL, "%s: %s", conf->url,
		    rc == CURLE_OPERATION_TIMEDOUT ? "timed out" : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (!http_status_accepted(conf, status)) {
		check_result_set(r, HEALTH_CRITICAL, "HTTP %ld from %s", status, conf->url);
		return;
	}
	if (conf->contains != NULL &&
	    (h->body == NULL || strstr(h->body, conf->contains) == NULL)) {
		check_result_set(r, HEALTH_CRITICAL, "HTTP %ld, but the body lacks '%s'",
		    status, conf->contains);
		return;
	}
	if (conf->regex != NULL && !http_body_matches(h, conf->regex, why, sizeof(why))) {
		check_result_set(r, HEALTH_CRITICAL, "HTTP %ld, but %s", status, why);
		return;
	}
	check_result_set(r, HEALTH_HEALTHY, "HTTP %ld in %.0fms", status, r->latency_ms);
}

static void
http_done(void *arg, CURL *easy, CURLcode rc)
{
	struct http_run *h = arg;
	struct check_run *run = h->run;
	struct check_result r;
	curl_off_t total_us = 0;

	check_result_init(&r);
	if (curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK &&
	    total_us > 0)
		r.latency_ms = (double)total_us / 1000.0;
	else
		r.latency_ms = check_run_elapsed_ms(run);
	http_judge(h, rc, &r);
	check_run_judge_latency(run, &r);
	check_result_add_metric(&r, "time", r.latency_ms / 1000.0, "s");
	http_run_end(h, run);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
http_cancel(struct check_run *run)
{
	struct http_run *h = run->kind;

	http_engine_remove(h->engine, h->easy);
	http_run_end(h, run);
}

/*
 * Every run sets its options on a handle reset first: libcurl 7.88 counts
 * a handle's retries on dead kept connections across its transfers, and
 * after five a server's ordinary idle close would fail a check. A reset
 * keeps the handle's connections and DNS cache; it costs about a
 * microsecond.
 */
static void
http_configure(struct http_run *h, const struct check_conf *c)
{
	const struct http_check_conf *conf = &c->http;

	curl_easy_reset(h->easy);
	http_engine_easy_defaults(h->engine, h->easy);
	curl_easy_setopt(h->easy, CURLOPT_URL, conf->url);
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h->easy, CURLOPT_FOLLOWLOCATION, conf->redirects ? 1L : 0L);
	curl_easy_setopt(h->easy, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h->easy, CURLOPT_USERAGENT, "tend/" TEND_VERSION);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, http_body_write);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
	if (conf->insecure) {
		curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (strcmp(conf->method, "GET") != 0)
		curl_easy_setopt(h->easy, CURLOPT_CUSTOMREQUEST, conf->method);
	if (strcmp(conf->method, "HEAD") == 0)
		curl_easy_setopt(h->easy, CURLOPT_NOBODY, 1L);
	if (conf->body != NULL)
		curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, conf->body);
	if (h->headers != NULL)
		curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
}

/* What a check's runs share, made once: the handle, the headers, the regex. */
static struct http_run *
http_run_new(struct check_run *run)
{
	const struct http_check_conf *conf = &run->conf->http;
	struct http_run *h;
	CURL *easy;
	char **hdr;

	dl_curl_require();
	if ((easy = curl_easy_init()) == NULL)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->engine = run->env->http;
	h->easy = easy;
	for (hdr = conf->headers; hdr != NULL && *hdr != NULL; hdr++)
		h->headers = curl_slist_append(h->headers, *hdr);
	h->keep_body = conf->contains != NULL || conf->regex != NULL;
	if (conf->regex != NULL) {
		/* The config's validation refuses what is not affordable; this is its guard. */
		h->has_re = ere_affordable(conf->regex, h->re_error, sizeof(h->re_error)) &&
		    regcomp(&h->re, conf->regex, REG_EXTENDED | REG_NOSUB) == 0;
		if (!h->has_re)
			snprintf(h->re_error, sizeof(h->re_error), "bad regex '%s'",
			    conf->regex);
	}
	if (run->memory != NULL) {
		run->memory->state = h;
		run->memory->state_free = http_run_free;
	}
	return h;
}

void
check_http_start(struct check_run *run)
{
	struct http_run *h = run->memory != NULL ? run->memory->state : NULL;

	if (h == NULL && (h = http_run_new(run)) == NULL) {
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot create a curl handle");
		return;
	}
	http_configure(h, run->conf);
	if (h->body != NULL)
		h->body[0] = '\0';
	h->run = run;
	if (http_engine_add(h->engine, h->easy, http_done, h) != 0) {
		http_run_end(h, run);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot start the transfer");
		return;
	}
	run->kind = h;
	run->cancel = http_cancel;
}
