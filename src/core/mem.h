/*
 * Allocation that cannot fail. A supervisor that runs out of memory for a
 * few bytes of bookkeeping has no sane way to go on; it says so and aborts.
 */
#ifndef TEND_CORE_MEM_H
#define TEND_CORE_MEM_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t size);
/*
 * Room for element n of an array of n elements that only this function
 * ever grew: the block doubles each time n reaches a power of two, so n
 * appends copy O(n) bytes in all, whatever realloc does (a sanitizer's
 * realloc always moves the block).
 */
void	*xgrow(void *v, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
