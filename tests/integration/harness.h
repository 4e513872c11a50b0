/*
 * Integration test harness: a temp dir per test, a config written from a
 * template, the real tend binary started on it, its status read over the
 * control socket, conditions awaited with deadlines, and everything the
 * test started killed at the end.
 */
#ifndef TEND_TEST_HARNESS_H
#define TEND_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

struct tend_run {
	char	 dir[256];		/* the test's temp dir */
	char	 config[300];		/* dir/tend.yaml */
	char	 state[300];		/* dir/state */
	char	 log[300];		/* dir/tend.log: tend's stderr */
	char	 record[300];		/* dir/record: what fakesvc did */
	pid_t	 pid;			/* tend, 0 when not running */
	int	 ports[4];		/* free loopback ports for @PORT1@.. */
	const char *run_flag;		/* one more flag for `tend run`, or NULL */
	bool	 web;			/* serve web.listen; else `tend run --no-web` */
	char	 user[32];		/* a throw-away user, removed at teardown */
	uid_t	 as_uid;		/* harness_start runs tend as as_uid:as_gid */
	gid_t	 as_gid;		/* when as_uid is not 0 */
};

/* The run of the current test: each test binary runs one test at a time. */
extern struct tend_run t;

/* cmocka setup and teardown of t; TEND_TEST(fn) registers a test with them. */
int	 harness_test_setup(void **state);
int	 harness_test_teardown(void **state);
#define TEND_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, harness_test_setup, harness_test_teardown)

/* Creates the temp dir and picks ports. */
void	 harness_setup(struct tend_run *t);
/*
 * Kills tend and every pid in the record file, prints the log on failure,
 * removes the dir. -1 when tend's log has a sanitizer report.
 */
int	 harness_teardown(struct tend_run *t);

/*
 * Writes the config from a template, replacing @FAKESVC@, @DIR@, @RECORD@,
 * @PORT1@..@PORT4@.
 */
void	 harness_write_config(struct tend_run *t, const char *template);
/* The template with its placeholders replaced; free it. */
char	*harness_render(struct tend_run *t, const char *template);
/* Writes path from a template, as harness_write_config writes the config. */
void	 harness_write_file(struct tend_run *t, const char *path, const char *template);
/* The same, made executable: a script or a fake program. */
void	 harness_write_script(struct tend_run *t, const char *path, const char *template);
/* DIR/rel, in one of four buffers that the next calls reuse. */
const char *harness_at(struct tend_run *t, const char *rel);
/* Fails the test, showing out, unless out contains want. */
void	 harness_contains(const char *out, const char *want);
/* A whole file's text, or NULL when it cannot be opened; free it. */
char	*harness_read_file(const char *path);
/*
 * The JSON documents of a file, one a line, as a webhook receiver (fakesvc
 * --receiver) appends the bodies it accepts: an array, empty when the file
 * is missing; lines that are not JSON are left out.
 */
json_t	*harness_json_lines(const char *path);
/* Polls until path holds at least n such documents. */
bool	 harness_wait_json_lines(const char *path, size_t n, int timeout_ms);
/* Starts `tend run -c CONFIG --state-dir STATE`, waits until status answers. */
void	 harness_start(struct tend_run *t);
/* Runs the tend CLI with args (NULL-terminated); returns its exit code, output in *out. */
int	 harness_cli(struct tend_run *t, char **out, ...);
/* The same command started, not waited for (its output dropped): its pid to wait for. */
pid_t	 harness_cli_async(struct tend_run *t, ...);

/* The status document, or NULL when the daemon does not answer. */
json_t	*harness_status(struct tend_run *t);
/* `tend incidents --format json` (from the store), a new reference; NULL on failure. */
json_t	*harness_incidents(struct tend_run *t);
/* A string member of a JSON object, "" when it is none. */
const char *harness_str(json_t *o, const char *key);
/*
 * The newest incident of target whose field starts with value, within
 * timeout_ms: a new reference, or NULL.
 */
json_t	*harness_wait_incident(struct tend_run *t, const char *target, const char *field,
	    const char *value, int timeout_ms);
/* A service's object in a status document (borrowed). */
json_t	*harness_service(json_t *status, const char *name);
/* Current state and pid of a service ("" and 0 when absent). */
const char *harness_state(struct tend_run *t, const char *name, char *buf, size_t len);
pid_t	 harness_pid(struct tend_run *t, const char *name);

/* Polls until a service is in state (and, if pid_not != 0, has another pid). */
bool	 harness_wait_state(struct tend_run *t, const char *name, const char *state,
	    pid_t pid_not, int timeout_ms);
