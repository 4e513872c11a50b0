/*
 * The cleanup action on 10,000 old files: the time of cleanup_run alone
 * (the files are made before the clock starts), as a dry run (the walk
 * and the looks) and for real (the removals too), for two layouts:
 *   flat   DIR/flat/f00000.log ... one directory of FILES files
 *   tree   DIR/tree/d000/cache/f000.log ... DIRS directories of FILES/DIRS
 * usage: cleanbench [FILES [DIRS [ROUNDS]]]   (10000 100 5); prints the
 * median of ROUNDS per layout and mode: wall clock and CPU time (user +
 * system, steadier on a busy machine), in ms.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "heal/cleanup.h"

static char base[64];

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
make_file(const char *path)
{
	struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1 || futimens(fd, ts) < 0)
		die(path);
	close(fd);
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0)
		die(path);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
layout(const char *kind, int files, int dirs)
{
	char path[512];
	int d, f, per;

	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	make_dir(base);
	snprintf(path, sizeof(path), "%s/%s", base, kind);
	make_dir(path);
	if (strcmp(kind, "flat") == 0) {
		for (f = 0; f < files; f++) {
			snprintf(path, sizeof(path), "%s/flat/f%05d.log", base, f);
			make_file(path);
		}
		return;
	}
	per = files / dirs;
	for (d = 0; d < dirs; d++) {
		snprintf(path, sizeof(path), "%s/tree/d%03d", base, d);
		make_dir(path);
		snprintf(path, sizeof(path), "%s/tree/d%03d/cache", base, d);
		make_dir(path);
		for (f = 0; f < per; f++) {
			snprintf(path, sizeof(path), "%s/tree/d%03d/cache/f%03d.log", base, d, f);
			make_file(path);
		}
	}
}

static int
cmp_ms(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double
one_run(const char *kind, int files, int dirs, bool dry_run, double *cpu)
{
	char pattern[512], *paths[2];
	struct cleanup_spec spec = { .older_than_ms = 3600 * 1000, .keep_newest = 0 };
	struct cleanup_report r;
	int64_t t0, t1;
	double c0;

	layout(kind, files, dirs);
	if (strcmp(kind, "flat") == 0)
		snprintf(pattern, sizeof(pattern), "%s/flat/*.log", base);
	else
		snprintf(pattern, sizeof(pattern), "%s/tree/*/cache/*.log", base);
	paths[0] = pattern;
	paths[1] = NULL;
	spec.paths = paths;
	c0 = cpu_ms();
	t0 = clock_mono_ns();
	if (cleanup_run(&spec, clock_wall_ms(), dry_run, &r) < 0 || r.removed != (size_t)files) {
		fprintf(stderr, "%s: removed %zu of %d: %s\n", kind, r.removed, files,
		    r.first_error);
		exit(1);
	}
	t1 = clock_mono_ns();
	*cpu = cpu_ms() - c0;
	return (double)(t1 - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	const char *kinds[] = { "flat", "tree" };
	int files = argc > 1 ? atoi(argv[1]) : 10000;
	int dirs = argc > 2 ? atoi(argv[2]) : 100;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double ms[64], cpu[64];
	int k, dry, i;

	if (rounds < 1 || rounds > 64 || files < 1 || dirs < 1)
		return 2;
	snprintf(base, sizeof(base), "/tmp/tend-cleanbench-%d", (int)getpid());
	for (k = 0; k < 2; k++) {
		for (dry = 1; dry >= 0; dry--) {
			for (i = 0; i < rounds; i++)
				ms[i] = one_run(kinds[k], files, dirs, dry, &cpu[i]);
			qsort(ms, (size_t)rounds, sizeof(*ms), cmp_ms);
			qsort(cpu, (size_t)rounds, sizeof(*cpu), cmp_ms);
			printf("%-4s %-7s %6d files: wall %8.2f ms (min %.2f), cpu %8.2f ms "
			    "(min %.2f)\n", kinds[k], dry ? "dry run" : "removal", files,
			    ms[rounds / 2], ms[0], cpu[rounds / 2], cpu[0]);
		}
	}
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
