#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/dl_curl.h"
#include "daemon/control.h"

/* Between two looks at a condition. Conditions have deadlines; this is not one. */
#define POLL_STEP_MS	10

struct tend_run t;

int
harness_test_setup(void **state)
{
	harness_setup(&t);
	return 0;
}

int
harness_test_teardown(void **state)
{
	return harness_teardown(&t);
}

long long
harness_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
harness_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *
harness_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL)
		fail_msg("%s is not set (run the tests through ctest)", name);
	return v;
}

/* The first port of the kernel's ephemeral range (32768 unless set otherwise). */
static int
harness_ephemeral_low(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	int low = 32768;

	if (f != NULL) {
		if (fscanf(f, "%d", &low) != 1)
			low = 32768;
		fclose(f);
	}
	return low > 11000 ? low : 32768;
}

/*
 * A free loopback port below the ephemeral range: the client end of every
 * connection a test makes (a flood test makes thousands) takes its port
 * from that range, and could take one picked there before the service
 * binds it. Each test process starts at its own place (its pid), so tests
 * running at once rarely even try the same port.
 */
static int
harness_free_port(void)
{
	static int next;
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int low = 10000, high = harness_ephemeral_low(), fd, port, tries;

	if (next == 0)
		next = low + (int)(getpid() * 8 % (high - low));
	for (tries = 0; tries < 1000; tries++) {
		port = next;
		next = next + 1 < high ? next + 1 : low;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		sa.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return port;
		}
		close(fd);
	}
	fail_msg("no free loopback port below %d", high);
	return -1;
}

void
harness_setup(struct tend_run *run)
{
	int i;

	memset(run, 0, sizeof(*run));
	snprintf(run->dir, sizeof(run->dir), "/tmp/tend-test-XXXXXX");
	assert_non_null(mkdtemp(run->dir));
	snprintf(run->config, sizeof(run->config), "%s/tend.yaml", run->dir);
	snprintf(run->state, sizeof(run->state), "%s/state", run->dir);
	snprintf(run->log, sizeof(run->log), "%s/tend.log", run->dir);
	snprintf(run->record, sizeof(run->record), "%s/record", run->dir);
	for (i = 0; i < 4; i++)
		run->ports[i] = harness_free_port();
}

static int
harness_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void
harness_dump_log(const struct tend_run *run)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(run->log, "r");

	if (f == NULL)
		return;
	fprintf(stderr, "---- %s ----\n", run->log);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "---- end ----\n");
	fclose(f);
}

/*
 * What the sanitizers print when tend itself goes wrong: in the sanitizer
 * build the daemon's leaks and errors fail the test that ran it.
 */
static bool
harness_log_has_sanitizer_report(struct tend_run *run)
{
	static const char *const marks[] = { "ERROR: AddressSanitizer",
	    "ERROR: LeakSanitizer", "runtime error:", NULL };
	int i;

	for (i = 0; marks[i] != NULL; i++)
		if (harness_log_contains(run, marks[i]))
			return true;
	return false;
}

