/*
 * The tables of the libraries tend loads when first used: libcurl,
 * libmicrohttpd and libpcre2-8. Their sonames come from the libraries the
 * build found (cmake/sonames.cmake), so the headers and the library that
 * is loaded are the same version.
 */
#define DL_IMPLEMENTATION
#include <pthread.h>
#include <stdbool.h>

#include "core/dl_curl.h"
#include "core/dl_mhd.h"
#include "core/dl_pcre2.h"

DYNLIB_DEFINE(dl_curl, DL_CURL_FUNCTIONS, TEND_SONAME_CURL, "libcurl, for HTTP")
DYNLIB_DEFINE(dl_mhd, DL_MHD_FUNCTIONS, TEND_SONAME_MHD, "libmicrohttpd, for the web server")
DYNLIB_DEFINE(dl_pcre2, DL_PCRE2_FUNCTIONS, TEND_SONAME_PCRE2, "libpcre2-8, for regexes")

/*
 * curl_global_init() once, from whichever thread first needs libcurl (the
 * loop, or a readiness probe on the thread pool): libcurl wants it before
 * any other call, and once.
 */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static atomic_bool curl_started;

static void
dl_curl_global_init(void)
{
	/* Through the table: this file sees the library's names, not the macros. */
	dl_curl_table.curl_global_init(CURL_GLOBAL_DEFAULT);
	atomic_store(&curl_started, true);
}

int
dl_curl_start(char *err, size_t errlen)
{
	if (dl_curl_load(err, errlen) < 0)
		return -1;
	pthread_once(&curl_once, dl_curl_global_init);
	return 0;
}

void
dl_curl_require(void)
{
	dynlib_require(&dl_curl_lib);
	pthread_once(&curl_once, dl_curl_global_init);
}

void
dl_curl_stop(void)
{
	if (atomic_load(&curl_started))
		dl_curl_table.curl_global_cleanup();
}
