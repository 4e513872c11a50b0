/*
 * `tend deps scan --fix`: the missing dependencies become a new deps check
 * in the config file. The file is edited as text, not re-emitted from the
 * parsed YAML, so that comments, order and formatting elsewhere stay as
 * the user wrote them: the new check goes at the end of the top-level
 * `checks:` block, indented as its other checks are (or in a new
 * `checks:` at the end of the file). The result must load before it
 * replaces the file.
 */
#include "deps/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/mem.h"

struct text_line {
	const char	*start;
	size_t		 len;		/* without the newline */
	size_t		 indent;	/* leading spaces */
	bool		 blank;
	bool		 comment;
};

static struct text_line *
text_lines(const char *text, size_t *n)
{
	struct text_line *v = NULL, *l;
	const char *p = text, *nl;

	*n = 0;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		l = &v[(*n)++];
		l->start = p;
		l->len = nl ? (size_t)(nl - p) : strlen(p);
		for (l->indent = 0; l->indent < l->len && p[l->indent] == ' '; l->indent++)
			;
		l->blank = strspn(p, " \t\r") >= l->len;
		l->comment = !l->blank && p[l->indent] == '#';
		p = nl ? nl + 1 : p + l->len;
	}
	return v;
}

/* Plain YAML where it is safe, else single-quoted. */
static void
yaml_scalar(char *out, size_t len, const char *s)
{
	static const char *const words[] = { "null", "Null", "NULL", "true", "True",
	    "false", "False", "yes", "no", "on", "off", "y", "n", NULL };
	const char *const *w;
	const char *p;
	bool plain = isalnum((unsigned char)s[0]);
	size_t n = 0;

	for (p = s; plain && *p != '\0'; p++)
		plain = isalnum((unsigned char)*p) || strchr("._+-", *p) != NULL;
	for (w = words; plain && *w != NULL; w++)
		plain = strcmp(s, *w) != 0;
	if (plain) {
		snprintf(out, len, "%s", s);
		return;
	}
	out[n++] = '\'';
	for (p = s; *p != '\0' && n + 3 < len; p++) {
		if (*p == '\'')
			out[n++] = '\'';
		out[n++] = *p;
	}
	out[n++] = '\'';
	out[n] = '\0';
}

static void
text_append(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text_append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *more;
	size_t n;

	va_start(ap, fmt);
	more = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(more);
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, more, n + 1);
	*len += n;
	free(more);
}

