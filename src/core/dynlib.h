#ifndef TEND_CORE_DYNLIB_H
#define TEND_CORE_DYNLIB_H

/*
 * A shared library opened with dlopen() the first time tend needs it.
 *
 * libcurl and libmicrohttpd bring some forty libraries with them
 * (TLS, HTTP/2, IDN, LDAP, Kerberos…). Linked normally, every tend command
 * would map and relocate them all before main(): 13 ms on the VM we measure
 * on, for `tend retry -- true`, which uses none of them. Loaded here, they
 * cost only the commands that use them; so does libpcre2-8, which only log
 * checks and `--grep` need.
 *
 * Each library has a header (core/dl_curl.h, core/dl_mhd.h,
 * core/dl_pcre2.h) that code includes instead of the library's own: it
 * declares a table of function pointers and macros that send the
 * library's function names through it, so callers read as ordinary library
 * calls.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct dynlib_symbol {
	const char	*name;
	void		**slot;		/* where the function's address goes */
};

enum dynlib_state {
	DYNLIB_UNTRIED,
	DYNLIB_LOADED,
	DYNLIB_FAILED,
};

struct dynlib {
	const char			*soname;	/* e.g. "libcurl.so.4" */
	const char			*what;		/* what needs it, for errors */
	const struct dynlib_symbol	*symbols;
	size_t				 nsymbols;
	/*
	 * Soname prefixes of what the library brings along that tend never
	 * calls through it (libmicrohttpd's TLS stack: tend serves plain HTTP
	 * on loopback); NULL-terminated, or NULL. See dynlib_release_idle().
	 */
	const char *const		*idle;
	_Atomic int			 state;		/* enum dynlib_state */
	char				 error[256];
};

/*
 * Opens the library and fills its table, once; safe from any thread.
 * Returns 0, or -1 with the reason in err (the library's soname and
 * dlerror()). A failure is remembered: later calls fail the same way.
 */
int	dynlib_load(struct dynlib *lib, char *err, size_t errlen);

/*
 * dynlib_load() for a caller that cannot go on without the library: on
 * failure it prints the reason and exits with 127, as a missing program
 * would. The daemon loads its libraries with dynlib_load() at start, so
 * that this never happens to a running daemon.
 */
void	dynlib_require(struct dynlib *lib);

/*
 * Gives back the pages of lib's idle libraries that loading them touched
 * (relocations, constructors, their own init): MADV_PAGEOUT on their
 * read-only segments, which never changes what they hold — a page used
 * after all is read again. libmicrohttpd's gnutls, p11-kit and kin were
 * 2 MB of tend's RSS with the dashboard on. Called once a library is
 * loaded, and again after an init that touches more (curl_global_init).
 */
void	dynlib_release_idle(const struct dynlib *lib);

/* The fast path of dynlib_require(): one atomic load once loaded. */
static inline void
dynlib_ensure(struct dynlib *lib)
{
	if (atomic_load_explicit(&lib->state, memory_order_acquire) != DYNLIB_LOADED)
		dynlib_require(lib);
}

/*
 * For the dl_*.h headers. NAME_FUNCTIONS(X, arg) lists a library's
 * functions as X(arg, fn). DYNLIB_DECLARE(name, list) declares its table
 * (struct name, with a member of the library's own type per function),
 * name_lib and name_load(); DYNLIB_DEFINE(name, list, soname, what) defines
 * them, in one .c file. DYNLIB_CALL is a call through the table that loads
 * the library first.
 */
#define DYNLIB_SLOT(unused, fn)		__typeof__(fn) *fn;
#define DYNLIB_SYMBOL(table, fn)	{ #fn, (void **)&(table).fn },
#define DYNLIB_CALL(lib, table, fn)	(dynlib_ensure(&(lib)), (table).fn)

#define DYNLIB_DECLARE(name, list)					\
	struct name { list(DYNLIB_SLOT, _) };				\
	extern struct name name##_table;				\
	extern struct dynlib name##_lib;				\
	int name##_load(char *err, size_t errlen);

#define DYNLIB_DEFINE(name, list, so, purpose, idle_libs)		\
	struct name name##_table;					\
	static const struct dynlib_symbol name##_symbols[] = {		\
		list(DYNLIB_SYMBOL, name##_table)			\
	};								\
	struct dynlib name##_lib = {					\
		.soname = (so),						\
		.what = (purpose),					\
		.idle = (idle_libs),					\
		.symbols = name##_symbols,				\
		.nsymbols = sizeof(name##_symbols) / sizeof(name##_symbols[0]), \
	};								\
	int								\
	name##_load(char *err, size_t errlen)				\
	{								\
		return dynlib_load(&name##_lib, err, errlen);		\
	}

#endif
