/*
 * libcurl's multi interface driven by the libuv loop: one uv_poll per
 * socket, one timer for curl's timeouts, so every HTTP transfer runs
 * concurrently on the loop thread and a hung endpoint costs only its own
 * timeout.
 */
#ifndef TEND_CHECKS_HTTP_ENGINE_H
#define TEND_CHECKS_HTTP_ENGINE_H

#include "core/dl_curl.h"
#include <uv.h>

struct http_engine;

/* Called once per transfer, with curl's result; read CURLINFO_* from easy. */
typedef void	(*http_done_fn)(void *arg, CURL *easy, CURLcode result);

struct http_engine *http_engine_new(uv_loop_t *loop);
/* Frees once its handles are closed; transfers must be cancelled first. */
void		http_engine_free(struct http_engine *e);
/* Adds a configured easy handle; done is called when it finishes. */
int		http_engine_add(struct http_engine *e, CURL *easy, http_done_fn done,
		    void *arg);
/* Removes a transfer before it finished; done will not be called. */
void		http_engine_remove(struct http_engine *e, CURL *easy);

#endif
