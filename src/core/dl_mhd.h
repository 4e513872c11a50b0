#ifndef TEND_CORE_DL_MHD_H
#define TEND_CORE_DL_MHD_H

/*
 * libmicrohttpd, loaded when the web server starts (see core/dynlib.h).
 * Include this, never <microhttpd.h>.
 */
#ifdef MHD_MICROHTTPD_H
#error "include core/dl_mhd.h instead of <microhttpd.h>"
#endif
#include <microhttpd.h>

#include "core/dynlib.h"

#define DL_MHD_FUNCTIONS(X, arg) \
	X(arg, MHD_add_connection) \
	X(arg, MHD_add_response_header) X(arg, MHD_create_response_from_buffer) \
	X(arg, MHD_create_response_from_buffer_with_free_callback) \
	X(arg, MHD_create_response_from_buffer_with_free_callback_cls) \
	X(arg, MHD_create_response_from_callback) X(arg, MHD_create_response_from_fd) \
	X(arg, MHD_destroy_response) \
	X(arg, MHD_get_connection_info) X(arg, MHD_get_connection_values) \
	X(arg, MHD_get_daemon_info) X(arg, MHD_lookup_connection_value) \
	X(arg, MHD_queue_response) X(arg, MHD_resume_connection) X(arg, MHD_start_daemon) \
	X(arg, MHD_stop_daemon) X(arg, MHD_suspend_connection)

DYNLIB_DECLARE(dl_mhd, DL_MHD_FUNCTIONS)

#ifndef DL_IMPLEMENTATION
#define MHD_add_connection	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_add_connection)
#define MHD_add_response_header	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_add_response_header)
#define MHD_create_response_from_buffer \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_create_response_from_buffer)
#define MHD_create_response_from_buffer_with_free_callback \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_create_response_from_buffer_with_free_callback)
#define MHD_create_response_from_buffer_with_free_callback_cls \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_create_response_from_buffer_with_free_callback_cls)
#define MHD_create_response_from_callback \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_create_response_from_callback)
#define MHD_create_response_from_fd \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_create_response_from_fd)
#define MHD_destroy_response	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_destroy_response)
#define MHD_get_connection_info	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_get_connection_info)
#define MHD_get_connection_values \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_get_connection_values)
#define MHD_get_daemon_info	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_get_daemon_info)
#define MHD_lookup_connection_value \
	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_lookup_connection_value)
#define MHD_queue_response	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_queue_response)
#define MHD_resume_connection	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_resume_connection)
#define MHD_start_daemon	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_start_daemon)
#define MHD_stop_daemon		DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_stop_daemon)
#define MHD_suspend_connection	DYNLIB_CALL(dl_mhd_lib, dl_mhd_table, MHD_suspend_connection)
#endif

#endif