/* Where the code uses it, for the comment after each item. */
static void
fix_origin(const struct scan_finding *f, char *out, size_t len)
{
	char ref[300], *p;

	scan_ref_text(f, ref, sizeof(ref));
	snprintf(out, len, "%s at %s:%d", ref, f->file, f->line);
	for (p = out; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* The items of one kind, under its key. */
static void
fix_kind(char **buf, size_t *len, const struct scan_result *r, enum dep_kind kind,
    const char *key, const char *ind)
{
	const struct scan_finding *f;
	char name[300], package[300], origin[600];
	bool first = true;
	size_t i;

	for (i = 0; i < r->n_needs; i++) {
		f = &r->needs[i];
		if (f->declared || f->need.kind != kind)
			continue;
		if (first)
			text_append(buf, len, "%s%s%s:\n", ind, ind, key);
		first = false;
		yaml_scalar(name, sizeof(name), f->need.name);
		yaml_scalar(package, sizeof(package), f->need.package);
		fix_origin(f, origin, sizeof(origin));
		/* A pkg-config module is not the package that provides it: say which. */
		if (kind == DEP_PKGCONFIG)
			text_append(buf, len, "%s%s%s%s: { install: { installer: %s, package: "
			    "%s } }  # %s\n", ind, ind, ind, name, f->need.installer, package,
			    origin);
		else
			text_append(buf, len, "%s%s%s%s: ''  # %s\n", ind, ind, ind, name,
			    origin);
	}
}

static char *
fix_block(const struct scan_result *r, const char *check, size_t indent)
{
	char ind[17], name[300], *buf = NULL;
	size_t len = 0;

	if (indent >= sizeof(ind))
		indent = sizeof(ind) - 1;
	memset(ind, ' ', indent);
	ind[indent] = '\0';
	yaml_scalar(name, sizeof(name), check);
	text_append(&buf, &len, "%s# added by tend deps scan --fix\n", ind);
	text_append(&buf, &len, "%s%s:\n%s%stype: deps\n", ind, name, ind, ind);
	fix_kind(&buf, &len, r, DEP_PKGCONFIG, "pkgconfig", ind);
	fix_kind(&buf, &len, r, DEP_PACKAGE, "packages", ind);
	fix_kind(&buf, &len, r, DEP_PYTHON, "python", ind);
	fix_kind(&buf, &len, r, DEP_NPM, "npm", ind);
	return buf;
}

static bool
check_name_taken(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (strcmp(cfg->checks[i].name, name) == 0)
			return true;
	return false;
}

/* `checks:` at the top level, with nothing but a comment after it. */
static int
fix_is_checks_key(const struct text_line *l)
{
	const char *p = l->start + 7, *end = l->start + l->len;

	if (l->indent != 0 || l->len < 7 || strncmp(l->start, "checks:", 7) != 0)
		return 0;
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p == end || *p == '#' ? 1 : -1;
}

/*
 * Where the block goes (an offset into text) and how far its lines are
 * indented; *prefix is text that must come before it (a new `checks:`).
 * -1 when checks: is written inline, which is not edited.
 */
static int
fix_place(const char *text, size_t *at, size_t *indent, const char **prefix)
{
	struct text_line *lines;
	size_t n, i, key = (size_t)-1, last;
	int kind = 0;

	lines = text_lines(text, &n);
	for (i = 0; i < n && kind == 0; i++)
		if ((kind = fix_is_checks_key(&lines[i])) != 0)
			key = i;
	if (kind < 0) {
		free(lines);
		return -1;
	}
	*indent = 2;
	if (kind == 0) {
		*at = strlen(text);
		*prefix = *at > 0 && text[*at - 1] != '\n' ? "\nchecks:\n" : "checks:\n";
		free(lines);
		return 0;
	}
	*prefix = "";
	last = key;
	for (i = key + 1; i < n; i++) {
		if (lines[i].blank)
			continue;
		if (lines[i].indent == 0 && !lines[i].comment)
			break;
		if (lines[i].indent == 0)
			continue;
		if (last == key && !lines[i].comment)
			*indent = lines[i].indent;
		last = i;
	}
	*at = (size_t)(lines[last].start - text) + lines[last].len;
	/* After the newline that ends the line, if there is one. */
	if (text[*at] == '\n')
		(*at)++;
	else
		*prefix = "\n";
	free(lines);
	return 0;
}

static char *
fix_read(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, got;
	char chunk[8192];

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		text = xrealloc(text, len + got + 1);
		memcpy(text + len, chunk, got);
		len += got;
	}
	fclose(f);
	if (text == NULL)
		text = xstrdup("");
	text[len] = '\0';
	return text;
}

/* Writes text beside path, checks that it loads, then renames it over path. */
static int
fix_replace(const char *path, const char *text, char *err, size_t errlen)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	struct stat sb;
	char *tmp;
	size_t len = strlen(text);
	int fd;

	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = fd_temp_beside(path, &tmp)) < 0) {
		snprintf(err, errlen, "%s: cannot create a file beside it: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fchmod(fd, sb.st_mode & 07777) < 0 || fd_write_all(fd, text, len) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if ((cfg = config_load_file(tmp, &errs)) == NULL) {
		snprintf(err, errlen, "the edited config would not load: %s:%d:%d: %s",
		    path, errs.v[0].line, errs.v[0].col, errs.v[0].msg);
		config_errors_clear(&errs);
		goto fail;
	}
	config_free(cfg);
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
scan_fix_config(const char *path, const struct tend_config *cfg,
    const struct scan_result *r, char **added, char *err, size_t errlen)
{
	char name[64], *text, *block, *edited;
	const char *prefix;
	size_t at, indent;
	int i, rc;

	*added = NULL;
	if ((text = fix_read(path, err, errlen)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "scanned_deps");
	for (i = 2; check_name_taken(cfg, name); i++)
		snprintf(name, sizeof(name), "scanned_deps_%d", i);
	if (fix_place(text, &at, &indent, &prefix) < 0) {
		block = fix_block(r, name, 2);
		snprintf(err, errlen, "%s: 'checks:' is written inline; add this under "
		    "it yourself:\n%s", path, block);
		free(block);
		free(text);
		return -1;
	}
	block = fix_block(r, name, indent);
	edited = xasprintf("%.*s%s%s%s", (int)at, text, prefix, block, text + at);
	rc = fix_replace(path, edited, err, errlen);
	free(edited);
	free(text);
	if (rc < 0) {
		free(block);
		return -1;
	}
	*added = prefix[0] != '\0' && strcmp(prefix, "\n") != 0 ?
	    xasprintf("%s%s", prefix[0] == '\n' ? prefix + 1 : prefix, block) : block;
	if (*added != block)
		free(block);
	return 0;
}
