#ifndef TEND_CORE_DL_CURL_H
#define TEND_CORE_DL_CURL_H

/*
 * libcurl, loaded when first used (see core/dynlib.h). Include this, never
 * <curl/curl.h>: tend is not linked against libcurl, so a direct call
 * would not link. curl's compile-time type checks of curl_easy_setopt()
 * (typecheck-gcc.h) are macros that call the function by name, which
 * cannot go through the table: they are off, and the three-argument
 * macros curl defines instead are replaced below.
 */
#ifdef CURLINC_CURL_H
#error "include core/dl_curl.h instead of <curl/curl.h>"
#endif
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "core/dynlib.h"

#define DL_CURL_FUNCTIONS(X, arg) \
	X(arg, curl_easy_cleanup) X(arg, curl_easy_getinfo) X(arg, curl_easy_init) \
	X(arg, curl_easy_perform) X(arg, curl_easy_reset) X(arg, curl_easy_setopt) \
	X(arg, curl_easy_strerror) X(arg, curl_global_cleanup) X(arg, curl_global_init) \
	X(arg, curl_multi_add_handle) X(arg, curl_multi_assign) X(arg, curl_multi_cleanup) \
	X(arg, curl_multi_info_read) X(arg, curl_multi_init) X(arg, curl_multi_perform) \
	X(arg, curl_multi_poll) X(arg, curl_multi_remove_handle) X(arg, curl_multi_setopt) \
	X(arg, curl_multi_socket_action) X(arg, curl_slist_append) X(arg, curl_slist_free_all) \
	X(arg, curl_version_info)

DYNLIB_DECLARE(dl_curl, DL_CURL_FUNCTIONS)

/*
 * libcurl loaded and curl_global_init() done, once, on first need: 0, or
 * -1 with why (the daemon asks at start and at each reload when its config
 * needs HTTP, so that it never fails later). dl_curl_require() is the same
 * for a caller that cannot go on without it (exit 127); dl_curl_stop()
 * cleans up what was started, if anything was.
 */
int	dl_curl_start(char *err, size_t errlen);
void	dl_curl_require(void);
void	dl_curl_stop(void);

#ifndef DL_IMPLEMENTATION
#undef curl_easy_getinfo
#undef curl_easy_setopt
#undef curl_multi_setopt
#define curl_easy_cleanup	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_cleanup)
#define curl_easy_getinfo	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_getinfo)
#define curl_easy_init		DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_init)
#define curl_easy_perform	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_perform)
#define curl_easy_reset		DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_reset)
#define curl_easy_setopt	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_setopt)
#define curl_easy_strerror	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_easy_strerror)
#define curl_global_cleanup	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_global_cleanup)
#define curl_global_init	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_global_init)
#define curl_multi_add_handle	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_add_handle)
#define curl_multi_assign	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_assign)
#define curl_multi_cleanup	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_cleanup)
#define curl_multi_info_read	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_info_read)
#define curl_multi_init		DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_init)
#define curl_multi_perform	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_perform)
#define curl_multi_poll		DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_poll)
#define curl_multi_remove_handle DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_remove_handle)
#define curl_multi_setopt	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_setopt)
#define curl_multi_socket_action DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_multi_socket_action)
#define curl_slist_append	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_slist_append)
#define curl_slist_free_all	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_slist_free_all)
#define curl_version_info	DYNLIB_CALL(dl_curl_lib, dl_curl_table, curl_version_info)
#endif

#endif
