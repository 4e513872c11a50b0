/*
 * gentree: a deterministic tree for the snapshot bench.
 *
 * usage: gentree DIR FILES MB SEED LIST
 *
 * Makes DIR (which must not exist) with FILES entries that are not
 * directories, MB MiB in all: mostly small text files (config-like lines
 * of words, 200 B to 128 KiB) in nested directories, one file in a hundred
 * a relative symlink to a file beside it, and a few large binaries (one per
 * 500 files, at least two, pseudo-random bytes: they do not compress) that
 * take what the text leaves of MB. The same SEED gives the same content.
 * LIST gets the small text files' paths, relative to DIR, shuffled: the
 * bench changes them ten at a time, in that order.
 */
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *words[] = {
	"server", "listen", "port", "timeout", "user", "group", "path", "cache",
	"log", "level", "worker", "upstream", "backend", "enable", "disable",
	"retry", "limit", "buffer", "size", "host", "address", "proxy", "ssl",
	"certificate", "key", "session", "max", "min", "interval", "check",
	"socket", "root", "index", "include", "module", "allow", "deny", "error",
	"access", "format", "charset", "utf-8", "gzip", "keepalive", "on", "off",
	"true", "false", "debug", "info", "warn", "database", "pool", "queue",
};
static const char *dirnames[] = {
	"etc", "conf.d", "sites", "lib", "share", "templates", "static", "app",
	"modules", "plugins", "locale", "policy", "rules", "scripts", "hooks",
	"profiles", "units", "data", "keys", "vhosts",
};
static const char *exts[] = { ".conf", ".yaml", ".ini", ".json", ".txt", ".sh", ".py", ".cfg" };

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define NDIRNAMES (sizeof(dirnames) / sizeof(dirnames[0]))
#define NEXTS (sizeof(exts) / sizeof(exts[0]))
#define MAXDEPTH 6

struct dir {
	char	*path;
	int	 depth;
};

static uint64_t rng;

