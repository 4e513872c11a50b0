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

/*
 * What libcurl and libmicrohttpd bring that tend never calls through them:
 * libcurl's LDAP, Kerberos, SSH and RTMP (tend's checks speak HTTP) and
 * the gnutls they use; libmicrohttpd's TLS (tend's web server speaks plain
 * HTTP). And OpenSSL, which curl_global_init sets up whole (3 MB of pages)
 * while only an https check uses it: the pages such a check needs come
 * back as it runs. Their pages are given back once loaded
 * (dynlib_release_idle); should one be used after all, it is read again.
 */
static const char *const dl_curl_idle[] = { "libssl", "libcrypto", "libldap", "liblber",
	"libsasl2", "libkrb5",
	"libgssapi_krb5", "libk5crypto", "libkrb5support", "libkeyutils", "libcom_err",
	"libssh2", "librtmp", "libgnutls", "libp11-kit", "libnettle", "libhogweed",
	"libgmp", "libtasn1", "libunistring", "libffi", NULL };
static const char *const dl_mhd_idle[] = { "libgnutls", "libp11-kit", "libnettle",
	"libhogweed", "libgmp", "libtasn1", "libunistring", "libidn2", "libffi", NULL };

DYNLIB_DEFINE(dl_curl, DL_CURL_FUNCTIONS, TEND_SONAME_CURL, "libcurl, for HTTP",
    dl_curl_idle)
DYNLIB_DEFINE(dl_mhd, DL_MHD_FUNCTIONS, TEND_SONAME_MHD, "libmicrohttpd, for the web server",
    dl_mhd_idle)
DYNLIB_DEFINE(dl_pcre2, DL_PCRE2_FUNCTIONS, TEND_SONAME_PCRE2, "libpcre2-8, for regexes",
    NULL)

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
	dynlib_release_idle(&dl_curl_lib);	/* its init touched libssh2's and others' */
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
