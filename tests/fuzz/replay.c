/*
 * The replay test: a harness built with the project's compiler and this
 * main() instead of libFuzzer's. It feeds the harness every file of the
 * directories (or the files) it is given, in name order, so the committed
 * corpus and regression inputs run in every `make test` — sanitized in the
 * ASan build — without clang.
 *
 *   fuzz_replay_TARGET DIR|FILE...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Defined by the harnesses that need a set-up once per process. */
int	LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
replay_file(const char *path)
{
	unsigned char *data = NULL;
	size_t len = 0, n;
	FILE *f = fopen(path, "rbe");

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		data = realloc(data, len + 65536);
		if (data == NULL)
			abort();
		n = fread(data + len, 1, 65536, f);
		len += n;
		if (n < 65536)
			break;
	}
	fclose(f);
	/* Named first: a crash's report then says which input it was. */
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int
replay_skip(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of dir; a directory that does not exist holds nothing yet. */
static int
replay_dir(const char *dir, size_t *count)
{
	struct dirent **names;
	char path[4096];
	int i, n, rc = 0;

	n = scandir(dir, &names, replay_skip, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (replay_file(path) < 0)
			rc = -1;
		else
			(*count)++;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	size_t count = 0;
	int i, rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && !S_ISDIR(sb.st_mode)) {
			if (replay_file(argv[i]) < 0)
				rc = 1;
			else
				count++;
		} else if (replay_dir(argv[i], &count) < 0)
			rc = 1;
	}
	fprintf(stderr, "replay: %zu inputs, no crash\n", count);
	return rc != 0;
}
