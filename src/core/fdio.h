/*
 * Writing a whole buffer to a file descriptor, across short writes; files
 * replaced whole, through a temp file beside them and rename(2), so that
 * a reader sees the old file or the new one, never half of one.
 */
#ifndef TEND_CORE_FDIO_H
#define TEND_CORE_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes all of buf, retrying on EINTR and waiting (poll) when a
 * non-blocking fd is full; 0, or -1 with errno set.
 */
int	fd_write_all(int fd, const void *buf, size_t len);

/*
 * A new file beside path, "path.tend-XXXXXX" (mode 0600, close-on-exec):
 * its fd, and its name in *tmp to free; -1 with errno set.
 */
int	fd_temp_beside(const char *path, char **tmp);

/* path becomes buf, with mode; 0, or -1 with errno set and path unchanged. */
int	file_replace(const char *path, const void *buf, size_t len, mode_t mode);

#endif
