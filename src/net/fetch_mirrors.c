#include "net/fetch_mirrors.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fdio.h"
#include "core/hostport.h"
#include "core/mem.h"

char *
mirror_key(const char *url)
{
	char host[256], *key, *k;
	size_t scheme_len;
	int port;

	if (strstr(url, "://") == NULL)
		return xstrdup(url);
	if (strncasecmp(url, "file://", 7) == 0)
		return xstrdup("file://");
	if (hostport_of_url(url, host, sizeof(host), &port, &scheme_len) < 0)
		return xstrdup(url);
	if (port < 0)
		port = scheme_len == 5 && strncasecmp(url, "https", 5) == 0 ? 443 : 80;
	key = xasprintf(strchr(host, ':') != NULL ? "%.*s://[%s]:%d" : "%.*s://%s:%d",
	    (int)scheme_len, url, host, port);
	for (k = key; *k != '\0'; k++)
		*k = (char)tolower((unsigned char)*k);
	return key;
}

void
mirror_book_load(struct mirror_book *b, const char *cache_dir)
{
	json_error_t error;
	json_t *doc;

	memset(b, 0, sizeof(*b));
	b->path = xasprintf("%s/mirrors.json", cache_dir);
	doc = json_load_file(b->path, 0, &error);
	if (doc != NULL && json_is_object(json_object_get(doc, "hosts")))
		b->hosts = json_incref(json_object_get(doc, "hosts"));
	json_decref(doc);
	if (b->hosts == NULL)
		b->hosts = json_object();
}

int
mirror_book_save(struct mirror_book *b)
{
	json_t *doc;
	char *text;
	int rc;

	if (!b->dirty)
		return 0;
	doc = json_pack("{s:i, s:O}", "version", 1, "hosts", b->hosts);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((rc = file_replace(b->path, text, strlen(text), 0644)) == 0)
		b->dirty = false;
	free(text);
	return rc;
}

void
mirror_book_free(struct mirror_book *b)
{
	json_decref(b->hosts);
	free(b->path);
	memset(b, 0, sizeof(*b));
}

void
mirror_book_get(const struct mirror_book *b, const char *url,
    struct mirror_memory *out)
{
	char *key = mirror_key(url);
	json_t *h = json_object_get(b->hosts, key);

	free(key);
	memset(out, 0, sizeof(*out));
	if (!json_is_object(h))
		return;
	out->known = true;
	out->bytes_per_second = json_number_value(json_object_get(h, "bytes_per_second"));
	out->at_ms = json_integer_value(json_object_get(h, "at"));
	out->error = json_string_value(json_object_get(h, "error"));
	out->failed = out->error != NULL;
}

static void
mirror_book_set(struct mirror_book *b, const char *url, json_t *record)
{
	char *key = mirror_key(url);

	json_object_set_new(b->hosts, key, record);
	b->dirty = true;
	free(key);
}

void
mirror_book_good(struct mirror_book *b, const char *url, int64_t bytes,
    double seconds, int64_t now_ms)
{
	/* A tiny transfer measures latency, not bandwidth: keep at least a floor. */
	double bps = (double)bytes / (seconds > 0.001 ? seconds : 0.001);

	mirror_book_set(b, url, json_pack("{s:f, s:I, s:n}", "bytes_per_second", bps,
	    "at", (json_int_t)now_ms, "error"));
}

void
mirror_book_failed(struct mirror_book *b, const char *url, const char *error,
    int64_t now_ms)
{
	struct mirror_memory old;

	/* The speed it had when it last worked is kept for the log. */
	mirror_book_get(b, url, &old);
	mirror_book_set(b, url, json_pack("{s:f, s:I, s:s}", "bytes_per_second",
	    old.known ? old.bytes_per_second : 0.0, "at", (json_int_t)now_ms,
	    "error", error != NULL ? error : "failed"));
}

/* 0: worked last time; 1: never tried; 2: failed last time. */
static int
mirror_rank(const struct mirror_memory *m)
{
	if (!m->known)
		return 1;
	return m->failed ? 2 : 0;
}

struct mirror_sort {
	const struct mirror_memory *mem;
	const bool	*demoted;
};

static int
mirror_before(const struct mirror_sort *s, size_t a, size_t b)
{
	const struct mirror_memory *x = &s->mem[a], *y = &s->mem[b];
	bool da = s->demoted != NULL && s->demoted[a];
	bool db = s->demoted != NULL && s->demoted[b];

	if (da != db)
		return da ? 1 : -1;
	if (mirror_rank(x) != mirror_rank(y))
		return mirror_rank(x) < mirror_rank(y) ? -1 : 1;
	if (mirror_rank(x) == 0 && x->bytes_per_second != y->bytes_per_second)
		return x->bytes_per_second > y->bytes_per_second ? -1 : 1;
	if (mirror_rank(x) == 2 && x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return a < b ? -1 : a > b;
}

void
mirror_order(const struct mirror_memory *mem, const bool *demoted, size_t n,
    size_t *order)
{
	struct mirror_sort s = { mem, demoted };
	size_t i, j, tmp;

	/* A handful of mirrors: an insertion sort keeps it stable and short. */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && mirror_before(&s, order[j], order[j - 1]) < 0; j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
}
