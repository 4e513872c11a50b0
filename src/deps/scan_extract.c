/*
 * The extractors of `tend deps scan`: small lexers, one per language, that
 * know just enough (comments, strings, line continuations) not to be
 * fooled by an import inside a docstring or a require inside a string.
 * Each calls back with every reference and its line; deps/scan.c maps
 * them to dependencies.
 */
#include "deps/scan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* C */

/* The directive of a preprocessor line ("include"), and what follows it. */
static bool
c_directive(const char *code, char *word, size_t len, const char **rest)
{
	size_t n = 0;

	while (isspace((unsigned char)*code))
		code++;
	if (*code++ != '#')
		return false;
	while (isspace((unsigned char)*code))
		code++;
	while (isalpha((unsigned char)*code) || *code == '_') {
		if (n + 1 < len)
			word[n++] = *code;
		code++;
	}
	word[n] = '\0';
	*rest = code;
	return n > 0;
}

/*
 * One line of C with comments removed and string contents blanked; the
 * block-comment state carries over from line to line.
 */
static const char *
c_code_line(const char *p, bool *comment, char *code, size_t len)
{
	size_t n = 0;
	char quote;

	while (*p != '\0' && *p != '\n') {
		if (*comment) {
			if (p[0] == '*' && p[1] == '/') {
				*comment = false;
				p++;
			}
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			*comment = true;
			p += 2;
			if (n + 1 < len)
				code[n++] = ' ';
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (*p != '\0' && *p != '\n')
				p++;
			break;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p++;
			while (*p != '\0' && *p != '\n' && *p != quote)
				p += p[0] == '\\' && p[1] != '\0' && p[1] != '\n' ? 2 : 1;
			if (*p == quote)
				p++;
			if (n + 2 < len) {
				code[n++] = quote;
				code[n++] = quote;
			}
			continue;
		}
		if (n + 1 < len)
			code[n++] = *p;
		p++;
	}
	code[n] = '\0';
	return *p == '\n' ? p + 1 : p;
}

/* Tracks `#if 0` blocks: *skip is the nesting depth inside one, 0 outside. */
static void
c_conditional(const char *word, const char *rest, int *skip)
{
	while (isspace((unsigned char)*rest))
		rest++;
	if (strcmp(word, "if") == 0 || strcmp(word, "ifdef") == 0 ||
	    strcmp(word, "ifndef") == 0) {
		if (*skip > 0)
			(*skip)++;
		else if (strcmp(word, "if") == 0 && rest[0] == '0' &&
		    (rest[1] == '\0' || isspace((unsigned char)rest[1])))
			*skip = 1;
	} else if ((strcmp(word, "else") == 0 || strcmp(word, "elif") == 0) && *skip == 1)
		*skip = 0;
	else if (strcmp(word, "endif") == 0 && *skip > 0)
		(*skip)--;
}

void
scan_extract_c(const char *text, scan_ref_fn fn, void *arg)
{
	char code[1024], word[16], header[256];
	const char *p = text, *rest, *end;
	bool comment = false;
	int line = 1, skip = 0;
	size_t n;

	while (*p != '\0') {
		p = c_code_line(p, &comment, code, sizeof(code));
		if (c_directive(code, word, sizeof(word), &rest)) {
			c_conditional(word, rest, &skip);
			while (isspace((unsigned char)*rest))
				rest++;
			if (skip == 0 && strcmp(word, "include") == 0 && *rest == '<' &&
			    (end = strchr(rest, '>')) != NULL) {
				n = (size_t)(end - rest - 1);
				if (n > 0 && n < sizeof(header)) {
					memcpy(header, rest + 1, n);
					header[n] = '\0';
					fn(arg, header, line);
				}
			}
		}
		line++;
	}
}

/* Python */

/* A copy of the text with comments and the contents of strings blanked, newlines kept. */
static char *
python_code_only(const char *text)
{
	size_t len = strlen(text), i = 0, q;
	char *out = xstrdup(text), c;
	bool triple;

	while (i < len) {
		c = text[i];
		if (c == '#') {
			while (i < len && text[i] != '\n')
				out[i++] = ' ';
			continue;
		}
		if (c != '"' && c != '\'') {
			i++;
			continue;
		}
		triple = text[i + 1] == c && text[i + 2] == c;
		q = triple ? 3 : 1;
		for (i += q; i < len; i++) {
			if (text[i] == '\\' && text[i + 1] != '\0') {
				out[i] = ' ';
				if (text[++i] != '\n')
					out[i] = ' ';
				continue;
			}
			if (text[i] == c && (!triple || (text[i + 1] == c && text[i + 2] == c))) {
				i += q;
				break;
			}
			if (text[i] == '\n' && !triple)
				break;
			if (text[i] != '\n')
				out[i] = ' ';
		}
	}
	return out;
}

