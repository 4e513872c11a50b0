#include "core/procnet.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* The state of a listening socket in /proc/net/tcp. */
#define PROCNET_LISTEN	0x0A

/* Answers one sock_diag dump of family; -1 when it cannot be read. */
static int
procnet_diag_read(int fd, int port, unsigned long *inodes, size_t *n, size_t max)
{
	uint32_t buf[8192 / sizeof(uint32_t)];
	const struct inet_diag_msg *d;
	struct nlmsghdr *h;
	ssize_t len;

	for (;;) {
		if ((len = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			d = NLMSG_DATA(h);
			if (ntohs(d->id.idiag_sport) == port && d->idiag_inode != 0 &&
			    *n < max)
				inodes[(*n)++] = d->idiag_inode;
		}
	}
}

static int
procnet_diag(int family, int port, unsigned long *inodes, size_t *n, size_t max)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
		    .idiag_states = 1U << TCP_LISTEN },
	};
	int fd, rc;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	rc = send(fd, &msg, sizeof(msg), 0) == (ssize_t)sizeof(msg) ?
	    procnet_diag_read(fd, port, inodes, n, max) : -1;
	close(fd);
	return rc;
}

static size_t
procnet_scan(const char *path, int port, unsigned long *inodes, size_t n, size_t max)
{
	char line[512];
	unsigned int lport, state;
	unsigned long inode;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return n;
	/* The first line names the columns. */
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return n;
	}
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x "
		    "%*x:%*x %*x %*u %*u %lu", &lport, &state, &inode) == 3 &&
		    state == PROCNET_LISTEN && (int)lport == port && inode != 0)
			inodes[n++] = inode;
	}
	fclose(f);
	return n;
}

size_t
procnet_listeners(int port, unsigned long *inodes, size_t max)
{
	size_t n = 0;

	if (procnet_diag(AF_INET, port, inodes, &n, max) == 0 &&
	    procnet_diag(AF_INET6, port, inodes, &n, max) == 0)
		return n;
	n = procnet_scan("/proc/net/tcp", port, inodes, 0, max);
	return procnet_scan("/proc/net/tcp6", port, inodes, n, max);
}

static bool
procnet_is_one_of(const char *link, const unsigned long *inodes, size_t n)
{
	unsigned long inode;
	size_t i;

	if (sscanf(link, "socket:[%lu]", &inode) != 1)
		return false;
	for (i = 0; i < n; i++)
		if (inodes[i] == inode)
			return true;
	return false;
}

int
procnet_holds(pid_t pid, const unsigned long *inodes, size_t n)
{
	char path[64], link[64];
	struct dirent *de;
	ssize_t len;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (found == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		found = procnet_is_one_of(link, inodes, n);
	}
	closedir(d);
	return found;
}

pid_t
procnet_holder(const unsigned long *inodes, size_t n)
{
	struct dirent *de;
	pid_t pid = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while (pid == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (procnet_holds((pid_t)atoi(de->d_name), inodes, n) == 1)
			pid = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return pid;
}
