/*
 * Text that tend shows, logs and stores, made safe in one place:
 *
 *   - valid UTF-8: what a check or a service printed may be any bytes, but
 *     JSON (and so the API, the dashboard, /metrics and the store's
 *     readers) needs UTF-8. Each invalid sequence becomes U+FFFD.
 *   - control characters made visible for a terminal or a text log line:
 *     ESC is printed as the four characters \x1b, so output cannot move
 *     the cursor, clear the screen or forge a log line.
 *   - credentials in URLs hidden wherever a URL is shown or stored.
 */
#ifndef TEND_CORE_TEXT_H
#define TEND_CORE_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A string being built: { NULL, 0, 0 } to start; malloc'd, NUL-ended once put to. */
struct text_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	text_buf_put(struct text_buf *b, const char *s, size_t n);

/* The replacement character, for what is not UTF-8. */
#define TEXT_REPLACEMENT	"\xef\xbf\xbd"

/* True when the len bytes at s are valid UTF-8. */
bool	 text_utf8_valid(const char *s, size_t len);
/*
 * s as valid UTF-8, a new string: each ill-formed sequence (its maximal
 * valid prefix, as Unicode recommends) is replaced by one U+FFFD.
 */
char	*text_utf8(const char *s);
/*
 * Copies src into dst (size bytes), cut at a character boundary when it
 * does not fit, so that a valid src gives a valid dst. Returns the length.
 */
size_t	 text_copy(char *dst, size_t size, const char *src);
/* A fixed buffer's string made valid UTF-8 in place (text_utf8, text_copy). */
void	 text_utf8_fix(char *buf, size_t size);
/* vsnprintf into a fixed buffer, then made valid UTF-8 (a message for JSON). */
void	 text_vformat(char *buf, size_t size, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));
/* s as a JSON string, made valid UTF-8 (never the NULL jansson gives); null for NULL. */
struct json_t *text_json(const char *s);

/*
 * s for a terminal or a line of a text log, a new string: valid UTF-8 with
 * \n, \r and \t as those two characters, the other C0 controls and DEL as
 * \xNN, the C1 controls and the Unicode line separators and bidirectional
 * overrides as \uNNNN. Everything else, backslash included, is kept.
 */
char	*text_escape(const char *s);
/* The number of characters in valid UTF-8: a column's width in a table. */
size_t	 text_width(const char *s);

/*
 * s with the credentials of every URL in it hidden, a new string:
 *
 *   https://user:secret@host/     ->  https://user:***@host/
 *   https://host/x?token=abc&n=2  ->  https://host/x?token=***&n=2
 *
 * Userinfo without a password (https://TOKEN@host/) is hidden whole.
 *
 * A query (or fragment) parameter is a secret when its name contains
 * token, secret, passw, pwd, credential, signature, apikey, api_key,
 * api-key, access_key or private_key, or is key, pass, auth or sig (any
 * case). s may be free text: every scheme://... in it is treated.
 */
char	*text_redact(const char *s);

/* s as a terminal or a text log line shows it: text_redact, then text_escape. */
char	*text_show(const char *s);
/*
 * A fixed buffer holding the world's text (a program's output) made fit to
 * store and publish, in place: text_redact, then valid UTF-8 (cut at a
 * character boundary when it no longer fits).
 */
void	 text_sanitize(char *buf, size_t size);

#endif