/* A dotted name at *p ("a.b_c.d"), copied to out; advances *p. */
static bool
python_dotted(const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	while (isalnum((unsigned char)*s) || *s == '_' ||
	    (*s == '.' && (isalpha((unsigned char)s[1]) || s[1] == '_'))) {
		if (n + 1 < len)
			out[n++] = *s;
		s++;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

/*
 * The keyword at *p as a whole word: followed by a blank, or by ':' when
 * colon_ok (`try:`). Advances past it and the blanks after it.
 */
static bool
python_word(const char **p, const char *word, bool colon_ok)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n) != 0 || !(isspace((unsigned char)(*p)[n]) ||
	    (colon_ok && (*p)[n] == ':')))
		return false;
	*p += n;
	while (isspace((unsigned char)**p))
		(*p)++;
	return true;
}

/* One logical statement: `import a, b.c as d` or `from a.b import c`. */
static void
python_statement(const char *s, int line, scan_ref_fn fn, void *arg)
{
	char name[256];

	while (isspace((unsigned char)*s))
		s++;
	/* `try: import x` on one line. */
	while (python_word(&s, "try", true) || python_word(&s, "else", true) ||
	    python_word(&s, "finally", true)) {
		if (*s++ != ':')
			return;
		while (isspace((unsigned char)*s))
			s++;
	}
	if (python_word(&s, "import", false)) {
		for (;;) {
			if (!python_dotted(&s, name, sizeof(name)))
				return;
			fn(arg, name, line);
			s += strcspn(s, ",");
			if (*s++ != ',')
				return;
			while (isspace((unsigned char)*s))
				s++;
		}
	}
	if (python_word(&s, "from", false) && *s != '.' &&
	    python_dotted(&s, name, sizeof(name))) {
		while (isspace((unsigned char)*s))
			s++;
		if (python_word(&s, "import", false))
			fn(arg, name, line);
	}
}

void
scan_extract_python(const char *text, scan_ref_fn fn, void *arg)
{
	char *code = python_code_only(text), *buf;
	size_t n = 0;
	int line = 1, start = 1, depth = 0;
	const char *p;

	buf = xmalloc(strlen(code) + 1);
	for (p = code;; p++) {
		if (*p == '\\' && p[1] == '\n') {
			buf[n++] = ' ';
			p++;
			line++;
			continue;
		}
		if (*p == '\0' || ((*p == '\n' || *p == ';') && depth == 0)) {
			buf[n] = '\0';
			python_statement(buf, start, fn, arg);
			n = 0;
			if (*p == '\0')
				break;
			if (*p == '\n')
				line++;
			start = line;
			continue;
		}
		if (*p == '\n') {
			line++;
			buf[n++] = ' ';
			continue;
		}
		if (strchr("([{", *p))
			depth++;
		else if (strchr(")]}", *p) && depth > 0)
			depth--;
		if (n == 0 && isspace((unsigned char)*p))
			continue;
		if (n == 0)
			start = line;
		buf[n++] = *p;
	}
	free(buf);
	free(code);
}

/* JavaScript and TypeScript */

enum js_token_type {
	JS_NONE,
	JS_IDENT,
	JS_STRING,
	JS_PUNCT,
	JS_OTHER,		/* numbers, templates, regular expressions */
};

struct js_token {
	enum js_token_type type;
	char		 text[256];	/* identifier, string value, punctuation */
	int		 line;
	bool		 after_dot;	/* an identifier that follows '.': a member */
};

struct js_lexer {
	const char	*p;
	int		 line;
	struct js_token	 prev;		/* the last significant token */
};

/* Keywords after which a '/' starts a regular expression, not a division. */
static bool
js_regex_allowed(const struct js_token *prev)
{
	static const char *const words[] = { "return", "typeof", "case", "do", "else",
	    "in", "of", "new", "delete", "void", "throw", "yield", "await", NULL };
	const char *const *w;

	if (prev->type == JS_NONE)
		return true;
	if (prev->type == JS_PUNCT)
		return prev->text[0] != ')' && prev->text[0] != ']';
	if (prev->type != JS_IDENT)
		return false;
	for (w = words; *w != NULL; w++)
		if (strcmp(prev->text, *w) == 0)
			return true;
	return false;
}

static void
js_skip_regex(struct js_lexer *lx)
{
	bool klass = false;

	for (lx->p++; *lx->p != '\0' && *lx->p != '\n'; lx->p++) {
		if (*lx->p == '\\' && lx->p[1] != '\0' && lx->p[1] != '\n')
			lx->p++;
		else if (*lx->p == '[')
			klass = true;
		else if (*lx->p == ']')
			klass = false;
		else if (*lx->p == '/' && !klass) {
			lx->p++;
			break;
		}
	}
	while (isalpha((unsigned char)*lx->p))
		lx->p++;
}

