#include "core/text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core/mem.h"

void
text_buf_put(struct text_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *
buf_done(struct text_buf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

/*
 * The character at s (len > 0 bytes left): its length, with *ok telling
 * whether it is well formed (Unicode's table 3-7: no overlong forms, no
 * surrogates, nothing past U+10FFFF). When it is not, the length is that
 * of its maximal valid prefix, at least 1: what one U+FFFD replaces.
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp, bool *ok)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t v;

	*ok = false;
	*cp = 0xfffd;
	if (c < 0x80) {
		*cp = c;
		*ok = true;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 1;
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			return i;
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	*ok = true;
	return need + 1;
}

bool
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	bool ok;

	while (i < len) {
		i += utf8_next(p + i, len - i, &cp, &ok);
		if (!ok)
			return false;
	}
	return true;
}

/* Characters a terminal acts on rather than shows. */
static bool
text_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static void
text_put_control(struct text_buf *b, uint32_t cp)
{
	char esc[16];

	if (cp == '\n')
		text_buf_put(b, "\\n", 2);
	else if (cp == '\r')
		text_buf_put(b, "\\r", 2);
	else if (cp == '\t')
		text_buf_put(b, "\\t", 2);
	else if (cp < 0x80) {
		snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
		text_buf_put(b, esc, 4);
	} else {
		snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
		text_buf_put(b, esc, 6);
	}
}

/* s as valid UTF-8, with its controls escaped too when asked. */
static char *
text_clean(const char *s, bool escape)
{
	const unsigned char *p = (const unsigned char *)s;
	struct text_buf b = { 0 };
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;
	bool ok;

	while (i < len) {
		n = utf8_next(p + i, len - i, &cp, &ok);
		if (!ok)
			text_buf_put(&b, TEXT_REPLACEMENT, sizeof(TEXT_REPLACEMENT) - 1);
		else if (escape && text_is_control(cp))
			text_put_control(&b, cp);
		else
			text_buf_put(&b, s + i, n);
		i += n;
	}
	return buf_done(&b);
}

char *
text_utf8(const char *s)
{
	return text_utf8_valid(s, strlen(s)) ? xstrdup(s) : text_clean(s, false);
}

size_t
text_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (size == 0)
		return 0;
	if (len >= size) {
		len = size - 1;
		/* Back to the first byte of the character that did not fit. */
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memmove(dst, src, len);
	dst[len] = '\0';
	return len;
}

void
text_utf8_fix(char *buf, size_t size)
{
	char *valid;

	if (text_utf8_valid(buf, strlen(buf)))
		return;
	valid = text_utf8(buf);
	text_copy(buf, size, valid);
	free(valid);
}

void
text_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(buf, size, fmt, ap);
	/* Cut mid-character by the buffer, it is still valid. */
	text_utf8_fix(buf, size);
}

json_t *
text_json(const char *s)
{
	json_t *v;
	char *valid;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	valid = text_utf8(s);
	v = json_string(valid);
	free(valid);
	return v != NULL ? v : json_null();
}

char *
text_escape(const char *s)
{
	return text_clean(s, true);
}

size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Names of query parameters whose values are secrets (see text.h). */
static bool
text_secret_name(const char *name, size_t len)
{
	static const char *const within[] = { "token", "secret", "passw", "pwd",
	    "credential", "signature", "apikey", "api_key", "api-key", "access_key",
	    "private_key", NULL };
	static const char *const exact[] = { "key", "pass", "auth", "sig", NULL };
	char lower[64];
	size_t i;

	if (len == 0 || len >= sizeof(lower))
		return false;
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[len] = '\0';
	for (i = 0; exact[i] != NULL; i++)
		if (strcmp(lower, exact[i]) == 0)
			return true;
	for (i = 0; within[i] != NULL; i++)
		if (strstr(lower, within[i]) != NULL)
			return true;
	return false;
}

/* The query and fragment of a URL, [p, end): secret values become ***. */
static void
text_redact_query(struct text_buf *b, const char *p, const char *end)
{
	const char *name, *eq;
	size_t n;

	while (p < end) {
		n = strcspn(p, "?&;#");
		if (p + n >= end) {
			text_buf_put(b, p, (size_t)(end - p));
			return;
		}
		text_buf_put(b, p, n + 1);
		name = p + n + 1;
		for (eq = name; eq < end && strchr("=?&;#", *eq) == NULL; eq++)
			;
		text_buf_put(b, name, (size_t)(eq - name));
		p = eq;
		if (eq >= end || *eq != '=' || !text_secret_name(name, (size_t)(eq - name)))
			continue;
		text_buf_put(b, "=***", 4);
		for (p = eq + 1; p < end && strchr("&;#", *p) == NULL; p++)
			;
	}
}

/* Where a URL in free text ends: at a blank, a quote, a bracket or a control. */
static const char *
text_url_end(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"'<>`", *p) != NULL)
			break;
	return p;
}

/* One URL, [auth, end) after its "scheme://": userinfo and query redacted. */
static void
text_redact_url(struct text_buf *b, const char *auth, const char *end)
{
	const char *host_end, *at = NULL, *colon, *q;

	for (host_end = auth; host_end < end && strchr("/?#", *host_end) == NULL; host_end++)
		if (*host_end == '@')
			at = host_end;
	if (at != NULL && at > auth) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL)
			text_buf_put(b, auth, (size_t)(colon - auth) + 1);
		/* An empty password hides nothing. */
		if (colon == NULL || colon + 1 < at)
			text_buf_put(b, "***", 3);
		auth = at;
	}
	q = host_end + strcspn(host_end, "?#;");
	if (q > end)
		q = end;
	text_buf_put(b, auth, (size_t)(q - auth));
	text_redact_query(b, q, end);
}

static bool
text_scheme_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

char *
text_show(const char *s)
{
	char *redacted = text_redact(s), *shown = text_escape(redacted);

	free(redacted);
	return shown;
}

void
text_sanitize(char *buf, size_t size)
{
	char *redacted = text_redact(buf);

	text_copy(buf, size, redacted);
	free(redacted);
	text_utf8_fix(buf, size);
}

char *
text_redact(const char *s)
{
	struct text_buf b = { 0 };
	const char *p = s, *sep, *scheme, *end;

	while ((sep = strstr(p, "://")) != NULL) {
		for (scheme = sep; scheme > p && text_scheme_char(scheme[-1]); scheme--)
			;
		text_buf_put(&b, p, (size_t)(sep + 3 - p));
		p = sep + 3;
		if (scheme == sep || !isalpha((unsigned char)*scheme))
			continue;
		end = text_url_end(p);
		text_redact_url(&b, p, end);
		p = end;
	}
	text_buf_put(&b, p, strlen(p));
	return buf_done(&b);
}
