/*
 * Reading source code for what it uses: the walk collects what each file
 * references (deps/scan_extract.c's lexers) and what the tree provides
 * itself, then maps references to dependencies.
 */
#include "deps/scan.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/strv.h"

/* Mapping */

static bool
js_name_char(char c)
{
	return isalnum((unsigned char)c) || strchr("-._~", c) != NULL;
}

bool
scan_js_package(const char *spec, char *out, size_t len)
{
	const char *slash, *end, *p;

	if (spec[0] == '\0' || strchr("./~#", spec[0]) != NULL || strchr(spec, ':') != NULL)
		return false;
	slash = strchr(spec, '/');
	if (spec[0] == '@') {
		/* @scope/name: both parts, or it is an alias like "@/components". */
		if (slash == NULL || slash == spec + 1 || slash[1] == '\0' || slash[1] == '/')
			return false;
		end = strchr(slash + 1, '/');
		p = spec + 1;
	} else {
		end = slash;
		p = spec;
	}
	if (end == NULL)
		end = spec + strlen(spec);
	for (; p < end; p++)
		if (!js_name_char(*p) && *p != '/')
			return false;
	if ((size_t)(end - spec) >= len || spec[0] == '.' || spec[0] == '_')
		return false;
	snprintf(out, len, "%.*s", (int)(end - spec), spec);
	return true;
}

enum scan_verdict
scan_map(enum scan_lang lang, const char *ref, struct scan_need *need)
{
	const char *pkgconfig, *debian;

	memset(need, 0, sizeof(*need));
	switch (lang) {
	case SCAN_C:
		if (scan_header_source(ref, &pkgconfig, &debian)) {
			need->kind = pkgconfig ? DEP_PKGCONFIG : DEP_PACKAGE;
			snprintf(need->name, sizeof(need->name), "%s",
			    pkgconfig ? pkgconfig : debian);
			snprintf(need->installer, sizeof(need->installer), "apt");
			snprintf(need->package, sizeof(need->package), "%s", debian);
			return SCAN_NEEDS;
		}
		return scan_header_standard(ref) ? SCAN_IGNORED : SCAN_UNMAPPED;
	case SCAN_PYTHON:
		if (scan_python_stdlib(ref))
			return SCAN_IGNORED;
		need->kind = DEP_PYTHON;
		scan_python_pypi_name(ref, need->name, sizeof(need->name));
		snprintf(need->installer, sizeof(need->installer), "pip");
		snprintf(need->package, sizeof(need->package), "%s", need->name);
		return SCAN_NEEDS;
	case SCAN_JS:
		if (!scan_js_package(ref, need->name, sizeof(need->name)) ||
		    scan_node_builtin(need->name))
			return SCAN_IGNORED;
		need->kind = DEP_NPM;
		snprintf(need->installer, sizeof(need->installer), "npm");
		snprintf(need->package, sizeof(need->package), "%s", need->name);
		return SCAN_NEEDS;
	}
	return SCAN_IGNORED;
}

/* The walk */

struct scan_ref {
	enum scan_lang	 lang;
	char		*ref;
	char		*file;
	int		 line;
};

struct scan_walk {
	struct scan_ref	*refs;
	size_t		 n_refs;
	char		**headers;	/* the tree's own headers, relative paths */
	char		**modules;	/* the tree's own Python modules and packages */
	char		**packages;	/* the tree's own npm packages (package.json names) */
	const char	*file;		/* being read, relative */
	enum scan_lang	 lang;
	size_t		 files;
};

static void
scan_walk_ref(void *arg, const char *ref, int line)
{
	struct scan_walk *w = arg;
	struct scan_ref *r;

	w->refs = xrealloc(w->refs, (w->n_refs + 1) * sizeof(*w->refs));
	r = &w->refs[w->n_refs++];
	r->lang = w->lang;
	r->ref = xstrdup(ref);
	r->file = xstrdup(w->file);
	r->line = line;
}

/* Built output, caches, virtualenvs, vendored packages, VCS metadata. */
static bool
scan_skip_dir(const char *dir, const char *name)
{
	static const char *const skipped[] = { "node_modules", "__pycache__", "venv",
	    "build", "_build", "dist", "site-packages", "bower_components", "target", NULL };
	char *cache;
	bool built;

	if (name[0] == '.' || strv_contains((char **)skipped, name) ||
	    strncmp(name, "build-", 6) == 0 || strncmp(name, "cmake-build-", 12) == 0)
		return true;
	cache = xasprintf("%s/%s/CMakeCache.txt", dir, name);
	built = access(cache, F_OK) == 0;
	free(cache);
	return built;
}

