/*
 * The pieces of tend fetch that need no network: cache paths, hashing,
 * commit and placement, pruning order, mirror keys and mirror order, the
 * probe's verdict, and where the cache lives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/cache.h"
#include "net/fetch.h"
#include "net/fetch_mirrors.h"
#include "net/fetch_probe.h"

/* sha256("test") */
#define TEST_SHA	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static char dir[64];

static int
make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tend-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
remove_dir(void **state)
{
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
objects_are_named_by_their_sha256_in_a_two_digit_fan_out(void **state)
{
	char *p = cache_object_path("/c", TEST_SHA);

	assert_string_equal(p, "/c/sha256/9f/" TEST_SHA);
	free(p);
	p = cache_part_path("/c", TEST_SHA);
	assert_string_equal(p, "/c/tmp/" TEST_SHA ".part");
	free(p);
	assert_true(sha256_hex_valid(TEST_SHA));
	assert_false(sha256_hex_valid("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"));
	assert_false(sha256_hex_valid("9f86"));
}

static void
a_file_is_hashed_and_committed_read_only(void **state)
{
	char path[128], hex[65], *object;
	struct stat st;
	int64_t size;

	assert_int_equal(cache_init(dir), 0);
	snprintf(path, sizeof(path), "%s/tmp/x.part", dir);
	write_text(path, "test");
	assert_int_equal(sha256_file(path, hex, &size), 0);
	assert_string_equal(hex, TEST_SHA);
	assert_int_equal(size, 4);
	assert_int_equal(cache_commit(dir, path, TEST_SHA), 0);
	object = cache_object_path(dir, TEST_SHA);
	assert_int_equal(stat(object, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0444);
	assert_int_equal(access(path, F_OK), -1);
	free(object);
}

static void
a_streamed_hash_peeks_without_ending(void **state)
{
	struct sha256 *h = sha256_new();
	char a[65], b[65];

	sha256_update(h, "te", 2);
	sha256_peek(h, a);
	sha256_update(h, "st", 2);
	sha256_final(h, b);
	assert_string_equal(b, TEST_SHA);
	assert_string_not_equal(a, TEST_SHA);
	sha256_free(h);
}

static void
ingest_refuses_content_that_is_not_the_named_one(void **state)
{
	char path[128], *object;

	assert_int_equal(cache_init(dir), 0);
	snprintf(path, sizeof(path), "%s/file", dir);
	write_text(path, "not test");
	assert_int_equal(cache_ingest(dir, path, TEST_SHA), 1);
	object = cache_object_path(dir, TEST_SHA);
	assert_int_equal(access(object, F_OK), -1);
	write_text(path, "test");
	assert_int_equal(cache_ingest(dir, path, TEST_SHA), 0);
	assert_int_equal(access(object, F_OK), 0);
	free(object);
}

static void
placing_links_read_only_and_copies_writable(void **state)
{
	char path[128], dest[128], dest2[128], err[256], *object;
	enum cache_placement how;
	struct stat a, b;

	assert_int_equal(cache_init(dir), 0);
	snprintf(path, sizeof(path), "%s/tmp/x", dir);
	write_text(path, "test");
	assert_int_equal(cache_commit(dir, path, TEST_SHA), 0);
	object = cache_object_path(dir, TEST_SHA);
	snprintf(dest, sizeof(dest), "%s/deep/er/x", dir);
	assert_int_equal(cache_place(object, dest, 0444, &how, err, sizeof(err)), 0);
	assert_int_equal(how, CACHE_PLACED_LINK);
	assert_int_equal(stat(object, &a), 0);
	assert_int_equal(stat(dest, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	/* Again: nothing to do. */
	assert_int_equal(cache_place(object, dest, 0444, &how, err, sizeof(err)), 0);
	assert_int_equal(how, CACHE_PLACED_ALREADY);
	/* Writable: a copy of its own, with the mode asked for. */
	snprintf(dest2, sizeof(dest2), "%s/w", dir);
	assert_int_equal(cache_place(object, dest2, 0640, &how, err, sizeof(err)), 0);
	assert_int_equal(how, CACHE_PLACED_COPY);
	assert_int_equal(stat(dest2, &b), 0);
	assert_int_not_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_mode & 07777, 0640);
	/* A directory in the way is an error, not replaced. */
	assert_int_equal(cache_place(object, dir, 0444, &how, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	free(object);
}

static struct cache_entry
entry(const char *path, int64_t size, int64_t used)
{
	return (struct cache_entry){ .path = (char *)path, .size = size, .used_ns = used,
	    .object = true };
}

static void
pruning_takes_the_least_recently_used_first(void **state)
{
	struct cache_entry v[] = {
		entry("c", 100, 30), entry("a", 100, 10), entry("d", 50, 40),
		entry("b", 100, 10),
	};

	cache_sort_lru(v, 4);
	/* Oldest first; equal times by path, so the order never wobbles. */
	assert_string_equal(v[0].path, "a");
	assert_string_equal(v[1].path, "b");
	assert_string_equal(v[2].path, "c");
	assert_string_equal(v[3].path, "d");
	assert_int_equal(cache_prune_count(v, 4, 350), 0);
	assert_int_equal(cache_prune_count(v, 4, 349), 1);
	assert_int_equal(cache_prune_count(v, 4, 150), 2);
	assert_int_equal(cache_prune_count(v, 4, 50), 3);
	assert_int_equal(cache_prune_count(v, 4, 0), 4);
}

static void
prune_uses_access_times_on_disk(void **state)
{
	struct cache_prune_report r;
	struct timespec times[2];
	char path[128], err[256];
	const char *names[] = { "aa11", "bb22", "cc33" };
	int i;

	assert_int_equal(cache_init(dir), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/sha256/%.2s", dir, names[i]);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", dir, names[i], names[i]);
		write_text(path, "0123456789");
		/* bb22 used longest ago, then cc33, then aa11. */
		times[0] = (struct timespec){ .tv_sec = 1000000 + (i == 0 ? 300 : i == 1 ? 100 : 200) };
		times[1] = (struct timespec){ .tv_sec = 1000000 };
		assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	}
	snprintf(path, sizeof(path), "%s/tmp/old.part", dir);
	write_text(path, "01234");
	times[0] = times[1] = (struct timespec){ .tv_sec = 999999 };
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);

	assert_int_equal(cache_prune(dir, 15, &r, err, sizeof(err)), 0);
	assert_int_equal(r.before, 35);
	assert_int_equal(r.after, 10);
	assert_int_equal(r.n_removed, 3);
	assert_non_null(strstr(r.removed[0].path, "old.part"));
	assert_non_null(strstr(r.removed[1].path, "bb22"));
	assert_non_null(strstr(r.removed[2].path, "cc33"));
	cache_prune_report_free(&r);
	snprintf(path, sizeof(path), "%s/sha256/aa/aa11", dir);
	assert_int_equal(access(path, F_OK), 0);
}

static void
mirror_keys_name_scheme_host_and_port(void **state)
{
	char *k;

	k = mirror_key("https://Mirror.Example.org/a/b.tar");
	assert_string_equal(k, "https://mirror.example.org:443");
	free(k);
	k = mirror_key("http://user:pw@127.0.0.1:8080/x?y");
	assert_string_equal(k, "http://127.0.0.1:8080");
	free(k);
	k = mirror_key("http://u:p@ss@Host:8081/x@y");
	assert_string_equal(k, "http://host:8081");
	free(k);
	k = mirror_key("http://[::1]:81/x");
	assert_string_equal(k, "http://[::1]:81");
	free(k);
	k = mirror_key("http://h");
	assert_string_equal(k, "http://h:80");
	free(k);
	k = mirror_key("file:///srv/x");
	assert_string_equal(k, "file://");
	free(k);
}

static void
mirrors_go_fastest_known_first_then_unknown_then_failed(void **state)
{
	struct mirror_memory m[5] = {
		{ .known = false },					/* 0 unknown */
		{ .known = true, .bytes_per_second = 1e6 },		/* 1 slow */
		{ .known = true, .failed = true, .at_ms = 200 },	/* 2 failed lately */
		{ .known = true, .bytes_per_second = 5e7 },		/* 3 fast */
		{ .known = true, .failed = true, .at_ms = 100 },	/* 4 failed earlier */
	};
	bool demoted[5] = { false, false, false, false, false };
	size_t order[5];

	mirror_order(m, NULL, 5, order);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 4);
	assert_int_equal(order[4], 2);

	/* Hosts the probe could not reach go last, whatever they did before. */
	demoted[3] = true;
	mirror_order(m, demoted, 5, order);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[4], 3);

	/* Nothing known: the manifest's order. */
	memset(m, 0, sizeof(m));
	mirror_order(m, NULL, 5, order);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(order[i], i);
}

static void
the_mirror_book_remembers_between_runs(void **state)
{
	struct mirror_book b;
	struct mirror_memory m;

	mirror_book_load(&b, dir);
	mirror_book_good(&b, "http://127.0.0.1:1/a", 1000000, 0.5, 42);
	mirror_book_failed(&b, "http://127.0.0.1:2/b", "HTTP 404", 43);
	assert_int_equal(mirror_book_save(&b), 0);
	mirror_book_free(&b);

	mirror_book_load(&b, dir);
	/* Per host: another path on the same host shares the record. */
	mirror_book_get(&b, "http://127.0.0.1:1/other", &m);
	assert_true(m.known);
	assert_false(m.failed);
	assert_true(m.bytes_per_second > 1.99e6 && m.bytes_per_second < 2.01e6);
	assert_int_equal(m.at_ms, 42);
	mirror_book_get(&b, "http://127.0.0.1:2/b", &m);
	assert_true(m.failed);
	assert_string_equal(m.error, "HTTP 404");
	mirror_book_get(&b, "http://127.0.0.1:3/c", &m);
	assert_false(m.known);
	mirror_book_free(&b);
}

static void
the_probe_picks_online_limited_or_offline(void **state)
{
	struct probe p = { 0 };

	assert_int_equal(probe_strategy(&p), FETCH_NET_ONLINE);
	probe_add(&p, "http://127.0.0.1:1/a");
	probe_add(&p, "http://127.0.0.1:1/b");		/* the same host */
	probe_add(&p, "https://127.0.0.1:2/c");
	probe_add(&p, "file:///srv/d");			/* needs no network */
	assert_int_equal(p.n, 2);
	p.v[0].state = PROBE_OK;
	p.v[1].state = PROBE_OK;
	assert_int_equal(probe_strategy(&p), FETCH_NET_ONLINE);
	p.v[1].state = PROBE_SLOW;
	assert_int_equal(probe_strategy(&p), FETCH_NET_LIMITED);
	p.v[1].state = PROBE_FAILED;
	assert_int_equal(probe_strategy(&p), FETCH_NET_LIMITED);
	p.v[0].state = PROBE_FAILED;
	assert_int_equal(probe_strategy(&p), FETCH_NET_OFFLINE);
	assert_ptr_equal(probe_find(&p, "https://127.0.0.1:2/zz"), &p.v[1]);
	probe_free(&p);
}

static void
a_closed_port_fails_the_probe_quickly(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct probe p = { 0 };
	char summary[512], url[64];
	int fd;

	/* A port bound but not listening: the connect is refused at once. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/a", ntohs(sa.sin_port));
	probe_add(&p, url);
	probe_run(&p, 1500, 750);
	assert_int_equal(p.v[0].state, PROBE_FAILED);
	assert_true(p.v[0].ms < 1000);
	assert_int_equal(probe_strategy(&p), FETCH_NET_OFFLINE);
	probe_summary(&p, summary, sizeof(summary));
	assert_non_null(strstr(summary, "no mirror host answered"));
	assert_non_null(strstr(summary, "refused") != NULL ? summary :
	    strstr(summary, "connect"));
	probe_free(&p);
	close(fd);
}

static void
the_cache_dir_follows_options_then_config_then_defaults(void **state)
{
	struct tend_config cfg = { 0 };
	char *d;

	unsetenv("TEND_CACHE_DIR");
	unsetenv("TEND_STATE_DIR");
	d = fetch_cache_dir("/opt", NULL, &cfg, NULL);
	assert_string_equal(d, "/opt");
	free(d);
	setenv("TEND_CACHE_DIR", "/env", 1);
	d = fetch_cache_dir(NULL, NULL, &cfg, NULL);
	assert_string_equal(d, "/env");
	free(d);
	unsetenv("TEND_CACHE_DIR");
	cfg.cache_dir = "/conf";
	d = fetch_cache_dir(NULL, NULL, &cfg, "/state");
	assert_string_equal(d, "/conf");
	free(d);
	cfg.cache_dir = NULL;
	/* A chosen state dir keeps the cache with it. */
	d = fetch_cache_dir(NULL, NULL, &cfg, "/state");
	assert_string_equal(d, "/state/cache");
	free(d);
	d = fetch_cache_dir(NULL, NULL, &cfg, NULL);
	if (geteuid() == 0)
		assert_string_equal(d, "/var/lib/tend/cache");
	else
		assert_non_null(strstr(d, "/tend"));
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(objects_are_named_by_their_sha256_in_a_two_digit_fan_out),
		cmocka_unit_test_setup_teardown(a_file_is_hashed_and_committed_read_only,
		    make_dir, remove_dir),
		cmocka_unit_test(a_streamed_hash_peeks_without_ending),
		cmocka_unit_test_setup_teardown(ingest_refuses_content_that_is_not_the_named_one,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(placing_links_read_only_and_copies_writable,
		    make_dir, remove_dir),
		cmocka_unit_test(pruning_takes_the_least_recently_used_first),
		cmocka_unit_test_setup_teardown(prune_uses_access_times_on_disk,
		    make_dir, remove_dir),
		cmocka_unit_test(mirror_keys_name_scheme_host_and_port),
		cmocka_unit_test(mirrors_go_fastest_known_first_then_unknown_then_failed),
		cmocka_unit_test_setup_teardown(the_mirror_book_remembers_between_runs,
		    make_dir, remove_dir),
		cmocka_unit_test(the_probe_picks_online_limited_or_offline),
		cmocka_unit_test(a_closed_port_fails_the_probe_quickly),
		cmocka_unit_test(the_cache_dir_follows_options_then_config_then_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
