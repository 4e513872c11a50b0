/* tend's own readiness and watchdog pings to systemd (Type=notify). */
#ifndef TEND_DAEMON_SDNOTIFY_H
#define TEND_DAEMON_SDNOTIFY_H

#include <stdint.h>

/* Sends msg to $NOTIFY_SOCKET; 0 when sent or not under systemd. */
int	sdnotify_send(const char *msg);
/* The watchdog interval systemd wants of tend, 0 when none. */
int64_t	sdnotify_watchdog_ms(void);

#endif
