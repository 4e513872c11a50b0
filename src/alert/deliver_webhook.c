/* Webhook channels: a JSON POST on the loop's shared libcurl engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/deliver.h"
#include "checks/http_engine.h"
#include "core/mem.h"

/* Enough of an error answer to say what the receiver did not like. */
#define WEBHOOK_REPLY_KEEP	200

struct webhook_call {
	struct http_engine *engine;
	CURL		*easy;
	struct curl_slist *headers;
	char		*body;
	char		 reply[WEBHOOK_REPLY_KEEP + 1];
	size_t		 reply_len;
	char		 error[CURL_ERROR_SIZE];
	deliver_done_fn	 done;
	void		*arg;
};

static size_t
webhook_reply(char *data, size_t size, size_t n, void *arg)
{
	struct webhook_call *c = arg;
	size_t len = size * n, keep = len;

	if (c->reply_len + keep > WEBHOOK_REPLY_KEEP)
		keep = WEBHOOK_REPLY_KEEP - c->reply_len;
	memcpy(c->reply + c->reply_len, data, keep);
	c->reply_len += keep;
	c->reply[c->reply_len] = '\0';
	return len;
}

static void
webhook_free(struct webhook_call *c)
{
	curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->headers);
	free(c->body);
	free(c);
}

/* The first line of the answer, for the record. */
static void
webhook_reply_line(const struct webhook_call *c, char *out, size_t len)
{
	size_t n = strcspn(c->reply, "\r\n");

	snprintf(out, len, "%.*s", (int)n, c->reply);
}

static void
webhook_done(void *arg, CURL *easy, CURLcode rc)
{
	struct webhook_call *c = arg;
	char detail[512], line[WEBHOOK_REPLY_KEEP + 1];
	long status = 0;
	bool ok, retry;

	if (rc != CURLE_OK) {
		snprintf(detail, sizeof(detail), "%s", c->error[0] != '\0' ? c->error :
		    curl_easy_strerror(rc));
		ok = false;
		retry = true;
	} else {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		ok = status >= 200 && status < 300;
		/* A request the receiver rejects will be rejected again; not so a busy one. */
		retry = !ok && !(status >= 400 && status < 500 && status != 408 &&
		    status != 429);
		webhook_reply_line(c, line, sizeof(line));
		snprintf(detail, sizeof(detail), "HTTP %ld%s%s", status,
		    !ok && line[0] != '\0' ? ": " : "", !ok ? line : "");
	}
	c->done(c->arg, ok, retry, detail);
	webhook_free(c);
}

struct webhook_call *
webhook_post(struct http_engine *e, const char *url, char *const *headers,
    char *body, int64_t timeout_ms, deliver_done_fn done, void *arg,
    char *err, size_t errlen)
{
	struct webhook_call *c = xcalloc(1, sizeof(*c));
	char *const *h;

	c->engine = e;
	c->done = done;
	c->arg = arg;
	c->body = body;
	dl_curl_require();
	if ((c->easy = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot create a curl handle");
		free(c->body);
		free(c);
		return NULL;
	}
	c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
	/* No 100-continue round trip: receivers answer the whole request at once. */
	c->headers = curl_slist_append(c->headers, "Expect:");
	for (h = headers; h != NULL && *h != NULL; h++)
		c->headers = curl_slist_append(c->headers, *h);
	http_engine_easy_defaults(e, c->easy);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "tend/" TEND_VERSION);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, webhook_reply);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->error);
	if (http_engine_add(e, c->easy, webhook_done, c) != 0) {
		snprintf(err, errlen, "cannot start the transfer");
		webhook_free(c);
		return NULL;
	}
	return c;
}

void
webhook_cancel(struct webhook_call *c)
{
	http_engine_remove(c->engine, c->easy);
	webhook_free(c);
}
