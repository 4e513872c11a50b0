/*
 * The API token: 32 random bytes as 64 hex characters in STATE_DIR/token,
 * created with mode 0600 on the first start. Whoever can read that file may
 * act through the API; everyone else may only look.
 */
#ifndef TEND_WEB_TOKEN_H
#define TEND_WEB_TOKEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define WEB_TOKEN_LEN	64

struct statedir;

/*
 * Written by the loop while not ready, then read by the web threads: ready
 * is set (release) once value is whole, and never cleared.
 */
struct web_token {
	char		 value[WEB_TOKEN_LEN + 1];
	atomic_bool	 ready;
};

/*
 * Reads STATE/token, creating it first if there is none. A token file that
 * is not tend's own (another owner, readable or writable by others, a
 * link) or not 64 lowercase hex characters is refused, never used. On
 * failure the token stays not ready, so every POST is refused, and err
 * says why: call it again later (the web server does, every 15 s) and a
 * token that a full disk kept from being made is made when space returns.
 * 0, or -1 with err.
 */
int	web_token_load(struct web_token *t, struct statedir *sd, char *err, size_t errlen);
/*
 * Whether given is the token, in time that does not depend on where the
 * strings differ; false whatever is given while there is no token.
 */
bool	web_token_equal(const struct web_token *t, const char *given, size_t given_len);

#endif
