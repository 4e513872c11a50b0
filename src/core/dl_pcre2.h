#ifndef TEND_CORE_DL_PCRE2_H
#define TEND_CORE_DL_PCRE2_H

/*
 * libpcre2-8, for log checks' regexes, loaded when a regex is first
 * compiled (see core/dynlib.h): a daemon without log checks never maps it.
 * Include this, never <pcre2.h>. pcre2.h names each function for its code
 * unit width (pcre2_compile is pcre2_compile_8): the table holds those.
 */
#ifdef PCRE2_H_IDEMPOTENT_GUARD
#error "include core/dl_pcre2.h instead of <pcre2.h>"
#endif
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/dynlib.h"

#define DL_PCRE2_FUNCTIONS(X, arg) \
	X(arg, pcre2_code_free_8) X(arg, pcre2_compile_8) \
	X(arg, pcre2_get_error_message_8) X(arg, pcre2_jit_compile_8) \
	X(arg, pcre2_jit_match_8) X(arg, pcre2_match_8) \
	X(arg, pcre2_match_data_create_8) X(arg, pcre2_match_data_free_8)

DYNLIB_DECLARE(dl_pcre2, DL_PCRE2_FUNCTIONS)

#ifndef DL_IMPLEMENTATION
#define pcre2_code_free_8	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_code_free_8)
#define pcre2_compile_8		DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_compile_8)
#define pcre2_get_error_message_8 \
	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_get_error_message_8)
#define pcre2_jit_compile_8	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_jit_compile_8)
#define pcre2_jit_match_8	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_jit_match_8)
#define pcre2_match_8		DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_match_8)
#define pcre2_match_data_create_8 \
	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_match_data_create_8)
#define pcre2_match_data_free_8 \
	DYNLIB_CALL(dl_pcre2_lib, dl_pcre2_table, pcre2_match_data_free_8)
#endif

#endif