static uint64_t
next(void)
{
	uint64_t z;

	z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
below(uint64_t n)
{
	return n ? next() % n : 0;
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		err(1, "asprintf");
	return s;
}

/* Sizes of the small files: most under 4 KiB, a tail to 128 KiB. */
static size_t
text_size(void)
{
	uint64_t r;

	r = below(100);
	if (r < 70)
		return 200 + below(3900);
	if (r < 95)
		return 4096 + below(28 * 1024);
	return 32768 + below(96 * 1024);
}

static void
write_all(FILE *f, const char *path, const void *buf, size_t len)
{
	if (fwrite(buf, 1, len, f) != len)
		err(1, "%s", path);
}

static void
text_file(const char *path, size_t size)
{
	char line[256];
	size_t done, n;
	FILE *f;
	int i, len;

	if ((f = fopen(path, "wx")) == NULL)
		err(1, "%s", path);
	for (done = 0; done < size; done += n) {
		if (below(8) == 0) {
			len = snprintf(line, sizeof(line), "# %s %s %s\n",
			    words[below(NWORDS)], words[below(NWORDS)], words[below(NWORDS)]);
		} else {
			len = snprintf(line, sizeof(line), "%s_%s = %s",
			    words[below(NWORDS)], words[below(NWORDS)], words[below(NWORDS)]);
			for (i = (int)below(5); i > 0; i--)
				len += snprintf(line + len, sizeof(line) - len, " %s", words[below(NWORDS)]);
			len += snprintf(line + len, sizeof(line) - len, " %u\n", (unsigned)below(65536));
		}
		n = (size_t)len < size - done ? (size_t)len : size - done;
		write_all(f, path, line, n);
	}
	if (fclose(f) != 0)
		err(1, "%s", path);
}

static void
binary_file(const char *path, size_t size)
{
	static uint64_t buf[1 << 17];
	size_t done, n, i;
	FILE *f;

	if ((f = fopen(path, "wx")) == NULL)
		err(1, "%s", path);
	for (done = 0; done < size; done += n) {
		for (i = 0; i < sizeof(buf) / sizeof(buf[0]); i++)
			buf[i] = next();
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		write_all(f, path, buf, n);
	}
	if (fclose(f) != 0)
		err(1, "%s", path);
}

static struct dir *
make_dirs(const char *root, size_t ndirs)
{
	struct dir *d;
	char name[64];
	size_t i, parent;

	if ((d = calloc(ndirs, sizeof(*d))) == NULL)
		err(1, "calloc");
	if (mkdir(root, 0755) != 0)
		err(1, "%s", root);
	d[0].path = strdup(root);
	for (i = 1; i < ndirs; i++) {
		do
			parent = below(i);
		while (d[parent].depth >= MAXDEPTH);
		snprintf(name, sizeof(name), "%s%zu", dirnames[below(NDIRNAMES)], i);
		d[i].path = join(d[parent].path, name);
		d[i].depth = d[parent].depth + 1;
		if (mkdir(d[i].path, 0755) != 0)
			err(1, "%s", d[i].path);
	}
	return d;
}

int
main(int argc, char **argv)
{
	struct dir *dirs;
	char **texts, *path, *tmp, name[64];
	size_t files, ndirs, nbig, nlinks, ntext, i, j, rootlen;
	unsigned long long budget, textbytes, bigsize, sz;
	FILE *list;

	if (argc != 6)
		errx(2, "usage: gentree DIR FILES MB SEED LIST");
	files = strtoull(argv[2], NULL, 10);
	budget = strtoull(argv[3], NULL, 10) << 20;
	rng = strtoull(argv[4], NULL, 10);
	if (files < 10)
		errx(2, "FILES must be at least 10");
	ndirs = files / 20 + 1;
	nbig = files / 500 < 2 ? 2 : files / 500;
	nlinks = files / 100;
	ntext = files - nbig - nlinks;
	rootlen = strlen(argv[1]) + 1;

	dirs = make_dirs(argv[1], ndirs);
	if ((texts = calloc(ntext, sizeof(*texts))) == NULL)
		err(1, "calloc");
	textbytes = 0;
	for (i = 0; i < ntext; i++) {
		snprintf(name, sizeof(name), "%s-%zu%s", words[below(NWORDS)], i, exts[below(NEXTS)]);
		path = join(dirs[below(ndirs)].path, name);
		sz = text_size();
		text_file(path, sz);
		textbytes += sz;
		texts[i] = path;
	}
	/* Symlinks: beside their target, relative, as a release pointer is. */
	for (i = 0; i < nlinks; i++) {
		const char *target = texts[below(ntext)];
		const char *base = strrchr(target, '/') + 1;

		snprintf(name, sizeof(name), "current-%zu%s", i, strrchr(base, '.'));
		tmp = strndup(target, (size_t)(base - target - 1));
		path = join(tmp, name);
		if (symlink(base, path) != 0)
			err(1, "%s", path);
		free(path);
		free(tmp);
	}
	bigsize = budget > textbytes ? (budget - textbytes) / nbig : 0;
	for (i = 0; i < nbig; i++) {
		snprintf(name, sizeof(name), "blob-%zu.bin", i);
		path = join(dirs[below(ndirs)].path, name);
		binary_file(path, (size_t)bigsize);
		free(path);
	}

	/* Shuffled (Fisher-Yates) so that each round changes files all over the tree. */
	for (i = ntext - 1; i > 0; i--) {
		j = below(i + 1);
		tmp = texts[i];
		texts[i] = texts[j];
		texts[j] = tmp;
	}
	if ((list = fopen(argv[5], "w")) == NULL)
		err(1, "%s", argv[5]);
	for (i = 0; i < ntext; i++)
		fprintf(list, "%s\n", texts[i] + rootlen);
	if (fclose(list) != 0)
		err(1, "%s", argv[5]);
	printf("%zu directories, %zu text files (%llu KiB), %zu symlinks, %zu binaries of %llu KiB\n",
	    ndirs, ntext, textbytes >> 10, nlinks, nbig, bigsize >> 10);
	return 0;
}