/* A template literal, its ${...} parts included (strings in them naively). */
static void
js_skip_template(struct js_lexer *lx)
{
	int depth = 0;

	for (lx->p++; *lx->p != '\0'; lx->p++) {
		if (*lx->p == '\n')
			lx->line++;
		if (*lx->p == '\\' && lx->p[1] != '\0') {
			lx->p++;
			continue;
		}
		if (depth == 0 && *lx->p == '`') {
			lx->p++;
			return;
		}
		if (depth == 0 && lx->p[0] == '$' && lx->p[1] == '{') {
			depth = 1;
			lx->p++;
		} else if (depth > 0 && *lx->p == '{')
			depth++;
		else if (depth > 0 && *lx->p == '}')
			depth--;
	}
}

static void
js_string(struct js_lexer *lx, struct js_token *t)
{
	char quote = *lx->p++;
	size_t n = 0;

	t->type = JS_STRING;
	while (*lx->p != '\0' && *lx->p != quote && *lx->p != '\n') {
		if (*lx->p == '\\' && lx->p[1] != '\0') {
			if (lx->p[1] == '\n')
				lx->line++;
			lx->p++;
		}
		if (n + 1 < sizeof(t->text))
			t->text[n++] = *lx->p;
		lx->p++;
	}
	t->text[n] = '\0';
	if (*lx->p == quote)
		lx->p++;
}

/* The next significant token; false at the end. Comments are skipped. */
static bool
js_next(struct js_lexer *lx, struct js_token *t)
{
	const char *p;
	size_t n;

	for (;;) {
		p = lx->p;
		if (*p == '\0')
			return false;
		if (*p == '\n') {
			lx->line++;
			lx->p++;
		} else if (isspace((unsigned char)*p)) {
			lx->p++;
		} else if (p[0] == '/' && p[1] == '/') {
			lx->p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			for (lx->p += 2; *lx->p != '\0' && !(lx->p[0] == '*' && lx->p[1] == '/');
			    lx->p++)
				if (*lx->p == '\n')
					lx->line++;
			if (*lx->p != '\0')
				lx->p += 2;
		} else
			break;
	}
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	p = lx->p;
	if (*p == '"' || *p == '\'') {
		js_string(lx, t);
	} else if (*p == '`') {
		t->type = JS_OTHER;
		js_skip_template(lx);
	} else if (*p == '/' && js_regex_allowed(&lx->prev)) {
		t->type = JS_OTHER;
		js_skip_regex(lx);
	} else if (isalpha((unsigned char)*p) || *p == '_' || *p == '$') {
		t->type = JS_IDENT;
		for (n = 0; isalnum((unsigned char)*p) || *p == '_' || *p == '$'; p++)
			if (n + 1 < sizeof(t->text))
				t->text[n++] = *p;
		lx->p = p;
		t->after_dot = lx->prev.type == JS_PUNCT && strcmp(lx->prev.text, ".") == 0;
	} else if (isdigit((unsigned char)*p)) {
		t->type = JS_OTHER;
		while (isalnum((unsigned char)*lx->p) || *lx->p == '.' || *lx->p == '_')
			lx->p++;
	} else {
		t->type = JS_PUNCT;
		t->text[0] = *p;
		lx->p++;
	}
	lx->prev = *t;
	return true;
}

static bool
js_is(const struct js_token *t, enum js_token_type type, const char *text)
{
	return t->type == type && strcmp(t->text, text) == 0 && !t->after_dot;
}

void
scan_extract_js(const char *text, scan_ref_fn fn, void *arg)
{
	struct js_lexer lx = { .p = text, .line = 1 };
	struct js_token t, prev = { 0 }, prev2 = { 0 };
	bool in_import = false;	/* an import/export statement awaiting `from 'x'` */

	while (js_next(&lx, &t)) {
		if (t.type == JS_STRING) {
			if (js_is(&prev, JS_PUNCT, "(") && (js_is(&prev2, JS_IDENT, "require") ||
			    js_is(&prev2, JS_IDENT, "import")))
				fn(arg, t.text, t.line);
			else if (js_is(&prev, JS_IDENT, "import"))
				fn(arg, t.text, t.line);
			else if (js_is(&prev, JS_IDENT, "from") && in_import)
				fn(arg, t.text, t.line);
			if (js_is(&prev, JS_IDENT, "from") || js_is(&prev, JS_IDENT, "import"))
				in_import = false;
		} else if (js_is(&t, JS_IDENT, "import") || js_is(&t, JS_IDENT, "export")) {
			in_import = true;
		} else if (js_is(&t, JS_PUNCT, ";") ||
		    (js_is(&prev, JS_IDENT, "import") && t.type == JS_PUNCT &&
		    (t.text[0] == '(' || t.text[0] == '.'))) {
			in_import = false;
		}
		prev2 = prev;
		prev = t;
	}
}
