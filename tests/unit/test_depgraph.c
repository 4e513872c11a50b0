/* Dependency order and cycle naming. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/depgraph.h"

static void
dependencies_come_first(void **state)
{
	/* 0 needs 1, 1 needs 2, 3 needs 0 and 2. */
	size_t d0[] = { 1 }, d1[] = { 2 }, d3[] = { 0, 2 };
	size_t *deps[] = { d0, d1, NULL, d3 }, n_deps[] = { 1, 1, 0, 2 };
	struct depgraph g = { .n = 4, .deps = deps, .n_deps = n_deps };
	size_t order[4], pos[4], i;

	assert_int_equal(depgraph_order(&g, order, NULL, NULL), 0);
	for (i = 0; i < 4; i++)
		pos[order[i]] = i;
	assert_true(pos[2] < pos[1]);
	assert_true(pos[1] < pos[0]);
	assert_true(pos[0] < pos[3]);
}

static void
a_cycle_is_returned_in_order(void **state)
{
	size_t d0[] = { 1 }, d1[] = { 2 }, d2[] = { 0 };
	size_t *deps[] = { d0, d1, d2 }, n_deps[] = { 1, 1, 1 };
	struct depgraph g = { .n = 3, .deps = deps, .n_deps = n_deps };
	size_t order[3], cycle[4], len = 0;

	assert_int_equal(depgraph_order(&g, order, cycle, &len), -1);
	assert_int_equal(len, 4);
	assert_int_equal(cycle[0], 0);
	assert_int_equal(cycle[1], 1);
	assert_int_equal(cycle[2], 2);
	assert_int_equal(cycle[3], 0);
}

static void
a_self_dependency_is_a_cycle(void **state)
{
	size_t d0[] = { 0 };
	size_t *deps[] = { d0 }, n_deps[] = { 1 };
	struct depgraph g = { .n = 1, .deps = deps, .n_deps = n_deps };
	size_t order[1], cycle[2], len = 0;

	assert_int_equal(depgraph_order(&g, order, cycle, &len), -1);
	assert_int_equal(len, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dependencies_come_first),
		cmocka_unit_test(a_cycle_is_returned_in_order),
		cmocka_unit_test(a_self_dependency_is_a_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
