/*
 * The tables of the libraries tend loads when first used: libcurl,
 * libmicrohttpd, libcrypto. Their sonames come from the libraries the
 * build found (cmake/sonames.cmake), so the headers and the library that
 * is loaded are the same version.
 */
#define DL_IMPLEMENTATION
#include "core/dl_crypto.h"
#include "core/dl_curl.h"
#include "core/dl_mhd.h"

DYNLIB_DEFINE(dl_curl, DL_CURL_FUNCTIONS, TEND_SONAME_CURL, "libcurl, for HTTP")
DYNLIB_DEFINE(dl_mhd, DL_MHD_FUNCTIONS, TEND_SONAME_MHD, "libmicrohttpd, for the web server")
DYNLIB_DEFINE(dl_crypto, DL_CRYPTO_FUNCTIONS, TEND_SONAME_CRYPTO, "libcrypto, for sha256")