/* useradd and userdel lock /etc/passwd: tests running at once take turns. */
int
harness_run_tool(char *const argv[])
{
	int status, i;
	pid_t pid;

	for (i = 0; i < 50; i++) {
		pid = fork();
		if (pid == 0) {
			execvp(argv[0], argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return -1;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return 127;
		harness_pause_ms(100);
	}
	return -1;
}

static void
harness_user_delete(const char *name)
{
	char *argv[] = { "userdel", (char *)name, NULL };

	if (harness_run_tool(argv) != 0)
		fprintf(stderr, "userdel %s failed: remove the user by hand\n", name);
}

void
harness_user_create(struct tend_run *run, uid_t *uid, gid_t *gid)
{
	char *argv[] = { "useradd", "--system", "--no-create-home", "--user-group",
	    "--shell", "/usr/sbin/nologin", run->user, NULL };
	struct passwd *pw;
	int rc;

	if (geteuid() != 0)
		skip();
	snprintf(run->user, sizeof(run->user), "tendt%d", (int)getpid());
	rc = harness_run_tool(argv);
	if (rc == 127) {
		run->user[0] = '\0';
		skip();
	}
	assert_int_equal(rc, 0);
	pw = getpwnam(run->user);
	assert_non_null(pw);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

int
harness_as_user(uid_t uid, gid_t gid, const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t
harness_start_victim(struct tend_run *run)
{
	char line[64];
	FILE *f;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "120", (char *)NULL);
		_exit(127);
	}
	/* Killed at teardown with the record's other pids. */
	snprintf(line, sizeof(line), "victim victim %d 0\n", (int)pid);
	assert_non_null(f = fopen(run->record, "a"));
	fputs(line, f);
	fclose(f);
	return pid;
}

bool
harness_victim_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0 && kill(pid, 0) == 0;
}

int
harness_teardown(struct tend_run *run)
{
	pid_t pids[256];
	int i, n, rc = 0;

	if (run->pid > 0) {
		kill(run->pid, SIGTERM);
		if (harness_wait_exit(run, 15000) < 0) {
			fprintf(stderr, "tend did not exit on SIGTERM; killing it\n");
			kill(run->pid, SIGKILL);
			waitpid(run->pid, NULL, 0);
		}
	}
	if (harness_log_has_sanitizer_report(run)) {
		fprintf(stderr, "tend's log has a sanitizer report (below)\n");
		rc = -1;
	}
	/* ctest shows this only for a test that failed. */
	harness_dump_log(run);
	n = harness_record_pids(run, "", pids, 256);
	for (i = 0; i < n; i++)
		if (pids[i] > 1)
			kill(pids[i], SIGKILL);
	nftw(run->dir, harness_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (run->user[0] != '\0')
		harness_user_delete(run->user);
	run->pid = 0;
	return rc;
}

static char *
harness_replace(char *text, const char *key, const char *value)
{
	char *pos, *out;
	size_t klen = strlen(key), vlen = strlen(value);

	while ((pos = strstr(text, key)) != NULL) {
		out = malloc(strlen(text) - klen + vlen + 1);
		memcpy(out, text, (size_t)(pos - text));
		memcpy(out + (pos - text), value, vlen);
		strcpy(out + (pos - text) + vlen, pos + klen);
		free(text);
		text = out;
	}
	return text;
}

char *
harness_render(struct tend_run *run, const char *template)
{
	char *text = strdup(template), key[16], value[16];
	int i;

	text = harness_replace(text, "@FAKESVC@", harness_env("FAKESVC_BIN"));
	text = harness_replace(text, "@RECORD@", run->record);
	text = harness_replace(text, "@DIR@", run->dir);
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "@PORT%d@", i + 1);
		snprintf(value, sizeof(value), "%d", run->ports[i]);
		text = harness_replace(text, key, value);
	}
	return text;
}

void
harness_write_file(struct tend_run *run, const char *path, const char *template)
{
	char *text = harness_render(run, template);
	FILE *f;

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
}

void
harness_write_script(struct tend_run *run, const char *path, const char *template)
{
	harness_write_file(run, path, template);
	assert_int_equal(chmod(path, 0755), 0);
}

void
harness_write_config(struct tend_run *run, const char *template)
{
	harness_write_file(run, run->config, template);
}

