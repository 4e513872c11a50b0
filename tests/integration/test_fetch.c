/*
 * tend fetch against fakehttp mirrors on 127.0.0.1: retries, resumed
 * downloads, corrupt mirrors, the offline cache, --verify, --prune, and
 * mirrors ordered by remembered speed.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/cache.h"

#define MAX_SERVERS	4
#define FETCH_DEADLINE_MS	60000

struct fetch_fixture {
	char	 root[300];		/* what the mirrors serve */
	char	 cache[300];
	char	 manifest[300];
	char	 out[300];		/* where assets are placed */
	pid_t	 servers[MAX_SERVERS];
	int	 n_servers;
};

static struct fetch_fixture fx;

static int
fetch_setup(void **state)
{
	harness_setup(&t);
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.root, sizeof(fx.root), "%s/root", t.dir);
	snprintf(fx.cache, sizeof(fx.cache), "%s/cache", t.dir);
	snprintf(fx.manifest, sizeof(fx.manifest), "%s/manifest.yaml", t.dir);
	snprintf(fx.out, sizeof(fx.out), "%s/out", t.dir);
	assert_int_equal(mkdir(fx.root, 0755), 0);
	return 0;
}

static void
stop_servers(void)
{
	int i;

	for (i = 0; i < fx.n_servers; i++) {
		kill(fx.servers[i], SIGTERM);
		waitpid(fx.servers[i], NULL, 0);
	}
	fx.n_servers = 0;
}

static int
fetch_teardown(void **state)
{
	stop_servers();
	return harness_teardown(&t);
}

#define FETCH_TEST(fn)	cmocka_unit_test_setup_teardown(fn, fetch_setup, fetch_teardown)