/* Polls until the record file has a line starting with prefix. */
bool	 harness_wait_record(struct tend_run *t, const char *prefix, int timeout_ms);
/* Polls until exactly n record lines start with prefix. */
bool	 harness_wait_count(struct tend_run *t, const char *prefix, int n, int timeout_ms);
/* Number of record lines starting with prefix. */
int	 harness_count_record(struct tend_run *t, const char *prefix);
/* Pids of record lines starting with prefix; returns how many. */
int	 harness_record_pids(struct tend_run *t, const char *prefix, pid_t *pids, int max);
/* Monotonic ns of the n-th record line starting with prefix (0 if absent). */
long long harness_record_time(struct tend_run *t, const char *prefix, int nth);
/* True when the log contains text. */
bool	 harness_log_contains(struct tend_run *t, const char *text);
/* How many times the log contains text. */
int	 harness_log_count(struct tend_run *t, const char *text);

/* STATE/tend.db opened read-only, as the web server reads it; NULL on failure. */
struct sqlite3 *harness_db_open(struct tend_run *t);

/*
 * A fakesvc "web" on PORT1 with an http check "health", for the heal and
 * alert tests. It turns sick once DIR/sick is touched after it started
 * (harness_make_sick), and only a new process is healthy again. A service
 * entry: "services:\n" goes before it.
 */
#define HARNESS_SICK_WEB \
    "  web:\n" \
    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --listen, '@PORT1@', --http,\n" \
    "          --fail-when, @DIR@/sick]\n" \
    "    ready: { tcp: @PORT1@ }\n" \
    "    checks:\n" \
    "      health:\n" \
    "        type: http\n" \
    "        url: 'http://127.0.0.1:@PORT1@/'\n" \
    "        every: 200ms\n" \
    "        timeout: 1s\n"
/* Makes HARNESS_SICK_WEB sick; forever keeps it sick across restarts too. */
void	 harness_make_sick(struct tend_run *t, bool forever);

/*
 * The local attacker of the security tests: a throw-away user made for this
 * test with useradd (no home, no login) and removed at teardown; its name
 * in t->user. Skips the test when not root or useradd is missing.
 */
void	 harness_user_create(struct tend_run *t, uid_t *uid, gid_t *gid);
/*
 * Runs an account tool (useradd, groupadd, usermod, ...), again while another
 * test holds the lock on /etc/passwd: 0, 127 when it is missing, else -1.
 */
int	 harness_run_tool(char *const argv[]);
/* Runs `/bin/sh -c cmd` as uid:gid with no supplementary groups; its exit code. */
int	 harness_as_user(uid_t uid, gid_t gid, const char *cmd);

/*
 * A `sleep` started by the test (as root): the process the attacker of a
 * security test would like tend to signal. Killed at teardown.
 */
pid_t	 harness_start_victim(struct tend_run *t);
/* True while the victim runs (not signalled, not exited). */
bool	 harness_victim_alive(pid_t pid);
/*
 * The web server of a tend started with t->web set: its base URL (ending
 * in '/') and the API token, read from STATE/web.url and STATE/token once
 * they appear (fails the test after 5 s).
 */
void	 harness_web(struct tend_run *t, char *url, size_t url_len, char *token,
	    size_t token_len);
/*
 * One request to it (an empty body for a POST); the answer's body in *body
 * when body is not NULL (free it). Returns the HTTP status, 0 when none came.
 */
long	 harness_http(const char *url, const char *method, const char *path,
	    const char *bearer, char **body);
/* The same with data (NULL: none) as the request's body. */
long	 harness_http_send(const char *url, const char *method, const char *path,
	    const char *bearer, const char *data, char **body);

/*
 * The value of name in pid's environment, waiting (up to timeout_ms) for
 * it to appear: just after an exec the kernel may not have set up the new
 * environment yet. "" when it never does.
 */
void	 harness_environ_var(pid_t pid, const char *name, char *buf, size_t len,
	    int timeout_ms);

/* Waits for tend to exit; returns its exit status, or -1 on timeout. */
int	 harness_wait_exit(struct tend_run *t, int timeout_ms);
/* True when pid is gone (or a zombie of someone else's that is not ours). */
bool	 harness_pid_gone(pid_t pid);
/* Polls until pid is gone. */
bool	 harness_wait_gone(pid_t pid, int timeout_ms);
/* Number of zombie children of pid. */
int	 harness_zombie_children(pid_t pid);
/* The process state letter from /proc/PID/stat (and its parent), or 0 when there is none. */
char	 harness_proc_state(pid_t pid, pid_t *ppid);
/* tend's log on stderr, to see why a test failed. */
void	 harness_dump_log(const struct tend_run *t);
/*
 * Reads fd into buf (cap bytes, *len of them used; the older half dropped
 * when full) until text appears or timeout_ms pass: whether it did.
 */
bool	 harness_read_until(int fd, char *buf, size_t cap, size_t *len, const char *text,
	    int timeout_ms);
long long harness_mono_ms(void);
void	 harness_pause_ms(int ms);

#endif