char *
harness_read_file(const char *path)
{
	char *text;
	long size;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

json_t *
harness_json_lines(const char *path)
{
	char line[16384];
	json_t *all = json_array(), *doc;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return all;
	while (fgets(line, sizeof(line), f) != NULL)
		if ((doc = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(all, doc);
	fclose(f);
	return all;
}

bool
harness_wait_json_lines(const char *path, size_t n, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *all;
	size_t got;

	do {
		all = harness_json_lines(path);
		got = json_array_size(all);
		json_decref(all);
		if (got >= n)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

void
harness_start(struct tend_run *run)
{
	const char *bin = harness_env("TEND_BIN");
	char started[64];
	long long deadline;
	json_t *status;
	pid_t pid;
	int fd;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(run->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		if (run->as_uid != 0 && (setgroups(0, NULL) < 0 ||
		    setgid(run->as_gid) < 0 || setuid(run->as_uid) < 0))
			_exit(126);
		/* Without web the tests running at once do not fight over a port. */
		execl(bin, bin, "run", "-c", run->config, "--state-dir", run->state,
		    "--verbose", run->web ? "--verbose" : "--no-web", run->run_flag,
		    (char *)NULL);
		_exit(127);
	}
	run->pid = pid;
	/*
	 * Its control socket is listening once it says it started: asked
	 * before, a socket left at that path (by a tend killed earlier) might
	 * take the question and never answer.
	 */
	snprintf(started, sizeof(started), " started (pid %d,", (int)pid);
	deadline = harness_mono_ms() + 10000;
	while (harness_mono_ms() < deadline) {
		if (harness_log_contains(run, started) &&
		    (status = harness_status(run)) != NULL) {
			json_decref(status);
			return;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			run->pid = 0;
			harness_dump_log(run);
			fail_msg("tend exited at start");
		}
		harness_pause_ms(POLL_STEP_MS);
	}
	harness_dump_log(run);
	fail_msg("tend did not answer on its control socket within 10 s");
}

int
harness_cli(struct tend_run *run, char **out, ...)
{
	const char *bin = harness_env("TEND_BIN");
	char *argv[32], buf[4096];
	size_t len = 0;
	int fds[2], status, i = 0;
	va_list ap;
	ssize_t n;
	pid_t pid;

	argv[i++] = (char *)bin;
	va_start(ap, out);
	while (i < 31 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(bin, argv);
		_exit(127);
	}
	close(fds[1]);
	*out = malloc(1);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
		*out = realloc(*out, len + (size_t)n + 1);
		memcpy(*out + len, buf, (size_t)n);
		len += (size_t)n;
	}
	(*out)[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t
harness_cli_async(struct tend_run *run, ...)
{
	const char *bin = harness_env("TEND_BIN");
	char *argv[32];
	va_list ap;
	pid_t pid;
	int i = 0, null;

	(void)run;
	argv[i++] = (char *)bin;
	va_start(ap, run);
	while (i < 31 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(null, 1);
		dup2(null, 2);
		execv(bin, argv);
		_exit(127);
	}
	return pid;
}

json_t *
harness_status(struct tend_run *run)
{
	char path[400], err[256];
	json_t *req = json_pack("{s:s}", "cmd", "status"), *answer = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/tend.sock", run->state);
	rc = control_call(path, req, &answer, err, sizeof(err));
	json_decref(req);
	return rc == 0 ? answer : NULL;
}

const char *
harness_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

json_t *
harness_incidents(struct tend_run *run)
{
	char *out;
	json_t *doc;
	int rc;

	rc = harness_cli(run, &out, "incidents", "--state-dir", run->state, "--format",
	    "json", NULL);
	doc = rc == 0 ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return doc;
}

json_t *
harness_wait_incident(struct tend_run *run, const char *target, const char *field,
    const char *value, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	const char *v, *of;
	json_t *all, *inc;
	size_t i;

	do {
		all = harness_incidents(run);
		json_array_foreach(all, i, inc) {
			v = json_string_value(json_object_get(inc, field));
			of = json_string_value(json_object_get(inc, "target"));
			if (of != NULL && strcmp(of, target) == 0 && v != NULL &&
			    strncmp(v, value, strlen(value)) == 0) {
				json_incref(inc);
				json_decref(all);
				return inc;
			}
		}
		json_decref(all);
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return NULL;
}

json_t *
harness_service(json_t *status, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return s;
	return NULL;
}

const char *
harness_state(struct tend_run *run, const char *name, char *buf, size_t len)
{
	json_t *status = harness_status(run), *s;

	buf[0] = '\0';
	if (status != NULL && (s = harness_service(status, name)) != NULL)
		snprintf(buf, len, "%s", json_string_value(json_object_get(s, "state")));
	json_decref(status);
	return buf;
}

pid_t
harness_pid(struct tend_run *run, const char *name)
{
	json_t *status = harness_status(run), *s;
	pid_t pid = 0;

	if (status != NULL && (s = harness_service(status, name)) != NULL)
		pid = (pid_t)json_integer_value(json_object_get(s, "pid"));
	json_decref(status);
	return pid;
}

bool
harness_wait_state(struct tend_run *run, const char *name, const char *state,
    pid_t pid_not, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status, *s;
	bool ok;

	do {
		status = harness_status(run);
		s = status ? harness_service(status, name) : NULL;
		ok = s != NULL &&
		    strcmp(json_string_value(json_object_get(s, "state")), state) == 0 &&
		    (pid_not == 0 ||
		    json_integer_value(json_object_get(s, "pid")) != pid_not);
		json_decref(status);
		if (ok)
			return true;
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	return false;
}

/* Calls fn for each record line starting with prefix; stops when it returns false. */
static void
harness_each_record(struct tend_run *run, const char *prefix,
    bool (*fn)(const char *line, void *arg), void *arg)
{
	char line[512];
	FILE *f = fopen(run->record, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, prefix, strlen(prefix)) == 0 && !fn(line, arg))
			break;
	fclose(f);
}

static bool
count_line(const char *line, void *arg)
{
	(*(int *)arg)++;
	return true;
}

int
harness_count_record(struct tend_run *run, const char *prefix)
{
	int n = 0;

	harness_each_record(run, prefix, count_line, &n);
	return n;
}

bool
harness_wait_record(struct tend_run *run, const char *prefix, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (harness_count_record(run, prefix) > 0)
			return true;
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	return false;
}

bool
harness_wait_count(struct tend_run *run, const char *prefix, int n, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (harness_count_record(run, prefix) == n)
			return true;
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	return false;
}

struct pid_collect {
	pid_t	*pids;
	int	 n;
	int	 max;
};

static bool
collect_pid(const char *line, void *arg)
{
	struct pid_collect *c = arg;
	char what[32], name[64];
	int pid;

	if (sscanf(line, "%31s %63s %d", what, name, &pid) == 3 && c->n < c->max)
		c->pids[c->n++] = pid;
	return true;
}

int
harness_record_pids(struct tend_run *run, const char *prefix, pid_t *pids, int max)
{
	struct pid_collect c = { pids, 0, max };

	harness_each_record(run, prefix, collect_pid, &c);
	return c.n;
}

struct nth_time {
	int		 nth;
	long long	 ns;
};

static bool
nth_line_time(const char *line, void *arg)
{
	struct nth_time *n = arg;
	char what[32], name[64];
	long long ns;
	int pid;

	if (n->nth-- > 0)
		return true;
	if (sscanf(line, "%31s %63s %d %lld", what, name, &pid, &ns) == 4)
		n->ns = ns;
	return false;
}

long long
harness_record_time(struct tend_run *run, const char *prefix, int nth)
{
	struct nth_time n = { nth, 0 };

	harness_each_record(run, prefix, nth_line_time, &n);
	return n.ns;
}

int
harness_log_count(struct tend_run *run, const char *text)
{
	char *buf = harness_read_file(run->log), *p;
	int n = 0;

	for (p = buf; p != NULL && (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	free(buf);
	return n;
}

bool
harness_log_contains(struct tend_run *run, const char *text)
{
	char *buf = harness_read_file(run->log);
	bool found;

	if (buf == NULL)
		return false;
	found = strstr(buf, text) != NULL;
	free(buf);
	return found;
}

sqlite3 *
harness_db_open(struct tend_run *run)
{
	char path[400];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/tend.db", run->state);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	/* The daemon may be writing: wait for its lock rather than fail. */
	sqlite3_busy_timeout(db, 2000);
	return db;
}

void
harness_make_sick(struct tend_run *run, bool forever)
{
	struct timespec times[2];
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/sick", run->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	/*
	 * The time is set from the precise clock, not the coarse one the
	 * kernel stamps writes with, which may lag the service's own start
	 * by a tick.
	 */
	clock_gettime(CLOCK_REALTIME, &times[0]);
	if (forever)
		times[0].tv_sec += 3600;
	times[1] = times[0];
	assert_int_equal(futimens(fd, times), 0);
	close(fd);
}

int
harness_wait_exit(struct tend_run *run, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	int status;

	do {
		if (waitpid(run->pid, &status, WNOHANG) == run->pid) {
			run->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	return -1;
}

char
harness_proc_state(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512], *p;
	char state = 0;
	FILE *f;
	int pp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 2, "%c %d", &state, &pp);
	fclose(f);
	if (ppid != NULL)
		*ppid = pp;
	return state;
}

bool
harness_pid_gone(pid_t pid)
{
	char state = harness_proc_state(pid, NULL);

	return state == 0 || state == 'Z' || state == 'X';
}

bool
harness_wait_gone(pid_t pid, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (harness_pid_gone(pid))
			return true;
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	return false;
}

int
harness_zombie_children(pid_t parent)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	pid_t ppid;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (harness_proc_state(atoi(de->d_name), &ppid) == 'Z' && ppid == parent)
			n++;
	}
	closedir(d);
	return n;
}

/* The first line of path once it has one, or fails the test. */
static void
harness_first_line(const char *path, char *buf, size_t len, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	FILE *f;

	do {
		buf[0] = '\0';
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(buf, (int)len, f) != NULL)
				buf[strcspn(buf, "\n")] = '\0';
			fclose(f);
			if (buf[0] != '\0')
				return;
		}
		harness_pause_ms(POLL_STEP_MS);
	} while (harness_mono_ms() < deadline);
	fail_msg("%s did not appear within %d ms", path, timeout_ms);
}

void
harness_web(struct tend_run *run, char *url, size_t url_len, char *token,
    size_t token_len)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/web.url", run->state);
	harness_first_line(path, url, url_len, 5000);
	snprintf(path, sizeof(path), "%s/token", run->state);
	harness_first_line(path, token, token_len, 5000);
}

static size_t
harness_http_body(char *data, size_t size, size_t n, void *arg)
{
	char **body = arg;
	size_t len = *body != NULL ? strlen(*body) : 0;

	*body = realloc(*body, len + size * n + 1);
	memcpy(*body + len, data, size * n);
	(*body)[len + size * n] = '\0';
	return size * n;
}

long
harness_http(const char *url, const char *method, const char *path, const char *bearer,
    char **body)
{
	return harness_http_send(url, method, path, bearer, NULL, body);
}

long
harness_http_send(const char *url, const char *method, const char *path,
    const char *bearer, const char *data, char **body)
{
	struct curl_slist *headers = NULL;
	char full[600], auth[160], *got = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(full, sizeof(full), "%s%s", url, path[0] == '/' ? path + 1 : path);
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_http_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	if (bearer != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		headers = curl_slist_append(headers, auth);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	}
	if (data != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(data));
	} else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (body != NULL)
		*body = got != NULL ? got : strdup("");
	else
		free(got);
	return status;
}

/* The value of name in pid's environment ("" when absent). */
static void
harness_environ_read(pid_t pid, const char *name, char *buf, size_t len)
{
	static char env[256 * 1024];
	char path[64];
	size_t n = 0;
	ssize_t r;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while (n < sizeof(env) - 1 && (r = read(fd, env + n, sizeof(env) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	env[n] = '\0';
	for (r = 0; r < (ssize_t)n; r += (ssize_t)strlen(env + r) + 1)
		if (strncmp(env + r, name, strlen(name)) == 0 && env[r + strlen(name)] == '=')
			snprintf(buf, len, "%s", env + r + strlen(name) + 1);
}

void
harness_environ_var(pid_t pid, const char *name, char *buf, size_t len, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	harness_environ_read(pid, name, buf, len);
	while (buf[0] == '\0' && harness_mono_ms() < deadline) {
		harness_pause_ms(10);
		harness_environ_read(pid, name, buf, len);
	}
}

const char *
harness_at(struct tend_run *run, const char *rel)
{
	static char buf[4][400];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", run->dir, rel);
	return buf[i];
}

void
harness_contains(const char *out, const char *want)
{
	if (strstr(out, want) == NULL)
		fail_msg("'%s' not in:\n%s", want, out);
}

bool
harness_read_until(int fd, char *buf, size_t cap, size_t *len, const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (harness_mono_ms() < deadline) {
		buf[*len] = '\0';
		if (strstr(buf, text) != NULL)
			return true;
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (*len + 1 >= cap)
			memmove(buf, buf + cap / 2, (*len -= cap / 2));
		n = read(fd, buf + *len, cap - 1 - *len);
		if (n <= 0)
			return false;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return strstr(buf, text) != NULL;
}
