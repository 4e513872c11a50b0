/*
 * libcurl's multi interface driven by the libuv loop: one uv_poll per
 * socket, one timer for curl's timeouts, so every HTTP transfer runs
 * concurrently on the loop thread and a hung endpoint costs only its own
 * timeout. The multi handle keeps connections open between transfers (its
 * connection cache, sized by http_engine_expect) and shares one DNS cache
 * among them: a check every few seconds of the same target reuses its
 * connection rather than connecting again.
 */
#ifndef TEND_CHECKS_HTTP_ENGINE_H
#define TEND_CHECKS_HTTP_ENGINE_H

#include "core/dl_curl.h"
#include <uv.h>

struct http_engine;

/* Called once per transfer, with curl's result; read CURLINFO_* from easy. */
typedef void	(*http_done_fn)(void *arg, CURL *easy, CURLcode result);

struct http_engine *http_engine_new(uv_loop_t *loop);
/*
 * How many targets (HTTP checks, webhooks) the engine is to keep a
 * connection open to between transfers; the last call counts. Costs
 * nothing before the first transfer (libcurl is not loaded for it).
 */
void		http_engine_expect(struct http_engine *e, size_t targets);
/*
 * What every easy handle run on e must have: its sockets opened and closed
 * through the engine (which watches kept connections while they are
 * idle), HTTP/2 where a TLS target offers it (ALPN), multiplexed on one
 * connection, HTTP/1.1 otherwise (no h2c), no signals, DNS answers cached.
 */
void		http_engine_easy_defaults(struct http_engine *e, CURL *easy);
/* Frees once its handles are closed; transfers must be cancelled first. */
void		http_engine_free(struct http_engine *e);
/* Adds a configured easy handle; done is called when it finishes. */
int		http_engine_add(struct http_engine *e, CURL *easy, http_done_fn done,
		    void *arg);
/* Removes a transfer before it finished; done will not be called. */
void		http_engine_remove(struct http_engine *e, CURL *easy);

#endif
