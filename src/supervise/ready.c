#include "supervise/ready.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/dl_curl.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/procid.h"
#include "core/workpool.h"
#include "supervise/listener.h"

/*
 * Between two attempts of a probe: 1 ms after the first, doubling to 20.
 * Most services listen within a few ms of their start; a fixed 20 ms made
 * every restart wait at least that long to count as ready.
 */
#define READY_RETRY_FIRST_MS	1
#define READY_RETRY_MS		20
/* After a port held by another process: it will not change as fast. */
#define READY_FOREIGN_RETRY_MS	200
#define READY_HTTP_TIMEOUT_MS	1000

struct ready_probe {
	uv_loop_t	*loop;
	struct ready_conf conf;		/* host and url are borrowed */
	const char	*name;		/* the service's, borrowed */
	pid_t		 pid;		/* its main process */
	ready_cb	 cb;
	void		*arg;
	char		 why[256];	/* why the last attempt did not count */
	bool		 cancelled;
	int		 pending;	/* open handles and queued work */
	uv_timer_t	 timer;
	uv_tcp_t	 tcp;
	uv_connect_t	 connect;
	uv_work_t	 work;
	bool		 last_ok;
	uint64_t	 next_retry_ms;	/* the next failed attempt's pause, doubling */
};

static void	ready_probe_attempt(struct ready_probe *p);

static void
ready_probe_release(struct ready_probe *p)
{
	if (--p->pending == 0 && p->cancelled)
		free(p);
}

static void
ready_probe_handle_closed(uv_handle_t *handle)
{
	ready_probe_release(handle->data);
}

/* Says why an attempt did not count, once for each new reason. */
static void
ready_probe_note(struct ready_probe *p, const char *why)
{
	if (strcmp(why, p->why) == 0)
		return;
	snprintf(p->why, sizeof(p->why), "%s", why);
	log_warn(p->name, "not ready: %s", why);
}

/* What answered is the service's only while its process runs. */
static bool
ready_probe_process_runs(struct ready_probe *p)
{
	struct proc_id id;
	char why[64];

	if (p->pid <= 0 || (proc_id_of(p->pid, &id) == 0 && proc_id_alive(&id)))
		return true;
	snprintf(why, sizeof(why), "pid %d has exited", (int)p->pid);
	ready_probe_note(p, why);
	return false;
}

static void
ready_probe_succeed(struct ready_probe *p)
{
	ready_cb cb = p->cb;
	void *arg = p->arg;

	if (!ready_probe_process_runs(p))
		return;		/* its exit ends the probe */
	/* The owner cancels the probe from inside its callback. */
	cb(arg);
}

static void
ready_probe_retry_timer(uv_timer_t *timer)
{
	ready_probe_attempt(timer->data);
}

static void
ready_probe_retry(struct ready_probe *p, uint64_t delay_ms)
{
	if (!p->cancelled)
		uv_timer_start(&p->timer, ready_probe_retry_timer, delay_ms, 0);
}

/* The pause after a failed attempt: 1, 2, 4, ... up to READY_RETRY_MS. */
static uint64_t
ready_probe_backoff(struct ready_probe *p)
{
	uint64_t ms = p->next_retry_ms > 0 ? p->next_retry_ms : READY_RETRY_FIRST_MS;

	p->next_retry_ms = ms * 2 < READY_RETRY_MS ? ms * 2 : READY_RETRY_MS;
	return ms;
}

/* Someone accepted: the service, or whoever else holds the port? */
static bool
ready_tcp_ours(struct ready_probe *p)
{
	char why[256];

	if (listener_check(p->name, p->pid, p->conf.port, why, sizeof(why)) !=
	    LISTENER_FOREIGN)
		return true;
	ready_probe_note(p, why);
	return false;
}

static void
ready_tcp_closed(uv_handle_t *handle)
{
	struct ready_probe *p = handle->data;
	bool connected = p->last_ok;

	if (!p->cancelled) {
		if (!connected)
			ready_probe_retry(p, ready_probe_backoff(p));
		else if (!ready_tcp_ours(p))
			ready_probe_retry(p, READY_FOREIGN_RETRY_MS);
		else
			ready_probe_succeed(p);
	}
	ready_probe_release(p);
}

