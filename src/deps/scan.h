/*
 * `tend deps scan`: what source code uses that the config does not
 * declare. C and C++ `#include <...>` become pkg-config modules or Debian
 * packages through a shipped table, Python imports PyPI distributions, and
 * JavaScript/TypeScript `require`/`import` npm packages; the standard
 * libraries and what the tree itself provides are left out.
 */
#ifndef TEND_DEPS_SCAN_H
#define TEND_DEPS_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

enum scan_lang {
	SCAN_C,			/* .c .h .cc .cpp .cxx .hh .hpp */
	SCAN_PYTHON,		/* .py */
	SCAN_JS,		/* .js .mjs .cjs .jsx .ts .tsx .mts .cts */
};

/* A reference as written (header, dotted module, specifier); line is 1-based. */
typedef void	(*scan_ref_fn)(void *arg, const char *ref, int line);

/*
 * The extractors: comments, strings and (for C) `#if 0` blocks are not
 * code, so nothing in them counts.
 */
/* <...> includes only: "..." includes are the project's own. */
void	scan_extract_c(const char *text, scan_ref_fn fn, void *arg);
/* `import a.b, c` and `from a.b import c` (a.b); relative imports are skipped. */
void	scan_extract_python(const char *text, scan_ref_fn fn, void *arg);
/* require('x'), import ... from 'x', import 'x', import('x'), export ... from 'x'. */
void	scan_extract_js(const char *text, scan_ref_fn fn, void *arg);

/* The shipped tables (scan_tables.c). */
bool	scan_header_standard(const char *header);
/* The header's pkg-config module (may be NULL) and Debian package; false if unknown. */
bool	scan_header_source(const char *header, const char **pkgconfig,
	    const char **debian);
/* A dotted module of Python's standard library (or a private _module). */
bool	scan_python_stdlib(const char *module);
/* The PyPI name of a dotted module into out; false when it is the top-level module's own. */
bool	scan_python_pypi_name(const char *module, char *out, size_t len);
bool	scan_node_builtin(const char *package);
/*
 * The npm package of a specifier ("@scope/pkg/sub" -> "@scope/pkg",
 * "lodash/fp" -> "lodash"); false for relative and absolute paths, URLs,
 * node: and other schemes, aliases ("@/x", "~/x", "#x") and bad names.
 */
bool	scan_js_package(const char *specifier, char *out, size_t len);

/* What a reference needs: a dependency a deps check can declare. */
struct scan_need {
	enum dep_kind	 kind;		/* DEP_PKGCONFIG, DEP_PACKAGE, DEP_PYTHON or DEP_NPM */
	char		 name[128];	/* the module, package, distribution */
	char		 installer[16];	/* apt, pip or npm */
	char		 package[128];	/* what the installer installs */
};

enum scan_verdict {
	SCAN_NEEDS,		/* need is filled */
	SCAN_IGNORED,		/* standard library, relative, builtin */
	SCAN_UNMAPPED,		/* a C header the tables do not know */
};

enum scan_verdict scan_map(enum scan_lang lang, const char *ref, struct scan_need *need);

/* One dependency the code uses, where it was first seen. */
struct scan_finding {
	enum scan_lang	 lang;
	char		*ref;		/* as written: "yaml.h", "requests.adapters" */
	struct scan_need need;		/* unset for unmapped headers */
	char		*file;		/* relative to the root scanned */
	int		 line;
	bool		 declared;	/* a deps check in the config has it */
};

struct scan_result {
	struct scan_finding *needs;	/* one per dependency, in the order first seen */
	size_t		 n_needs;
	struct scan_finding *unmapped;	/* one per header */
	size_t		 n_unmapped;
	size_t		 files;		/* source files read */
};

/*
 * Walks root (not following symlinks; skipping .git, node_modules, build
 * folders, virtualenvs and caches) in name order. 0, or -1 with err set
 * when root cannot be read.
 */
int	scan_tree(const char *root, struct scan_result *out, char *err, size_t errlen);
/* The reference as the code writes it: <yaml.h>, import requests, 'left-pad'. */
void	scan_ref_text(const struct scan_finding *f, char *buf, size_t len);
/* Sets `declared` on every need some deps check of cfg declares. */
void	scan_mark_declared(struct scan_result *r, const struct tend_config *cfg);
/* Needs not declared. */
size_t	scan_missing(const struct scan_result *r);
void	scan_result_free(struct scan_result *r);

/*
 * --fix: appends a deps check declaring every missing need to the config
 * file's `checks:` (or a new `checks:` at the end), keeping the rest of the
 * text as it is, and reloads it to make sure it still loads. On success
 * *added is the text added (to free); -1 with err set otherwise, the file
 * unchanged.
 */
int	scan_fix_config(const char *path, const struct tend_config *cfg,
	    const struct scan_result *r, char **added, char *err, size_t errlen);

#endif