static bool
scan_lang_of(const char *name, enum scan_lang *lang)
{
	static const char *const c[] = { ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp",
	    ".hxx", NULL };
	static const char *const js[] = { ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx",
	    ".mts", ".cts", NULL };
	const char *dot = strrchr(name, '.');
	size_t n = strlen(name);

	if (dot == NULL)
		return false;
	if (strv_contains((char **)c, dot))
		*lang = SCAN_C;
	else if (strcmp(dot, ".py") == 0)
		*lang = SCAN_PYTHON;
	else if (strv_contains((char **)js, dot) && !(n > 7 &&
	    strcmp(name + n - 7, ".min.js") == 0) && !(n > 5 &&
	    strcmp(name + n - 5, ".d.ts") == 0))
		*lang = SCAN_JS;
	else
		return false;
	return true;
}

/* A source file's text, or NULL when it is unreadable, huge or binary. */
static char *
scan_read(const char *path)
{
	struct stat sb;
	char *text;
	ssize_t got;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || sb.st_size > 4 * 1024 * 1024) {
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	while (n < (size_t)sb.st_size &&
	    (got = read(fd, text + n, (size_t)sb.st_size - n)) > 0)
		n += (size_t)got;
	close(fd);
	text[n] = '\0';
	if (memchr(text, '\0', n) != NULL) {
		free(text);
		return NULL;
	}
	return text;
}

static void
scan_note_package_json(struct scan_walk *w, const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	const char *name = json_string_value(json_object_get(doc, "name"));

	if (name != NULL)
		w->packages = strv_push(w->packages, name);
	json_decref(doc);
}

static void
scan_file(struct scan_walk *w, const char *path, const char *rel, const char *name)
{
	char *text, *module;

	if (strcmp(name, "package.json") == 0) {
		scan_note_package_json(w, path);
		return;
	}
	if (!scan_lang_of(name, &w->lang))
		return;
	if (w->lang == SCAN_C && strncmp(strrchr(name, '.'), ".h", 2) == 0)
		w->headers = strv_push(w->headers, rel);
	if (w->lang == SCAN_PYTHON) {
		module = xstrndup(name, strlen(name) - 3);
		w->modules = strv_push(w->modules, module);
		free(module);
	}
	if ((text = scan_read(path)) == NULL)
		return;
	w->files++;
	w->file = rel;
	if (w->lang == SCAN_C)
		scan_extract_c(text, scan_walk_ref, w);
	else if (w->lang == SCAN_PYTHON)
		scan_extract_python(text, scan_walk_ref, w);
	else
		scan_extract_js(text, scan_walk_ref, w);
	free(text);
}

static int
scan_name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
scan_dir(struct scan_walk *w, const char *dir, const char *rel)
{
	struct dirent **names;
	struct stat sb;
	char *path, *sub;
	const char *name;
	bool python = false;
	int i, n;

	if ((n = scandir(dir, &names, NULL, scan_name_order)) < 0)
		return;
	for (i = 0; i < n; i++) {
		name = names[i]->d_name;
		path = xasprintf("%s/%s", dir, name);
		sub = rel[0] ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
		    lstat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && !scan_skip_dir(dir, name))
				scan_dir(w, path, sub);
			else if (S_ISREG(sb.st_mode))
				scan_file(w, path, sub, name);
			python = python || (S_ISREG(sb.st_mode) && strlen(name) > 3 &&
			    strcmp(name + strlen(name) - 3, ".py") == 0);
		}
		free(path);
		free(sub);
		free(names[i]);
	}
	free(names);
	/* A folder of Python files is a package (or namespace) of the tree. */
	if (python && rel[0] != '\0')
		w->modules = strv_push(w->modules, strrchr(dir, '/') ?
		    strrchr(dir, '/') + 1 : dir);
}

/* A header the tree itself has: <x/y.h> with some ".../x/y.h" in it. */
static bool
scan_local_header(const struct scan_walk *w, const char *ref)
{
	size_t i, n = strlen(ref), m;

	for (i = 0; w->headers != NULL && w->headers[i] != NULL; i++) {
		m = strlen(w->headers[i]);
		if (m >= n && strcmp(w->headers[i] + m - n, ref) == 0 &&
		    (m == n || w->headers[i][m - n - 1] == '/'))
			return true;
	}
	return false;
}

static bool
scan_local(const struct scan_walk *w, const struct scan_ref *r, const struct scan_need *need)
{
	char top[256];

	switch (r->lang) {
	case SCAN_C:
		return scan_local_header(w, r->ref);
	case SCAN_PYTHON:
		snprintf(top, sizeof(top), "%.*s", (int)strcspn(r->ref, "."), r->ref);
		return strv_contains(w->modules, top);
	case SCAN_JS:
		return strv_contains(w->packages, need->name);
	}
	return false;
}

static void
scan_add(struct scan_finding **v, size_t *n, const struct scan_ref *r,
    const struct scan_need *need)
{
	struct scan_finding *f;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	f = &(*v)[(*n)++];
	memset(f, 0, sizeof(*f));
	f->lang = r->lang;
	f->ref = xstrdup(r->ref);
	f->file = xstrdup(r->file);
	f->line = r->line;
	if (need != NULL)
		f->need = *need;
}

