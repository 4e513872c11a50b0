/* Lines per template over a log check's window (checks/tplwindow.c), with chosen times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "checks/tplwindow.h"

static void
the_top_template_is_counted_over_about_the_window(void **state)
{
	struct tplwindow w;
	uint64_t count;
	size_t i = 99;
	int k;

	(void)state;
	tplwindow_init(&w, 60000);
	assert_false(tplwindow_top(&w, &i, &count));
	tplwindow_roll(&w, 1000);
	for (k = 0; k < 5; k++)
		tplwindow_add(&w, 3);
	tplwindow_add(&w, 7);
	assert_true(tplwindow_top(&w, &i, &count));
	assert_int_equal(i, 3);
	assert_int_equal(count, 5);
	/* Half a window on: still counted, with the new half's lines. */
	tplwindow_roll(&w, 31000);
	tplwindow_add(&w, 7);
	tplwindow_add(&w, 7);
	assert_true(tplwindow_top(&w, &i, &count));
	assert_int_equal(i, 3);
	/* Another half on: the first half has left the window. */
	tplwindow_roll(&w, 61000);
	assert_true(tplwindow_top(&w, &i, &count));
	assert_int_equal(i, 7);
	assert_int_equal(count, 2);
	/* Quiet for a whole window: nothing left. */
	tplwindow_roll(&w, 200000);
	assert_false(tplwindow_top(&w, &i, &count));
	tplwindow_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_top_template_is_counted_over_about_the_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
