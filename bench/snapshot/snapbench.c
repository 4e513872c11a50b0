/*
 * The snapshot engine on a generated tree: N files (FILES, default
 * 10,000) of SIZE bytes on average (default 50 KB: 500 MB), in 100
 * directories. Times the first snapshot, a second of the unchanged tree,
 * an incremental one after 10 files changed, and the restore of those 10.
 *
 *	snapbench DIR	(DIR is made; DIR/tree, DIR/state)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fdio.h"
#include "core/statedir.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "snapbench: %s: %s\n", what, err);
	exit(1);
}

static void
make_tree(const char *tree, long files, long size)
{
	char path[8192], *buf = malloc((size_t)size * 2 + 1);
	long i, len;
	int fd;

	for (i = 0; i < size * 2; i++)
		buf[i] = (char)('a' + (i * 7919 + i / 61) % 26);
	mkdir(tree, 0755);
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/d%02ld", tree, i);
		mkdir(path, 0755);
	}
	for (i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/d%02ld/f%05ld", tree, i % 100, i);
		len = size / 2 + (i * 104729) % (size + 1);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
		    fd_write_all(fd, buf + i % size, (size_t)len) < 0 ||
		    write(fd, path, strlen(path)) < 0)	/* each file its own content */
			die(path, strerror(errno));
		close(fd);
	}
	free(buf);
	sync();
}

#define ROUNDS	5

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp_double);
	return v[ROUNDS / 2];
}

/* Appends a line to 10 files, different ones each round. */
static void
change10(const char *tree, long files, int round)
{
	char path[8192];
	long i, n;
	int fd;

	for (i = 0; i < 10; i++) {
		n = (i * 997 + round * 13) % files;
		snprintf(path, sizeof(path), "%s/d%02ld/f%05ld", tree, n % 100, n);
		if ((fd = open(path, O_WRONLY | O_APPEND)) < 0 || write(fd, "changed\n", 8) < 0)
			die(path, strerror(errno));
		close(fd);
	}
	/*
	 * A file changed in the clock tick a walk starts in is not cached (it
	 * could change again unseen): let the tick pass, as it has by the time
	 * anyone snapshots after a deploy.
	 */
	usleep(20000);
}

static double
create(struct snapshot_engine *eng, const struct snapshot_spec *spec, int64_t *id,
    struct snapshot_stats *st)
{
	char err[1024];
	int64_t t0 = clock_mono_ns();

	if (snapshot_create(eng, spec, NULL, "bench", id, st, err, sizeof(err)) < 0)
		die("create", err);
	return (double)(clock_mono_ns() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	char tree[1024], state[1024], err[1024], *db;
	const char *paths[1] = { tree };
	struct snapshot_spec spec = { .name = "bench", .paths = paths, .n_paths = 1 };
	struct snapshot_restore_opts ro = { 0 };
	struct snapshot_restore_result rr;
	struct snapshot_stats st;
	struct statedir *sd;
	struct store *store;
	struct snapshot_engine *eng;
	long files = getenv("FILES") ? atol(getenv("FILES")) : 10000;
	long size = getenv("SIZE") ? atol(getenv("SIZE")) : 50000;
	int64_t id1, id2, id3, t0;
	double ms;
	double t_same[ROUNDS], t_inc[ROUNDS], t_rest[ROUNDS];
	int r;

	if (argc != 2)
		die("usage", "snapbench DIR");
	mkdir(argv[1], 0700);
	snprintf(tree, sizeof(tree), "%s/tree", argv[1]);
	snprintf(state, sizeof(state), "%s/state", argv[1]);
	t0 = clock_mono_ns();
	make_tree(tree, files, size);
	printf("tree: %ld files, %.0f ms to make\n", files, (clock_mono_ns() - t0) / 1e6);
	sleep(1);	/* the stat cache trusts files changed before a walk's clock tick */
	if ((sd = statedir_open(state, err, sizeof(err))) == NULL)
		die(state, err);
	if (store_prepare_file(sd, err, sizeof(err)) < 0)
		die("store", err);
	db = statedir_file(sd, "tend.db");
	if ((store = store_open(db, err, sizeof(err))) == NULL)
		die(db, err);
	if ((eng = snapshot_engine_open(sd, store, NULL, NULL, err, sizeof(err))) == NULL)
		die("engine", err);

	ms = create(eng, &spec, &id1, &st);
	printf("first snapshot:       %9.1f ms  (%lld files, %lld MB read, %lld objects)\n", ms,
	    (long long)st.files, (long long)(st.read_bytes >> 20), (long long)st.new_objects);
	for (r = 0; r < ROUNDS; r++)
		t_same[r] = create(eng, &spec, &id2, &st);
	printf("unchanged snapshot:   %9.1f ms  median of %d (%lld files read, %lld new "
	    "objects, %lld bytes)\n", median(t_same), ROUNDS, (long long)st.read_files,
	    (long long)st.new_objects, (long long)st.new_bytes);
	for (r = 0; r < ROUNDS; r++) {
		change10(tree, files, r);
		t_inc[r] = create(eng, &spec, &id3, &st);
		if (st.read_files != 10)
			die("incremental", "did not read exactly the 10 changed files");
	}
	printf("10 changed, snapshot: %9.1f ms  median of %d (%lld files read, %lld new "
	    "objects)\n", median(t_inc), ROUNDS, (long long)st.read_files,
	    (long long)st.new_objects);

	/* Back and forth between the last two states: 10 files each way. */
	change10(tree, files, ROUNDS);
	create(eng, &spec, &id2, &st);
	ro.dry_run = true;
	t0 = clock_mono_ns();
	if (snapshot_restore(eng, id3, &ro, &rr, err, sizeof(err)) < 0)
		die("restore --dry-run", err);
	printf("restore plan (dry):   %9.1f ms  (%zu steps)\n", (clock_mono_ns() - t0) / 1e6,
	    rr.n);
	snapshot_restore_result_free(&rr);
	ro.dry_run = false;
	for (r = 0; r < ROUNDS; r++) {
		t0 = clock_mono_ns();
		if (snapshot_restore(eng, r % 2 == 0 ? id3 : id2, &ro, &rr, err,
		    sizeof(err)) < 0)
			die("restore", err);
		t_rest[r] = (clock_mono_ns() - t0) / 1e6;
		if (rr.n != 10)
			die("restore", "not 10 steps");
		snapshot_restore_result_free(&rr);
	}
	printf("restore of 10 files:  %9.1f ms  median of %d (with its pre-rollback "
	    "snapshot)\n", median(t_rest), ROUNDS);
	snapshot_engine_close(eng);
	store_close(store);
	statedir_close(sd);
	free(db);
	return 0;
}
