/*
 * The store's packed queue of rows: every kind of value read back as it
 * was put, in order, across the buffer's growth and its reuse of the
 * front; rows taken from the head; the buffer given back once emptied.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/queue.h"

/* Row i: an int, a NULL int, a real, a NaN, a text, a NULL text, an empty one. */
static void
make_row(struct pending *p, int i, char *text, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->stmt = (enum pending_stmt)(i % STMT_COUNT);
	snprintf(text, len, "row %d %.*s", i, i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	pending_int(p, (int64_t)i * 1000000007LL);
	pending_int_or_null(p, -1);
	pending_real(p, i / 3.0);
	pending_real(p, NAN);
	pending_text(p, text);
	pending_text(p, NULL);
	pending_text(p, "");
}

static void
assert_row(const struct pending *got, int i)
{
	struct pending want;
	char text[128];

	make_row(&want, i, text, sizeof(text));
	assert_int_equal(got->stmt, want.stmt);
	assert_int_equal(got->n, 7);
	assert_int_equal(got->v[0].type, VALUE_INT);
	assert_true(got->v[0].i == want.v[0].i);
	assert_int_equal(got->v[1].type, VALUE_NULL);
	assert_int_equal(got->v[2].type, VALUE_REAL);
	assert_true(got->v[2].d == want.v[2].d);
	assert_int_equal(got->v[3].type, VALUE_NULL);
	assert_int_equal(got->v[4].type, VALUE_TEXT);
	assert_string_equal(got->v[4].s, text);
	assert_int_equal(got->v[5].type, VALUE_NULL);
	assert_int_equal(got->v[6].type, VALUE_TEXT);
	assert_string_equal(got->v[6].s, "");
}

static void
push_rows(struct pending_queue *q, int from, int to)
{
	struct pending p;
	char text[128];
	int i;

	for (i = from; i < to; i++) {
		make_row(&p, i, text, sizeof(text));
		pending_queue_push(q, &p);
	}
}

/* The rows from..to-1 are the queue's, in order. */
static void
assert_rows(const struct pending_queue *q, int from, int to)
{
	struct pending p;
	size_t off = q->head;
	int i;

	assert_int_equal(q->n, (size_t)(to - from));
	for (i = from; i < to; i++) {
		pending_queue_read(q, &off, &p);
		assert_row(&p, i);
	}
	assert_int_equal(off, q->len);
}

static void
rows_come_back_as_they_were_put(void **state)
{
	struct pending_queue q = { 0 };

	(void)state;
	push_rows(&q, 0, 1000);
	assert_rows(&q, 0, 1000);
	/* Packed: far under the 22 slots of 16 bytes a row would take. */
	assert_true(q.len < 1000 * 100);
	pending_queue_free(&q);
}

static void
the_head_goes_and_the_front_is_reused(void **state)
{
	struct pending_queue q = { 0 };
	size_t cap;

	(void)state;
	push_rows(&q, 0, 300);
	pending_queue_take(&q, 100);
	assert_rows(&q, 100, 300);
	cap = q.cap;
	/* Pushed until the end reaches the capacity: the front is taken back first. */
	while (q.head > 0 && q.n < 10000)
		push_rows(&q, (int)q.n + 100, (int)q.n + 101);
	assert_int_equal(q.head, 0);
	assert_int_equal(q.cap, cap);
	assert_rows(&q, 100, (int)q.n + 100);
	pending_queue_free(&q);
}

static void
an_emptied_queue_gives_its_burst_back(void **state)
{
	struct pending_queue q = { 0 };

	(void)state;
	push_rows(&q, 0, 5);
	pending_queue_take(&q, 5);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.head, 0);
	assert_non_null(q.buf);		/* small: kept for the next rows */
	push_rows(&q, 0, 5000);
	pending_queue_take(&q, 4999);
	assert_rows(&q, 4999, 5000);
	pending_queue_take(&q, 10);	/* more than there are: all */
	assert_int_equal(q.n, 0);
	assert_null(q.buf);
	push_rows(&q, 7, 9);
	assert_rows(&q, 7, 9);
	pending_queue_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_come_back_as_they_were_put),
		cmocka_unit_test(the_head_goes_and_the_front_is_reused),
		cmocka_unit_test(an_emptied_queue_gives_its_burst_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