static bool
scan_have_need(const struct scan_result *res, const struct scan_need *need)
{
	size_t i;

	for (i = 0; i < res->n_needs; i++)
		if (res->needs[i].need.kind == need->kind &&
		    strcmp(res->needs[i].need.name, need->name) == 0)
			return true;
	return false;
}

static bool
scan_have_unmapped(const struct scan_result *res, const char *ref)
{
	size_t i;

	for (i = 0; i < res->n_unmapped; i++)
		if (strcmp(res->unmapped[i].ref, ref) == 0)
			return true;
	return false;
}

/* What the references need, once each, minus what the tree provides. */
static void
scan_collect(const struct scan_walk *w, struct scan_result *out)
{
	struct scan_need need;
	const struct scan_ref *r;
	size_t i;

	for (i = 0; i < w->n_refs; i++) {
		r = &w->refs[i];
		switch (scan_map(r->lang, r->ref, &need)) {
		case SCAN_NEEDS:
			if (!scan_local(w, r, &need) && !scan_have_need(out, &need))
				scan_add(&out->needs, &out->n_needs, r, &need);
			break;
		case SCAN_UNMAPPED:
			if (!scan_local(w, r, NULL) && !scan_have_unmapped(out, r->ref))
				scan_add(&out->unmapped, &out->n_unmapped, r, NULL);
			break;
		case SCAN_IGNORED:
			break;
		}
	}
}

int
scan_tree(const char *root, struct scan_result *out, char *err, size_t errlen)
{
	struct scan_walk w = { 0 };
	struct stat sb;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (stat(root, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (access(root, R_OK | X_OK) < 0) {
			snprintf(err, errlen, "%s: %s", root, strerror(errno));
			return -1;
		}
		scan_dir(&w, root, "");
	} else {
		scan_file(&w, root, root, strrchr(root, '/') ? strrchr(root, '/') + 1 : root);
	}
	scan_collect(&w, out);
	out->files = w.files;
	for (i = 0; i < w.n_refs; i++) {
		free(w.refs[i].ref);
		free(w.refs[i].file);
	}
	free(w.refs);
	strv_free(w.headers);
	strv_free(w.modules);
	strv_free(w.packages);
	return 0;
}

void
scan_ref_text(const struct scan_finding *f, char *buf, size_t len)
{
	if (f->lang == SCAN_C)
		snprintf(buf, len, "<%s>", f->ref);
	else if (f->lang == SCAN_PYTHON)
		snprintf(buf, len, "import %s", f->ref);
	else
		snprintf(buf, len, "'%s'", f->ref);
}

/* PyPI names compare case-insensitively, with - _ . all alike. */
static bool
python_name_equal(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (strchr("-_.", *a) && strchr("-_.", *b))
			continue;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	}
	return *a == *b;
}

static bool
scan_item_declares(const struct dep_item *it, const struct scan_need *need)
{
	char debian[160];

	switch (need->kind) {
	case DEP_PKGCONFIG:
	case DEP_PACKAGE:
		return (it->kind == need->kind && strcmp(it->name, need->name) == 0) ||
		    (it->kind == DEP_PACKAGE && strcmp(it->name, need->package) == 0);
	case DEP_PYTHON:
		/* Debian packages Python distributions as python3-NAME. */
		snprintf(debian, sizeof(debian), "python3-%s", need->name);
		return (it->kind == DEP_PYTHON && python_name_equal(it->name, need->name)) ||
		    (it->kind == DEP_PACKAGE && python_name_equal(it->name, debian));
	case DEP_NPM:
		return it->kind == DEP_NPM && strcmp(it->name, need->name) == 0;
	default:
		return false;
	}
}

void
scan_mark_declared(struct scan_result *r, const struct tend_config *cfg)
{
	const struct check_conf *c;
	size_t i, j, k;

	for (k = 0; k < r->n_needs; k++)
		for (i = 0; i < cfg->n_checks && !r->needs[k].declared; i++) {
			c = &cfg->checks[i];
			for (j = 0; c->type == CHECK_DEPS && j < c->deps.n_items; j++)
				if (scan_item_declares(&c->deps.items[j], &r->needs[k].need))
					r->needs[k].declared = true;
		}
}

size_t
scan_missing(const struct scan_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_needs; i++)
		n += !r->needs[i].declared;
	return n;
}

static void
scan_findings_free(struct scan_finding *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].file);
	}
	free(v);
}

void
scan_result_free(struct scan_result *r)
{
	scan_findings_free(r->needs, r->n_needs);
	scan_findings_free(r->unmapped, r->n_unmapped);
	memset(r, 0, sizeof(*r));
}
