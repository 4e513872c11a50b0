/*
 * The fleet test's monitoring side (monitoring.h): Prometheus, Alertmanager
 * and the webhook receiver, their configs written into mon's dir, each
 * started with its output there and asked over HTTP.
 */
#include "monitoring.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct tend_run mon;
pid_t prom_pid, am_pid, hook_pid;
char prom_url[64], am_url[64];

const char *
find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *end;
	size_t n;

	for (; path != NULL && *path != '\0'; path = *end != '\0' ? end + 1 : end) {
		end = strchrnul(path, ':');
		n = (size_t)(end - path);
		snprintf(buf, len, "%.*s/%s", (int)n, path, name);
		if (n > 0 && access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

const char *
str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

bool
in_list(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/*
 * Started with its output to log, and killed by the kernel should the test
 * die before its teardown (a ^C, ctest's timeout): no Prometheus outlives it.
 */
static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t parent = getpid(), pid = fork();
	int fd;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(126);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

void
stop(pid_t *pid, const char *what)
{
	long long deadline = harness_mono_ms() + 10000;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	while (waitpid(*pid, NULL, WNOHANG) == 0) {
		if (harness_mono_ms() > deadline) {
			fprintf(stderr, "%s did not stop on SIGTERM; killing it\n", what);
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			break;
		}
		harness_pause_ms(20);
	}
	*pid = 0;
}

/*
 * Fails the test, with the last lines of log, when *pid has exited (then
 * reaped: *pid is 0, never to be signalled again).
 */
static void
assert_running(pid_t *pid, const char *what, const char *log)
{
	char *text;
	size_t len;

	if (*pid <= 0 || waitpid(*pid, NULL, WNOHANG) == 0)
		return;
	*pid = 0;
	text = harness_read_file(log);
	len = text != NULL ? strlen(text) : 0;
	fail_msg("%s exited; the end of %s:\n%s", what, log,
	    text != NULL ? text + (len > 3000 ? len - 3000 : 0) : "(none)");
}

void
assert_monitoring_runs(void)
{
	assert_running(&prom_pid, "prometheus", harness_at(&mon, "prometheus.log"));
	assert_running(&am_pid, "alertmanager", harness_at(&mon, "alertmanager.log"));
}

/* A GET's JSON answer, or NULL when there was no 200 or no JSON. */
json_t *
get_json(const char *base, const char *path)
{
	json_t *doc = NULL;
	char *body = NULL;

	if (harness_http(base, "GET", path, NULL, &body) == 200)
		doc = json_loads(body, 0, NULL);
	free(body);
	return doc;
}

/* An instant query's result vector (a new reference), or NULL. */
json_t *
prom_query(const char *expr)
{
	char path[1024], *p;
	json_t *doc, *result;
	size_t i;

	p = path + snprintf(path, sizeof(path), "api/v1/query?query=");
	for (i = 0; expr[i] != '\0' && p < path + sizeof(path) - 4; i++)
		p += snprintf(p, 4, strchr("{}=\"()~|!, +*<>", expr[i]) != NULL ?
		    "%%%02X" : "%c", (unsigned char)expr[i]);
	*p = '\0';
	doc = get_json(prom_url, path);
	result = json_object_get(json_object_get(doc, "data"), "result");
	if (!json_is_array(result)) {
		json_decref(doc);
		return NULL;
	}
	json_incref(result);
	json_decref(doc);
	return result;
}

/* The number an instant query answers with (-1 when it has no single one). */
double
prom_scalar(const char *expr)
{
	json_t *result = prom_query(expr);
	double v = -1;

	if (json_array_size(result) == 1)
		v = strtod(json_string_value(json_array_get(json_object_get(
		    json_array_get(result, 0), "value"), 1)), NULL);
	json_decref(result);
	return v;
}

/*
 * The mixin's rules with the `for:` of each exercised alert set to short_for,
 * line by line and nothing else: the rest is the file as shipped. Fails the
 * test when an alert is not found with a `for:`, so a reworded rule file
 * makes this test fail rather than wait minutes.
 */
static void
write_rules(const char *path, const char *const *exercised, const char *short_for)
{
	char src[400], line[4096], alert[128] = "", *p;
	FILE *in, *out;
	int changed = 0, want = 0;

	for (; exercised[want] != NULL; want++)
		;
	snprintf(src, sizeof(src), "%s/contrib/prometheus/tend-rules.yml",
	    getenv("TEND_SOURCE_DIR"));
	assert_non_null(in = fopen(src, "r"));
	assert_non_null(out = fopen(path, "w"));
	while (fgets(line, sizeof(line), in) != NULL) {
		p = line + strspn(line, " ");
		if (strncmp(p, "- alert:", 8) == 0)
			sscanf(p + 8, " %127s", alert);
		else if (strncmp(p, "- record:", 9) == 0)
			alert[0] = '\0';
		if (strncmp(p, "for:", 4) == 0 && in_list(alert, exercised)) {
			fprintf(out, "%.*sfor: %s\n", (int)(p - line), line, short_for);
			changed++;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	if (changed != want)
		fail_msg("%s: found %d of the %d `for:` to shorten", src, changed, want);
}

/* A file written whole, then renamed: Prometheus never reads half of it. */
static void
write_atomically(const char *path, const char *text)
{
	char tmp[420];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_non_null(f = fopen(tmp, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

void
start_alertmanager(const char *bin)
{
	char cfg[256], text[1024], flags[3][420];
	char *argv[] = { (char *)bin, flags[0], flags[1], flags[2],
	    "--cluster.listen-address=", "--log.level=info", NULL };

	/*
	 * One group per alert and host, notified within a second: the webhook
	 * hears what an on-call would, as soon as group_wait allows.
	 */
	snprintf(text, sizeof(text),
	    "route:\n"
	    "  receiver: hook\n"
	    "  group_by: [alertname, instance]\n"
	    "  group_wait: 1s\n"
	    "  group_interval: 1s\n"
	    "  repeat_interval: 1h\n"
	    "receivers:\n"
	    "  - name: hook\n"
	    "    webhook_configs: [{ url: 'http://127.0.0.1:%d/', send_resolved: true }]\n",
	    mon.ports[3]);
	snprintf(cfg, sizeof(cfg), "%s", harness_at(&mon, "alertmanager.yml"));
	write_atomically(cfg, text);
	snprintf(flags[0], sizeof(flags[0]), "--config.file=%s", cfg);
	snprintf(flags[1], sizeof(flags[1]), "--storage.path=%s",
	    harness_at(&mon, "am-data"));
	snprintf(flags[2], sizeof(flags[2]), "--web.listen-address=127.0.0.1:%d",
	    mon.ports[2]);
	snprintf(am_url, sizeof(am_url), "http://127.0.0.1:%d/", mon.ports[2]);
	am_pid = spawn(argv, harness_at(&mon, "alertmanager.log"));
}

void
start_prometheus(const char *bin, const char *const *targets_list,
    const char *const *exercised, const char *short_for)
{
	char cfg[256], rules[256], targets[2048], text[2048], flags[3][420], *p;
	char *argv[] = { (char *)bin, flags[0], flags[1], flags[2], "--log.level=info",
	    NULL };
	int i;

	snprintf(rules, sizeof(rules), "%s", harness_at(&mon, "tend-rules.yml"));
	write_rules(rules, exercised, short_for);
	/* What config management would write: the hosts, nothing about them. */
	assert_int_equal(mkdir(harness_at(&mon, "targets"), 0755), 0);
	p = targets + snprintf(targets, sizeof(targets), "- targets:\n");
	for (i = 0; targets_list[i] != NULL; i++)
		p += snprintf(p, sizeof(targets) - (size_t)(p - targets), "    - '%s'\n",
		    targets_list[i]);
	write_atomically(harness_at(&mon, "targets/tend-hosts.yml"), targets);
	/* As docs/fleet.md's, with its intervals of seconds for minutes. */
	snprintf(text, sizeof(text),
	    "global:\n"
	    "  scrape_interval: 1s\n"
	    "  scrape_timeout: 1s\n"
	    "  evaluation_interval: 1s\n"
	    "rule_files: ['%s']\n"
	    "alerting:\n"
	    "  alertmanagers:\n"
	    "    - static_configs: [{ targets: ['127.0.0.1:%d'] }]\n"
	    "scrape_configs:\n"
	    "  - job_name: tend\n"
	    "    file_sd_configs:\n"
	    "      - { files: ['%s/targets/*.yml'], refresh_interval: 1s }\n",
	    rules, mon.ports[2], mon.dir);
	snprintf(cfg, sizeof(cfg), "%s", harness_at(&mon, "prometheus.yml"));
	write_atomically(cfg, text);
	snprintf(flags[0], sizeof(flags[0]), "--config.file=%s", cfg);
	snprintf(flags[1], sizeof(flags[1]), "--storage.tsdb.path=%s",
	    harness_at(&mon, "prom-data"));
	snprintf(flags[2], sizeof(flags[2]), "--web.listen-address=127.0.0.1:%d",
	    mon.ports[1]);
	snprintf(prom_url, sizeof(prom_url), "http://127.0.0.1:%d/", mon.ports[1]);
	prom_pid = spawn(argv, harness_at(&mon, "prometheus.log"));
}

/* The webhook receiver Alertmanager notifies: each body a line of DIR/hook.log. */
void
start_receiver(void)
{
	char port[16], file[400];
	char *argv[] = { getenv("FAKESVC_BIN"), "--name", "hook", "--record", mon.record,
	    "--listen", port, "--receiver", file, NULL };

	snprintf(port, sizeof(port), "%d", mon.ports[3]);
	snprintf(file, sizeof(file), "%s", harness_at(&mon, "hook.log"));
	hook_pid = spawn(argv, mon.log);
	assert_true(harness_wait_record(&mon, "ready hook ", 5000));
}

bool
ready(const char *url)
{
	char *body = NULL;
	long status = harness_http(url, "GET", "-/ready", NULL, &body);

	free(body);
	return status == 200;
}

/* The alerting rule name as Prometheus loaded it: its `for:` in seconds, or -1. */
double
rule_duration(json_t *rules, const char *name)
{
	json_t *groups = json_object_get(json_object_get(rules, "data"), "groups");
	json_t *group, *rule;
	size_t i, j;

	json_array_foreach(groups, i, group)
		json_array_foreach(json_object_get(group, "rules"), j, rule)
			if (strcmp(str(rule, "name"), name) == 0 &&
			    strcmp(str(rule, "type"), "alerting") == 0)
				return json_number_value(json_object_get(rule, "duration"));
	return -1;
}

void
dump_tail(const char *path)
{
	char *text = harness_read_file(path);
	size_t len = text != NULL ? strlen(text) : 0;

	if (text != NULL)
		fprintf(stderr, "---- %s (end) ----\n%s\n---- end ----\n",
		    path, text + (len > 6000 ? len - 6000 : 0));
	free(text);
}