/* A file of len pseudo-random bytes (seeded, so each name differs) under root. */
static void
make_artifact(const char *name, size_t len, unsigned seed, char hex[SHA256_HEX_LEN + 1])
{
	char path[400];
	unsigned char *buf = malloc(len);
	uint32_t x = seed * 2654435761u + 1;
	int64_t size;
	size_t i;
	FILE *f;

	for (i = 0; i < len; i++) {
		x = x * 1664525u + 1013904223u;
		buf[i] = (unsigned char)(x >> 24);
	}
	snprintf(path, sizeof(path), "%s/%s", fx.root, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
	assert_int_equal(sha256_file(path, hex, &size), 0);
}

/* Starts fakehttp NAME on port with extra flags (NULL-terminated); waits until it listens. */
static void
start_serverv(const char *name, int port, va_list ap)
{
	const char *bin = getenv("FAKEHTTP_BIN");
	char portbuf[16], prefix[64], *argv[24];
	int i = 0;
	pid_t pid;

	assert_non_null(bin);
	assert_true(fx.n_servers < MAX_SERVERS);
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	argv[i++] = (char *)bin;
	argv[i++] = "--listen";
	argv[i++] = portbuf;
	argv[i++] = "--root";
	argv[i++] = fx.root;
	argv[i++] = "--record";
	argv[i++] = t.record;
	argv[i++] = "--name";
	argv[i++] = (char *)name;
	while (i < 23 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	argv[i] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execv(bin, argv);
		_exit(127);
	}
	fx.servers[fx.n_servers++] = pid;
	snprintf(prefix, sizeof(prefix), "start %s ", name);
	assert_true(harness_wait_record(&t, prefix, 5000));
}

static void
start_server(const char *name, int port, ...)
{
	va_list ap;

	va_start(ap, port);
	start_serverv(name, port, ap);
	va_end(ap);
}

static void
write_manifest(const char *template)
{
	harness_write_file(&t, fx.manifest, template);
}

/* The manifest for one asset NAME with a list of mirror URLs (a YAML flow list). */
static void
manifest_one(const char *name, const char *hex, const char *mirrors)
{
	char yaml[2048];

	snprintf(yaml, sizeof(yaml), "assets:\n  %s:\n    sha256: %s\n"
	    "    mirrors: %s\n    dest: out/%s.bin\n", name, hex, mirrors, name);
	write_manifest(yaml);
}

/*
 * What most tests start from: root/a.bin of len bytes, m1 serving it on
 * PORT1 with extra fakehttp flags (NULL-terminated), and a manifest of the
 * one asset a from there.
 */
static void
serve_a(size_t len, unsigned seed, char *hex, ...)
{
	va_list ap;

	make_artifact("a.bin", len, seed, hex);
	va_start(ap, hex);
	start_serverv("m1", t.ports[0], ap);
	va_end(ap);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT1@/a.bin']");
}

/* A file's text; "" when there is none. */
static char *
slurp(const char *path)
{
	char *text = harness_read_file(path);

	return text != NULL ? text : calloc(1, 1);
}

/*
 * Runs `tend fetch ARGS... --manifest M --cache-dir C` (args NULL-terminated);
 * its exit code; stdout and stderr apart. A sanitizer report fails the test.
 */
static int
run_fetch(char **out, char **err, ...)
{
	const char *bin = getenv("TEND_BIN");
	char outpath[400], errpath[400], *argv[32];
	int i = 0, status, fd;
	long long deadline;
	va_list ap;
	pid_t pid, done;

	assert_non_null(bin);
	snprintf(outpath, sizeof(outpath), "%s/fetch.out", t.dir);
	snprintf(errpath, sizeof(errpath), "%s/fetch.err", t.dir);
	argv[i++] = (char *)bin;
	argv[i++] = "fetch";
	va_start(ap, err);
	while (i < 26 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i++] = "--manifest";
	argv[i++] = fx.manifest;
	argv[i++] = "--cache-dir";
	argv[i++] = fx.cache;
	argv[i] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execv(bin, argv);
		_exit(127);
	}
	/* A fetch that never ends is a failure, not a hung test. */
	deadline = harness_mono_ms() + FETCH_DEADLINE_MS;
	while ((done = waitpid(pid, &status, WNOHANG)) == 0 && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	*out = slurp(outpath);
	*err = slurp(errpath);
	fprintf(stderr, "---- tend fetch: stdout ----\n%s---- stderr ----\n%s", *out, *err);
	if (done == 0)
		fail_msg("tend fetch still ran after %d ms", FETCH_DEADLINE_MS);
	if (strstr(*err, "ERROR: AddressSanitizer") || strstr(*err, "ERROR: LeakSanitizer") ||
	    strstr(*err, "runtime error:"))
		fail_msg("tend fetch has a sanitizer report");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The asset placed as out/name has the sha256 hex. */
static void
assert_placed(const char *name, const char *hex)
{
	char path[400], got[SHA256_HEX_LEN + 1];
	int64_t size;

	snprintf(path, sizeof(path), "%s/%s", fx.out, name);
	if (sha256_file(path, got, &size) < 0)
		got[0] = '\0';
	assert_string_equal(got, hex);
}

struct request {
	char	 path[128];
	long long range;	/* -1: none */
	int	 status;
	long long sent;
};

/* The requests server NAME recorded, in order; how many. */
static int
requests(const char *name, struct request *v, int max)
{
	char *text = slurp(t.record), *line, *save = NULL, what[16], who[64];
	struct request r;
	int n = 0, pid;
	long long ns;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%15s %63s %d %lld %127s %lld %d %lld", what, who, &pid, &ns,
		    r.path, &r.range, &r.status, &r.sent) != 8 ||
		    strcmp(what, "request") != 0 || strcmp(who, name) != 0)
			continue;
		if (n < max)
			v[n] = r;
		n++;
	}
	free(text);
	return n;
}

