/*
 * core/workpool: libuv's pool threads get WORKPOOL_STACK stacks, not
 * RLIMIT_STACK's 8 MB, and the limit is as it was afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/resource.h>

#include "core/workpool.h"

static size_t stack_size;

static void
measure(uv_work_t *req)
{
	pthread_attr_t attr;

	(void)req;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstacksize(&attr, &stack_size);
		pthread_attr_destroy(&attr);
	}
}

static void
measured(uv_work_t *req, int status)
{
	(void)req;
	assert_int_equal(status, 0);
}

static void
pool_threads_have_small_stacks_and_the_limit_is_kept(void **state)
{
	struct rlimit before, after;
	uv_loop_t loop;
	uv_work_t req;

	assert_int_equal(getrlimit(RLIMIT_STACK, &before), 0);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(workpool_queue(&loop, &req, measure, measured), 0);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_true(stack_size > 0);
	assert_true(stack_size <= WORKPOOL_STACK);
	assert_int_equal(getrlimit(RLIMIT_STACK, &after), 0);
	assert_true(after.rlim_cur == before.rlim_cur);
	assert_true(after.rlim_max == before.rlim_max);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_threads_have_small_stacks_and_the_limit_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
