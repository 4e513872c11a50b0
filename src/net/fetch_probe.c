#include "net/fetch_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dl_curl.h"

#include "core/clock.h"
#include "core/mem.h"
#include "net/fetch_mirrors.h"

const char *const fetch_net_names[] = {
	[FETCH_NET_ONLINE] = "online",
	[FETCH_NET_LIMITED] = "limited",
	[FETCH_NET_OFFLINE] = "offline",
};

void
probe_add(struct probe *p, const char *url)
{
	struct probe_target *t;
	char *key;
	size_t i;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return;
	key = mirror_key(url);
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0) {
			free(key);
			return;
		}
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	t = &p->v[p->n++];
	memset(t, 0, sizeof(*t));
	t->key = key;
}

const struct probe_target *
probe_find(const struct probe *p, const char *url)
{
	const struct probe_target *found = NULL;
	char *key = mirror_key(url);
	size_t i;

	for (i = 0; i < p->n && found == NULL; i++)
		if (strcmp(p->v[i].key, key) == 0)
			found = &p->v[i];
	free(key);
	return found;
}

/* A finished connect: how it went and how long it took. */
static void
probe_done(struct probe_target *t, const char *detail, CURLcode code,
    int64_t slow_ms, int64_t started_ms)
{
	t->ms = clock_mono_ms() - started_ms;
	if (code != CURLE_OK) {
		t->state = PROBE_FAILED;
		snprintf(t->error, sizeof(t->error), "%s", detail[0] != '\0' ? detail :
		    curl_easy_strerror(code));
		return;
	}
	t->state = t->ms > slow_ms ? PROBE_SLOW : PROBE_OK;
}

void
probe_run(struct probe *p, int64_t budget_ms, int64_t slow_ms)
{
	int64_t started = clock_mono_ms(), left;
	char (*errbuf)[CURL_ERROR_SIZE];
	CURL **easy;
	CURLM *multi;
	CURLMsg *msg;
	struct probe_target *t;
	int running = 0, queued;
	size_t i;

	if (p->n == 0)
		return;
	multi = curl_multi_init();
	easy = xcalloc(p->n, sizeof(*easy));
	errbuf = xcalloc(p->n, sizeof(*errbuf));
	for (i = 0; i < p->n; i++) {
		easy[i] = curl_easy_init();
		curl_easy_setopt(easy[i], CURLOPT_URL, p->v[i].key);
		curl_easy_setopt(easy[i], CURLOPT_CONNECT_ONLY, 1L);
		curl_easy_setopt(easy[i], CURLOPT_CONNECTTIMEOUT_MS, (long)budget_ms);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, (long)budget_ms);
		curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(easy[i], CURLOPT_ERRORBUFFER, errbuf[i]);
		curl_easy_setopt(easy[i], CURLOPT_PRIVATE, &p->v[i]);
		p->v[i].state = PROBE_PENDING;
		curl_multi_add_handle(multi, easy[i]);
	}
	for (;;) {
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			probe_done(t, errbuf[t - p->v], msg->data.result, slow_ms,
			    started);
		}
		left = budget_ms - (clock_mono_ms() - started);
		if (running == 0 || left <= 0)
			break;
		curl_multi_poll(multi, NULL, 0, (int)left, NULL);
	}
	for (i = 0; i < p->n; i++) {
		if (p->v[i].state == PROBE_PENDING) {
			p->v[i].state = PROBE_FAILED;
			p->v[i].ms = clock_mono_ms() - started;
			snprintf(p->v[i].error, sizeof(p->v[i].error),
			    "no answer within %lld ms", (long long)budget_ms);
		}
		curl_multi_remove_handle(multi, easy[i]);
		curl_easy_cleanup(easy[i]);
	}
	curl_multi_cleanup(multi);
	free(easy);
	free(errbuf);
}

enum fetch_net
probe_strategy(const struct probe *p)
{
	size_t i, failed = 0, slow = 0;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].state == PROBE_FAILED || p->v[i].state == PROBE_PENDING)
			failed++;
		else if (p->v[i].state == PROBE_SLOW)
			slow++;
	}
	if (p->n > 0 && failed == p->n)
		return FETCH_NET_OFFLINE;
	if (failed > 0 || slow > 0)
		return FETCH_NET_LIMITED;
	return FETCH_NET_ONLINE;
}

void
probe_summary(const struct probe *p, char *buf, size_t len)
{
	size_t i, ok = 0, off;
	int64_t slowest = 0;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].state != PROBE_OK && p->v[i].state != PROBE_SLOW)
			continue;
		ok++;
		if (p->v[i].ms > slowest)
			slowest = p->v[i].ms;
	}
	if (ok == 0)
		off = (size_t)snprintf(buf, len, "no mirror host answered");
	else
		off = (size_t)snprintf(buf, len, "%zu of %zu mirror host%s answered "
		    "within %lld ms", ok, p->n, p->n == 1 ? "" : "s", (long long)slowest);
	for (i = 0; i < p->n && off < len; i++) {
		if (p->v[i].state == PROBE_SLOW)
			off += (size_t)snprintf(buf + off, len - off, "; %s slow: %lld ms",
			    p->v[i].key, (long long)p->v[i].ms);
		else if (p->v[i].state != PROBE_OK)
			off += (size_t)snprintf(buf + off, len - off, "; %s: %s",
			    p->v[i].key, p->v[i].error);
	}
}

void
probe_free(struct probe *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].key);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
