/*
 * Who listens on a TCP port: the listening sockets of tend's network
 * namespace (asked of the kernel through sock_diag netlink, which walks
 * only the listening sockets; /proc/net/tcp and tcp6 where that is not
 * allowed) and the processes that hold them, through the socket:[inode]
 * links in /proc/PID/fd.
 */
#ifndef TEND_CORE_PROCNET_H
#define TEND_CORE_PROCNET_H

#include <stddef.h>
#include <sys/types.h>

/* The inodes of the sockets listening on port, any address; how many. */
size_t	procnet_listeners(int port, unsigned long *inodes, size_t max);
/* 1 when pid holds one of the inodes, 0 when not, -1 when its fds are unreadable. */
int	procnet_holds(pid_t pid, const unsigned long *inodes, size_t n);
/* A process that holds one of the inodes; 0 when none can be found. */
pid_t	procnet_holder(const unsigned long *inodes, size_t n);

#endif