static void
a_mirror_failing_twice_is_retried_until_it_serves(void **state)
{
	char hex[65], yaml[1024], *out, *err;
	struct request r[8];

	make_artifact("a.bin", 200000, 1, hex);
	start_server("m1", t.ports[0], "--fail-first", "2", NULL);
	snprintf(yaml, sizeof(yaml), "assets:\n  a:\n    sha256: %s\n"
	    "    size: 200000\n"
	    "    mirrors: ['http://127.0.0.1:@PORT1@/a.bin']\n"
	    "    dest: out/a.bin\n", hex);
	write_manifest(yaml);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_int_equal(requests("m1", r, 8), 3);
	assert_int_equal(r[0].status, 500);
	assert_int_equal(r[1].status, 500);
	assert_int_equal(r[2].status, 200);
	assert_non_null(strstr(err, "HTTP 500; retrying in"));
	assert_placed("a.bin", hex);
	assert_non_null(strstr(out, "a: ok"));
	free(out);
	free(err);
}

static void
a_connection_dropped_mid_body_is_resumed_with_a_range_request(void **state)
{
	char hex[65], *out, *err;
	struct request r[16];
	int n, i;

	serve_a(300000, 2, hex, "--drop-after", "65536", NULL);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	/* 65536 bytes a connection: five of them, each from where the last stopped. */
	n = requests("m1", r, 16);
	assert_int_equal(n, 5);
	assert_int_equal(r[0].range, -1);
	for (i = 1; i < n; i++) {
		assert_int_equal(r[i].range, 65536LL * i);
		assert_int_equal(r[i].status, 206);
	}
	assert_non_null(strstr(err, "from byte 65536"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

static void
a_reset_connection_is_resumed_too(void **state)
{
	char hex[65], *out, *err;
	struct request r[16];
	int n, i, ranged = 0;

	serve_a(400000, 3, hex, "--drop-after", "100000", "--drop-rst", NULL);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	n = requests("m1", r, 16);
	assert_true(n >= 2);
	for (i = 0; i < n && i < 16; i++)
		if (r[i].range > 0 && r[i].status == 206)
			ranged++;
	assert_true(ranged >= 1);
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

/* Writes the first len bytes of root/name as the cache's part file (or junk). */
static void
leave_part(const char *name, const char *hex, size_t len, bool junk)
{
	char src[400], dst[400], *data;
	FILE *f;

	snprintf(src, sizeof(src), "%s/%s", fx.root, name);
	data = slurp(src);
	if (junk)
		memset(data, 'x', len);
	snprintf(dst, sizeof(dst), "%s/tmp", fx.cache);
	mkdir(fx.cache, 0755);
	mkdir(dst, 0700);
	snprintf(dst, sizeof(dst), "%s/tmp/%s.part", fx.cache, hex);
	f = fopen(dst, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(data);
}

static void
a_part_left_by_an_earlier_run_is_resumed_and_verified(void **state)
{
	char hex[65], part[400], *out, *err;
	struct request r[8];

	serve_a(250000, 4, hex, NULL);
	leave_part("a.bin", hex, 100000, false);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_int_equal(requests("m1", r, 8), 1);
	assert_int_equal(r[0].range, 100000);
	assert_int_equal(r[0].sent, 150000);
	assert_non_null(strstr(out, "(resumed)"));
	assert_placed("a.bin", hex);
	/* The part became the cache's object. */
	snprintf(part, sizeof(part), "%s/tmp/%s.part", fx.cache, hex);
	assert_int_equal(access(part, F_OK), -1);
	free(out);
	free(err);
}

static void
a_damaged_part_is_caught_by_the_hash_and_downloaded_again(void **state)
{
	char hex[65], *out, *err;
	struct request r[8];

	serve_a(250000, 5, hex, NULL);
	leave_part("a.bin", hex, 100000, true);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	/* Resumed, found wrong as a whole, then fetched from byte 0 once more. */
	assert_int_equal(requests("m1", r, 8), 2);
	assert_int_equal(r[0].range, 100000);
	assert_int_equal(r[1].range, -1);
	assert_non_null(strstr(err, "sha256 mismatch"));
	assert_non_null(strstr(err, "starting over from this mirror"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

static void
a_corrupt_mirror_is_left_for_the_next(void **state)
{
	char hex[65], url2[200], *out, *err;
	json_t *doc, *a, *e;
	struct request r[8];

	make_artifact("a.bin", 150000, 6, hex);
	start_server("m1", t.ports[0], "--corrupt", NULL);
	start_server("m2", t.ports[1], NULL);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT1@/a.bin', "
	    "'http://127.0.0.1:@PORT2@/a.bin']");
	assert_int_equal(run_fetch(&out, &err, "--format", "json", NULL), 0);
	assert_int_equal(requests("m1", r, 8), 1);
	assert_int_equal(requests("m2", r, 8), 1);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	a = json_array_get(json_object_get(doc, "assets"), 0);
	snprintf(url2, sizeof(url2), "http://127.0.0.1:%d/a.bin", t.ports[1]);
	assert_string_equal(json_string_value(json_object_get(a, "source")), url2);
	assert_true(json_is_true(json_object_get(a, "sha256_ok")));
	assert_int_equal(json_integer_value(json_object_get(a, "bytes")), 150000);
	e = json_array_get(json_object_get(a, "mirror_errors"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(e, "error")),
	    "sha256 mismatch"));
	json_decref(doc);
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

static void
offline_serves_a_warm_cache_without_the_network(void **state)
{
	char hex[65], dest[400], *out, *err;

	serve_a(120000, 7, hex, NULL);
	assert_int_equal(run_fetch(&out, &err, "--warmup", NULL), 0);
	assert_non_null(strstr(out, "cached"));
	free(out);
	free(err);
	stop_servers();

	/* Nothing listens on the mirror's port now. */
	assert_int_equal(run_fetch(&out, &err, "--offline", NULL), 0);
	assert_non_null(strstr(out, "a: ok"));
	assert_non_null(strstr(out, "from the cache"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);

	/* Without --offline, too: the cache is enough, the network is not asked. */
	snprintf(dest, sizeof(dest), "%s/a.bin", fx.out);
	assert_int_equal(unlink(dest), 0);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_null(strstr(err, "network:"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

static void
offline_with_a_cold_cache_names_what_is_missing(void **state)
{
	char hex[65], *out, *err;

	make_artifact("a.bin", 1000, 8, hex);
	/* PORT4 is free: nothing listens there. */
	manifest_one("tool", hex, "['http://127.0.0.1:@PORT4@/a.bin']");
	assert_int_equal(run_fetch(&out, &err, "--offline", NULL), 1);
	assert_non_null(strstr(out, "tool: FAILED: not in the cache"));
	assert_non_null(strstr(out, "--offline"));
	free(out);
	free(err);

	/* Not told: the probe finds no mirror host and says so. */
	assert_int_equal(run_fetch(&out, &err, NULL), 1);
	assert_non_null(strstr(err, "network: offline"));
	assert_non_null(strstr(out, "tool: FAILED"));
	assert_non_null(strstr(out, "network is offline"));
	free(out);
	free(err);
}

static void
an_offline_network_still_leaves_file_mirrors(void **state)
{
	char hex[65], mirrors[600], *out, *err;

	make_artifact("a.bin", 40000, 31, hex);
	snprintf(mirrors, sizeof(mirrors), "['http://127.0.0.1:@PORT4@/a.bin', "
	    "'file://%s/a.bin']", fx.root);
	manifest_one("a", hex, mirrors);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_non_null(strstr(err, "network: offline"));
	assert_non_null(strstr(out, "from file://"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

static void
an_unreachable_mirror_is_tried_last_when_the_network_is_limited(void **state)
{
	char hex[65], *out, *err;
	struct request r[4];

	make_artifact("a.bin", 50000, 9, hex);
	start_server("m2", t.ports[1], NULL);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT4@/a.bin', "
	    "'http://127.0.0.1:@PORT2@/a.bin']");
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_non_null(strstr(err, "network: limited"));
	assert_non_null(strstr(err, "unreachable in the probe"));
	assert_int_equal(requests("m2", r, 4), 1);
	/* The unreachable one was never needed, so never tried. */
	assert_null(strstr(out, "FAILED"));
	free(out);
	free(err);
}

static void
verify_catches_a_modified_file_and_fetch_repairs_it(void **state)
{
	char hex[65], dest[400], *out, *err;
	FILE *f;

	serve_a(80000, 10, hex, NULL);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--verify", NULL), 0);
	assert_non_null(strstr(out, "a: ok"));
	free(out);
	free(err);

	/* Edited in place (it is read-only: someone insisted). */
	snprintf(dest, sizeof(dest), "%s/a.bin", fx.out);
	assert_int_equal(chmod(dest, 0644), 0);
	f = fopen(dest, "r+");
	assert_non_null(f);
	fputs("tampered", f);
	fclose(f);
	assert_int_equal(run_fetch(&out, &err, "--verify", NULL), 1);
	assert_non_null(strstr(out, "a: FAILED"));
	assert_non_null(strstr(out, "was modified"));
	free(out);
	free(err);

	/* The placed file was a link to the cache: both are fetched anew. */
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_non_null(strstr(err, "damaged"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--verify", "--format", "json", NULL), 0);
	assert_non_null(strstr(out, "\"sha256_ok\": true"));
	free(out);
	free(err);
}

static bool
object_exists(const char *hex)
{
	char path[500];

	snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", fx.cache, hex, hex);
	return access(path, F_OK) == 0;
}

static void
prune_removes_the_least_recently_used_first(void **state)
{
	char a[65], b[65], c[65], yaml[2048], *out, *err;

	make_artifact("a.bin", 100000, 11, a);
	make_artifact("b.bin", 100000, 12, b);
	make_artifact("c.bin", 100000, 13, c);
	start_server("m1", t.ports[0], NULL);
	snprintf(yaml, sizeof(yaml), "assets:\n"
	    "  a: { sha256: %s, mirrors: ['http://127.0.0.1:@PORT1@/a.bin'], dest: out/a }\n"
	    "  b: { sha256: %s, mirrors: ['http://127.0.0.1:@PORT1@/b.bin'], dest: out/b }\n"
	    "  c: { sha256: %s, mirrors: ['http://127.0.0.1:@PORT1@/c.bin'], dest: out/c }\n",
	    a, b, c);
	write_manifest(yaml);
	/* Used in the order a, b, c, then a again: b is the least recently used. */
	assert_int_equal(run_fetch(&out, &err, "a", "b", "c", NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "a", NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--prune", "250KB", NULL), 0);
	assert_non_null(strstr(out, "1 file removed"));
	assert_false(object_exists(b));
	assert_true(object_exists(a));
	assert_true(object_exists(c));
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--prune", "100KB", "--format", "json",
	    NULL), 0);
	assert_non_null(strstr(out, "\"after\": 100000"));
	assert_false(object_exists(c));
	assert_true(object_exists(a));
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--prune", "lots", NULL), 2);
	free(out);
	free(err);
}

static void
the_fastest_remembered_mirror_is_tried_first(void **state)
{
	char x1[65], x2[65], x3[65], yaml[2048], *out, *err;
	struct request r[8];
	int n, i;

	make_artifact("x1.bin", 100000, 21, x1);
	make_artifact("x2.bin", 100000, 22, x2);
	make_artifact("x3.bin", 100000, 23, x3);
	/* slow: 200 KB/s (half a second for 100 KB); fast: as fast as loopback. */
	start_server("slow", t.ports[0], "--rate", "200000", NULL);
	start_server("fast", t.ports[1], NULL);
	snprintf(yaml, sizeof(yaml), "assets:\n"
	    "  x1: { sha256: %s, dest: out/x1, mirrors: ['http://127.0.0.1:@PORT1@/x1.bin',"
	    " 'http://127.0.0.1:@PORT2@/x1.bin'] }\n"
	    "  x2: { sha256: %s, dest: out/x2, mirrors: ['http://127.0.0.1:@PORT2@/x2.bin'] }\n"
	    "  x3: { sha256: %s, dest: out/x3, mirrors: ['http://127.0.0.1:@PORT1@/x3.bin',"
	    " 'http://127.0.0.1:@PORT2@/x3.bin'] }\n", x1, x2, x3);
	write_manifest(yaml);
	/* Neither known: the manifest's order, slow first. Then fast is measured. */
	assert_int_equal(run_fetch(&out, &err, "x1", "x2", NULL), 0);
	n = requests("slow", r, 8);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].path, "/x1.bin");
	free(out);
	free(err);

	assert_int_equal(run_fetch(&out, &err, "x3", NULL), 0);
	assert_non_null(strstr(err, "the fastest known first"));
	n = requests("slow", r, 8);
	assert_int_equal(n, 1);		/* still only x1 */
	n = requests("fast", r, 8);
	for (i = 0; i < n && strcmp(r[i].path, "/x3.bin") != 0; i++)
		;
	assert_true(i < n);
	free(out);
	free(err);
}

static long long tree_total;

static int
tree_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_F)
		tree_total += (long long)st->st_size;
	return 0;
}

/* Bytes of the files under dir. */
static long long
dir_bytes(const char *dir)
{
	tree_total = 0;
	assert_int_equal(nftw(dir, tree_add, 16, FTW_PHYS), 0);
	return tree_total;
}

/* Without a size, an endless mirror is cut off at the cap; the next one serves. */
static void
an_endless_mirror_is_cut_off_at_the_cap(void **state)
{
	char hex[65], yaml[1024], *out, *err;
	struct request r[4];

	make_artifact("a.bin", 100000, 41, hex);
	start_server("endless", t.ports[0], "--endless", NULL);
	start_server("good", t.ports[1], NULL);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT1@/a.bin', "
	    "'http://127.0.0.1:@PORT2@/a.bin']");
	assert_int_equal(run_fetch(&out, &err, "--max-size", "1MB", NULL), 0);
	assert_non_null(strstr(err, "sent more than 1.0 MiB, the most taken for an asset "
	    "without a size"));
	assert_placed("a.bin", hex);
	assert_int_equal(requests("endless", r, 4), 1);
	assert_int_equal(requests("good", r, 4), 1);
	assert_int_equal(r[0].range, -1);	/* the endless bytes were dropped */
	assert_true(dir_bytes(fx.cache) < 1000000);
	free(out);
	free(err);

	/* The manifest's max_size, and nothing else to turn to. */
	make_artifact("b.bin", 1000, 45, hex);
	snprintf(yaml, sizeof(yaml), "assets:\n  b:\n    sha256: %s\n    max_size: 64KB\n"
	    "    mirrors: ['http://127.0.0.1:@PORT1@/b.bin']\n    dest: out/b.bin\n", hex);
	write_manifest(yaml);
	assert_int_equal(run_fetch(&out, &err, NULL), 1);
	assert_non_null(strstr(out, "b: FAILED: its mirror failed: "
	    "http://127.0.0.1:"));
	assert_non_null(strstr(out, "sent more than 64.0 KiB"));
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--max-size", "lots", NULL), 2);
	assert_non_null(strstr(err, "--max-size: expected a size"));
	free(out);
	free(err);
}

/* A mirror that answers and then sends nothing is left at the stall timeout. */
static void
a_stalled_mirror_is_left_for_the_next(void **state)
{
	char hex[65], *out, *err;
	struct request r[4];
	long long started;

	make_artifact("a.bin", 50000, 42, hex);
	start_server("stall", t.ports[0], "--stall", NULL);
	start_server("good", t.ports[1], NULL);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT1@/a.bin', "
	    "'http://127.0.0.1:@PORT2@/a.bin']");
	started = harness_mono_ms();
	assert_int_equal(run_fetch(&out, &err, "--stall-timeout", "1s", NULL), 0);
	/* One stall (a second or two), not three tries with backoff between. */
	assert_true(harness_mono_ms() - started < 8000);
	assert_non_null(strstr(err, "stalled: no data for 1 s"));
	assert_int_equal(requests("stall", r, 4), 1);
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

/* file:// mirrors are read only when they name a regular file. */
static void
file_mirrors_must_be_regular_files(void **state)
{
	char hex[65], fifo[400], mirrors[1200], *out, *err;

	make_artifact("a.bin", 30000, 43, hex);
	snprintf(fifo, sizeof(fifo), "%s/fifo", t.dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(mirrors, sizeof(mirrors), "['file://%s', 'file:///dev/zero', "
	    "'file://localhost%s/a%%2Ebin']", fifo, fx.root);
	manifest_one("a", hex, mirrors);
	assert_int_equal(run_fetch(&out, &err, NULL), 0);
	assert_non_null(strstr(err, "fifo is not a regular file"));
	assert_non_null(strstr(err, "/dev/zero is not a regular file"));
	assert_placed("a.bin", hex);
	free(out);
	free(err);
}

/* A mirror's user:password@ is in no report, log line or file of the cache. */
static void
mirror_credentials_are_not_shown(void **state)
{
	char hex[65], cmd[700], *out, *err;

	make_artifact("a.bin", 20000, 44, hex);
	start_server("good", t.ports[1], NULL);
	manifest_one("a", hex, "['http://gone:s3cretpw@127.0.0.1:@PORT4@/a.bin', "
	    "'http://fetch:s3cretpw@127.0.0.1:@PORT2@/a.bin?token=s3crettok']");
	assert_int_equal(run_fetch(&out, &err, "--format", "json", NULL), 0);
	assert_non_null(strstr(out, "\"source\": \"http://fetch:***@127.0.0.1:"));
	assert_non_null(strstr(out, "/a.bin?token=***\""));
	assert_non_null(strstr(err, "gone:***@127.0.0.1"));
	assert_null(strstr(out, "s3cret"));
	assert_null(strstr(err, "s3cret"));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "grep -rq s3cret %s", fx.cache);
	assert_int_not_equal(system(cmd), 0);
}

static void
usage_and_manifest_errors_exit_2(void **state)
{
	char hex[65], *out, *err;

	make_artifact("a.bin", 1000, 30, hex);
	manifest_one("a", hex, "['http://127.0.0.1:@PORT1@/a.bin']");
	assert_int_equal(run_fetch(&out, &err, "nosuch", NULL), 2);
	assert_non_null(strstr(err, "no asset 'nosuch'"));
	free(out);
	free(err);
	assert_int_equal(run_fetch(&out, &err, "--verify", "--warmup", NULL), 2);
	free(out);
	free(err);
	write_manifest("assets:\n  a:\n    sha256: abc\n    mirrors: [ftp://x/y]\n"
	    "    dest: out/a\n");
	assert_int_equal(run_fetch(&out, &err, NULL), 2);
	assert_non_null(strstr(err, ":3:13: 'sha256': expected 64 hex digits"));
	assert_non_null(strstr(err, ":4:15: 'mirrors': expected an http://"));
	free(out);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FETCH_TEST(a_mirror_failing_twice_is_retried_until_it_serves),
		FETCH_TEST(a_connection_dropped_mid_body_is_resumed_with_a_range_request),
		FETCH_TEST(a_reset_connection_is_resumed_too),
		FETCH_TEST(a_part_left_by_an_earlier_run_is_resumed_and_verified),
		FETCH_TEST(a_damaged_part_is_caught_by_the_hash_and_downloaded_again),
		FETCH_TEST(a_corrupt_mirror_is_left_for_the_next),
		FETCH_TEST(offline_serves_a_warm_cache_without_the_network),
		FETCH_TEST(offline_with_a_cold_cache_names_what_is_missing),
		FETCH_TEST(an_offline_network_still_leaves_file_mirrors),
		FETCH_TEST(an_unreachable_mirror_is_tried_last_when_the_network_is_limited),
		FETCH_TEST(verify_catches_a_modified_file_and_fetch_repairs_it),
		FETCH_TEST(prune_removes_the_least_recently_used_first),
		FETCH_TEST(the_fastest_remembered_mirror_is_tried_first),
		FETCH_TEST(an_endless_mirror_is_cut_off_at_the_cap),
		FETCH_TEST(a_stalled_mirror_is_left_for_the_next),
		FETCH_TEST(file_mirrors_must_be_regular_files),
		FETCH_TEST(mirror_credentials_are_not_shown),
		FETCH_TEST(usage_and_manifest_errors_exit_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
