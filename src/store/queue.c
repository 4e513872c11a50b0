/*
 * The store's queue of rows, packed: a row is its statement and its count
 * of values, then each value's type and its 8 bytes, or for text its
 * length and its bytes with their NUL (which sqlite3_bind_text is given).
 * Rows leave from the head and come at the end; the buffer's free space at
 * the front is taken back when the end reaches its capacity.
 */
#include "store/queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define QUEUE_FIRST_CAP	1024	/* bytes: tend retry queues two rows */
/*
 * A buffer grown past this by a burst (a start, a reload: a row per
 * service) is given back once emptied, not kept at its peak.
 */
#define QUEUE_KEEP_CAP	(64 * 1024)

void
pending_int(struct pending *p, int64_t i)
{
	p->v[p->n++] = (struct value){ .type = VALUE_INT, .i = i };
}

void
pending_int_or_null(struct pending *p, int64_t i)
{
	p->v[p->n++] = (struct value){ .type = i < 0 ? VALUE_NULL : VALUE_INT, .i = i };
}

void
pending_real(struct pending *p, double d)
{
	p->v[p->n++] = (struct value){ .type = isfinite(d) ? VALUE_REAL : VALUE_NULL,
	    .d = d };
}

void
pending_text(struct pending *p, const char *s)
{
	p->v[p->n++] = (struct value){ .type = s ? VALUE_TEXT : VALUE_NULL, .s = s };
}

static size_t
value_size(const struct value *v)
{
	if (v->type == VALUE_TEXT)
		return 1 + sizeof(uint32_t) + strlen(v->s) + 1;
	return v->type == VALUE_NULL ? 1 : 1 + sizeof(int64_t);
}

/* Room for size more bytes at the end: the front's free space first, then more. */
static void
queue_reserve(struct pending_queue *q, size_t size)
{
	size_t cap;

	if (q->len + size <= q->cap)
		return;
	if (q->head > 0) {
		memmove(q->buf, q->buf + q->head, q->len - q->head);
		q->len -= q->head;
		q->head = 0;
		if (q->len + size <= q->cap)
			return;
	}
	for (cap = q->cap ? q->cap : QUEUE_FIRST_CAP; cap < q->len + size; cap *= 2)
		;
	q->buf = xrealloc(q->buf, cap);
	q->cap = cap;
}

void
pending_queue_push(struct pending_queue *q, const struct pending *p)
{
	size_t size = 2, i, len;
	uint32_t len32;
	char *o;

	for (i = 0; i < (size_t)p->n; i++)
		size += value_size(&p->v[i]);
	queue_reserve(q, size);
	o = q->buf + q->len;
	*o++ = (char)p->stmt;
	*o++ = (char)p->n;
	for (i = 0; i < (size_t)p->n; i++) {
		*o++ = (char)p->v[i].type;
		if (p->v[i].type == VALUE_TEXT) {
			len = strlen(p->v[i].s);
			len32 = (uint32_t)len;
			memcpy(o, &len32, sizeof(len32));
			memcpy(o + sizeof(len32), p->v[i].s, len + 1);
			o += sizeof(len32) + len + 1;
		} else if (p->v[i].type != VALUE_NULL) {
			memcpy(o, &p->v[i].i, sizeof(int64_t));
			o += sizeof(int64_t);
		}
	}
	q->len += size;
	q->n++;
}

void
pending_queue_append(struct pending_queue *dst, const struct pending_queue *src)
{
	size_t len = src->len - src->head;

	if (src->n == 0)
		return;
	queue_reserve(dst, len);
	memcpy(dst->buf + dst->len, src->buf + src->head, len);
	dst->len += len;
	dst->n += src->n;
}

void
pending_queue_read(const struct pending_queue *q, size_t *off, struct pending *p)
{
	const char *o = q->buf + *off;
	uint32_t len32;
	int i;

	p->stmt = (enum pending_stmt)(unsigned char)*o++;
	p->n = (unsigned char)*o++;
	for (i = 0; i < p->n; i++) {
		p->v[i].type = (enum value_type)*o++;
		if (p->v[i].type == VALUE_TEXT) {
			memcpy(&len32, o, sizeof(len32));
			p->v[i].s = o + sizeof(len32);
			o += sizeof(len32) + len32 + 1;
		} else if (p->v[i].type != VALUE_NULL) {
			memcpy(&p->v[i].i, o, sizeof(int64_t));
			o += sizeof(int64_t);
		} else
			p->v[i].i = 0;
	}
	*off = (size_t)(o - q->buf);
}

void
pending_queue_take(struct pending_queue *q, size_t k)
{
	struct pending p;
	size_t off = q->head;

	/* All of them (a flush's usual end, a hand-over): nothing to walk. */
	if (k >= q->n)
		q->n = 0;
	for (; k > 0 && q->n > 0; k--, q->n--)
		pending_queue_read(q, &off, &p);
	q->head = off;
	if (q->n > 0)
		return;
	q->head = q->len = 0;
	if (q->cap > QUEUE_KEEP_CAP)
		pending_queue_free(q);
}

void
pending_queue_free(struct pending_queue *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->len = q->cap = 0;
}
