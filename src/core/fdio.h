/* Writing a whole buffer to a file descriptor, across short writes. */
#ifndef TEND_CORE_FDIO_H
#define TEND_CORE_FDIO_H

#include <stddef.h>

/*
 * Writes all of buf, retrying on EINTR and waiting (poll) when a
 * non-blocking fd is full; 0, or -1 with errno set.
 */
int	fd_write_all(int fd, const void *buf, size_t len);

#endif
