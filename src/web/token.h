/*
 * The API token: 32 random bytes as 64 hex characters in STATE_DIR/token,
 * created with mode 0600 on the first start. Whoever can read that file may
 * act through the API; everyone else may only look.
 */
#ifndef TEND_WEB_TOKEN_H
#define TEND_WEB_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_TOKEN_LEN	64

/* Reads the token, creating the file first if there is none; 0 or -1 with err. */
int	web_token_load(const char *state_dir, char token[WEB_TOKEN_LEN + 1], char *err,
	    size_t errlen);
/* Compares in time that does not depend on where the strings differ. */
bool	web_token_equal(const char *given, size_t given_len, const char *token);

#endif
