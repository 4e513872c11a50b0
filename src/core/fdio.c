#include "core/fdio.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int
fd_write_all(int fd, const void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w > 0) {
			p += w;
			len -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			poll(&pfd, 1, -1);
		} else {
			if (w == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}
