/*
 * The control socket, STATE_DIR/tend.sock: one JSON request per line, one
 * JSON answer per line (docs/cli.md). The server runs on the loop; the
 * client is a plain blocking call for the CLI.
 */
#ifndef TEND_DAEMON_CONTROL_H
#define TEND_DAEMON_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

/*
 * Returns the answer (a new reference) to a request, an object with a
 * string "cmd"; NULL when it does not know the command (the server then
 * answers "unknown command"). Requests that are not JSON objects with a
 * "cmd", or lines over 64 KiB, never reach it.
 */
typedef json_t	*(*control_handler)(void *arg, json_t *request);

struct control_server;
struct statedir;

/* Listens on STATE/tend.sock (mode 0600); sd must outlive the server. */
struct control_server *control_server_open(uv_loop_t *loop, struct statedir *sd,
		    control_handler handler, void *arg);
void		control_server_close(struct control_server *cs);

/*
 * Sends one request and waits (bounded) for the answer. Returns 0 with a
 * new reference in *answer, or -1 with a message in err.
 */
int		control_call(const char *path, json_t *request, json_t **answer,
		    char *err, size_t errlen);
/* The pid of the tend that answers on path; 0 when none does. */
pid_t		control_daemon_alive(const char *path);

#endif
