/*
 * dpkg's log: bytes as what /var/log/dpkg.log holds, followed as the
 * daemon follows it (diagnose/dpkglog.h): the first byte says where the
 * input is cut in two, each half appended and read by a poll of its own,
 * so lines that arrive in pieces are read too.
 *
 * Invariants: every change has one of the four actions, a package, and
 * fields that are whole strings without spaces or control characters; a
 * poll reads no more lines than the input has newlines.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagnose/dpkglog.h"
#include "fuzz.h"

static char path[] = "/tmp/tend-fuzz-dpkglog-XXXXXX";

static void
remove_file(void)
{
	unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	close(fd);
	atexit(remove_file);
	return 0;
}

static bool
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static void
heard(void *arg, const struct dpkg_event *ev)
{
	(void)arg;
	FUZZ_ASSERT(strcmp(ev->action, "install") == 0 || strcmp(ev->action, "upgrade") == 0 ||
	    strcmp(ev->action, "remove") == 0 || strcmp(ev->action, "purge") == 0,
	    "action '%s'", ev->action);
	FUZZ_ASSERT(ev->package[0] != '\0' && clean(ev->package), "package '%s'", ev->package);
	FUZZ_ASSERT(clean(ev->from) && clean(ev->to), "versions '%s' '%s'", ev->from, ev->to);
}

static int
append(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, data, size);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)size ? 0 : -1;
}

static size_t
newlines(const uint8_t *data, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpkglog dl;
	size_t cut;
	int a, b;

	if (size == 0 || truncate(path, 0) < 0)
		return 0;
	cut = 1 + data[0] % size;
	dpkglog_open(&dl, path);
	if (append(data + 1, cut - 1) < 0)
		abort();
	a = dpkglog_poll(&dl, heard, NULL);
	if (append(data + cut, size - cut) < 0)
		abort();
	b = dpkglog_poll(&dl, heard, NULL);
	FUZZ_ASSERT(a >= 0 && b >= 0, "a poll failed");
	FUZZ_ASSERT((size_t)(a + b) == newlines(data + 1, size - 1), "%d + %d lines of %zu",
	    a, b, newlines(data + 1, size - 1));
	dpkglog_close(&dl);
	return 0;
}