static void
ready_tcp_connected(uv_connect_t *req, int status)
{
	struct ready_probe *p = req->data;

	p->last_ok = status == 0;
	uv_close((uv_handle_t *)&p->tcp, ready_tcp_closed);
}

static int
ready_tcp_address(const struct ready_probe *p, struct sockaddr_storage *ss)
{
	const char *host = p->conf.host ? p->conf.host : "127.0.0.1";

	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (uv_ip4_addr(host, p->conf.port, (struct sockaddr_in *)ss) == 0)
		return 0;
	return uv_ip6_addr(host, p->conf.port, (struct sockaddr_in6 *)ss);
}

static void
ready_tcp_attempt(struct ready_probe *p)
{
	struct sockaddr_storage ss;

	if (ready_tcp_address(p, &ss) != 0) {
		log_warn(NULL, "ready probe: bad address %s", p->conf.host);
		return;
	}
	uv_tcp_init(p->loop, &p->tcp);
	p->tcp.data = p;
	p->connect.data = p;
	p->pending++;
	if (uv_tcp_connect(&p->connect, &p->tcp, (struct sockaddr *)&ss,
	    ready_tcp_connected) != 0) {
		p->last_ok = false;
		uv_close((uv_handle_t *)&p->tcp, ready_tcp_closed);
	}
}

static size_t
ready_http_discard(char *data, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* Runs on libuv's thread pool: curl's easy interface blocks. */
static void
ready_http_work(uv_work_t *req)
{
	struct ready_probe *p = req->data;
	long code = 0;
	CURL *curl;

	p->last_ok = false;
	dl_curl_require();
	curl = curl_easy_init();
	if (curl == NULL)
		return;
	curl_easy_setopt(curl, CURLOPT_URL, p->conf.url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)READY_HTTP_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ready_http_discard);
	if (curl_easy_perform(curl) == CURLE_OK &&
	    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
		p->last_ok = code >= 200 && code < 400;
	curl_easy_cleanup(curl);
}

static void
ready_http_done(uv_work_t *req, int status)
{
	struct ready_probe *p = req->data;

	if (!p->cancelled) {
		if (p->last_ok)
			ready_probe_succeed(p);
		else
			ready_probe_retry(p, 100);
	}
	ready_probe_release(p);
}

static void
ready_http_attempt(struct ready_probe *p)
{
	p->work.data = p;
	p->pending++;
	if (workpool_queue(p->loop, &p->work, ready_http_work, ready_http_done) != 0) {
		p->pending--;
		ready_probe_retry(p, 100);
	}
}

static void
ready_delay_done(uv_timer_t *timer)
{
	ready_probe_succeed(timer->data);
}

static void
ready_probe_attempt(struct ready_probe *p)
{
	if (p->cancelled)
		return;
	switch (p->conf.kind) {
	case READY_TCP:
		ready_tcp_attempt(p);
		break;
	case READY_HTTP:
		ready_http_attempt(p);
		break;
	default:
		break;
	}
}

struct ready_probe *
ready_probe_start(uv_loop_t *loop, const struct ready_conf *conf, const char *name,
    pid_t pid, ready_cb cb, void *arg)
{
	struct ready_probe *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->conf = *conf;
	p->name = name;
	p->pid = pid;
	p->cb = cb;
	p->arg = arg;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	p->pending = 1;
	if (conf->kind == READY_DELAY)
		uv_timer_start(&p->timer, ready_delay_done, (uint64_t)conf->delay_ms, 0);
	else
		ready_probe_attempt(p);
	return p;
}

const char *
ready_probe_why(const struct ready_probe *p)
{
	return p != NULL ? p->why : "";
}

void
ready_probe_cancel(struct ready_probe *p)
{
	if (p == NULL || p->cancelled)
		return;
	p->cancelled = true;
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, ready_probe_handle_closed);
	/* A queued HTTP attempt may still be running; it frees nothing. */
	uv_cancel((uv_req_t *)&p->work);
}
