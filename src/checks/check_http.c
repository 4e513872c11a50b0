/* http checks: libcurl on the shared engine; status, body and latency judged here. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_kinds.h"
#include "checks/http_engine.h"
#include "core/mem.h"

/* Enough of a body to look for a word in; the rest is read and dropped. */
#define HTTP_BODY_KEEP	(256 * 1024)

struct http_run {
	struct check_run *run;
	CURL		*easy;
	struct curl_slist *headers;
	char		*body;
	size_t		 len;
};

static size_t
http_body_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_run *h = arg;
	size_t len = size * n, keep = len;

	if (h->len + keep > HTTP_BODY_KEEP)
		keep = HTTP_BODY_KEEP - h->len;
	if (keep > 0) {
		h->body = xrealloc(h->body, h->len + keep + 1);
		memcpy(h->body + h->len, data, keep);
		h->len += keep;
		h->body[h->len] = '\0';
	}
	return len;
}

static void
http_run_free(struct http_run *h)
{
	curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->headers);
	free(h->body);
	free(h);
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
http_body_matches(const char *body, const char *pattern, char *why, size_t len)
{
	regex_t re;
	int rc;

	rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		snprintf(why, len, "bad regex '%s'", pattern);
		return false;
	}
	rc = regexec(&re, body ? body : "", 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		snprintf(why, len, "body does not match /%s/", pattern);
	return rc == 0;
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
	if (conf->regex != NULL && !http_body_matches(h->body, conf->regex, why,
	    sizeof(why))) {
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
	http_run_free(h);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
http_cancel(struct check_run *run)
{
	struct http_run *h = run->kind;

	http_engine_remove(run->env->http, h->easy);
	http_run_free(h);
}

static void
http_configure(struct http_run *h, const struct check_conf *c)
{
	const struct http_check_conf *conf = &c->http;
	char **hdr;

	curl_easy_setopt(h->easy, CURLOPT_URL, conf->url);
	curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
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
	for (hdr = conf->headers; hdr != NULL && *hdr != NULL; hdr++)
		h->headers = curl_slist_append(h->headers, *hdr);
	if (h->headers != NULL)
		curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
}

void
check_http_start(struct check_run *run)
{
	struct http_run *h = xcalloc(1, sizeof(*h));

	h->run = run;
	dl_curl_require();
	h->easy = curl_easy_init();
	if (h->easy == NULL) {
		free(h);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot create a curl handle");
		return;
	}
	http_configure(h, run->conf);
	if (http_engine_add(run->env->http, h->easy, http_done, h) != 0) {
		http_run_free(h);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot start the transfer");
		return;
	}
	run->kind = h;
	run->cancel = http_cancel;
}
