#ifndef TEND_CORE_DL_CRYPTO_H
#define TEND_CORE_DL_CRYPTO_H

/*
 * libcrypto (OpenSSL), for sha256 and constant-time comparison, loaded when
 * first used (see core/dynlib.h). Include this, never <openssl/…>.
 */
#ifdef OPENSSL_EVP_H
#error "include core/dl_crypto.h instead of <openssl/evp.h>"
#endif
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/dynlib.h"

#define DL_CRYPTO_FUNCTIONS(X, arg) \
	X(arg, CRYPTO_memcmp) X(arg, EVP_DigestFinal_ex) X(arg, EVP_DigestInit_ex) \
	X(arg, EVP_DigestUpdate) X(arg, EVP_MD_CTX_copy_ex) X(arg, EVP_MD_CTX_free) \
	X(arg, EVP_MD_CTX_new) X(arg, EVP_sha256)

DYNLIB_DECLARE(dl_crypto, DL_CRYPTO_FUNCTIONS)

#ifndef DL_IMPLEMENTATION
#define CRYPTO_memcmp		DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, CRYPTO_memcmp)
#define EVP_DigestFinal_ex	DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_DigestFinal_ex)
#define EVP_DigestInit_ex	DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_DigestInit_ex)
#define EVP_DigestUpdate	DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_DigestUpdate)
#define EVP_MD_CTX_copy_ex	DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_MD_CTX_copy_ex)
#define EVP_MD_CTX_free		DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_MD_CTX_free)
#define EVP_MD_CTX_new		DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_MD_CTX_new)
#define EVP_sha256		DYNLIB_CALL(dl_crypto_lib, dl_crypto_table, EVP_sha256)
#endif

#endif
