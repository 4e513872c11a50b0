/* Helpers every harness links: the input as fields, broken invariants. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
fuzz_fields(const uint8_t *data, size_t size, char **fields, size_t n)
{
	char *s = xstrndup((const char *)data, size), *nl;
	size_t i;

	fields[0] = s;
	for (i = 1; i < n; i++) {
		nl = s != NULL ? strchr(s, '\n') : NULL;
		if (nl != NULL) {
			*nl = '\0';
			s = nl + 1;
		} else
			s = NULL;
		fields[i] = s != NULL ? s : (char *)"";
	}
}

/*
 * stderr as the process began: libFuzzer's -close_fd_mask=2 (which quiets
 * the daemon's log) closes fd 2 later, and a broken invariant must still
 * be read.
 */
static int report_fd = 2;

__attribute__((constructor)) static void
fuzz_keep_stderr(void)
{
	int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);

	if (fd >= 0)
		report_fd = fd;
}

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: invariant broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	dprintf(report_fd, "%s\n", msg);
	abort();
}
