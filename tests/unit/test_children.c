/* The children tend spawned itself: a set of pids, asked about at every SIGCHLD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/children.h"

static void
a_thousand_children_are_known_and_released(void **state)
{
	pid_t pid;
	int i;

	(void)state;
	/* In no order: 7919 is prime, so i * 7919 % 10007 visits each once. */
	for (i = 1; i <= 1000; i++)
		children_own((pid_t)(i * 7919 % 10007 + 2));
	children_own(7919 % 10007 + 2);		/* twice: still one */
	for (i = 1; i <= 1000; i++)
		assert_true(children_is_own((pid_t)(i * 7919 % 10007 + 2)));
	assert_false(children_is_own(1));
	assert_false(children_is_own(20000));
	for (i = 1; i <= 1000; i += 2) {
		pid = (pid_t)(i * 7919 % 10007 + 2);
		children_release(pid);
		assert_false(children_is_own(pid));
	}
	for (i = 2; i <= 1000; i += 2)
		assert_true(children_is_own((pid_t)(i * 7919 % 10007 + 2)));
	children_release(7919 % 10007 + 2);	/* released already: nothing */
	for (i = 2; i <= 1000; i += 2)
		children_release((pid_t)(i * 7919 % 10007 + 2));
	for (i = 1; i <= 1000; i++)
		assert_false(children_is_own((pid_t)(i * 7919 % 10007 + 2)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_thousand_children_are_known_and_released),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
