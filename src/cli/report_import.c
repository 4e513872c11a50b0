/*
 * tend report --import-json FILE...: chaos runs recorded elsewhere — what a
 * CI job's `tend chaos run --standalone --format json` printed, or another
 * store's `tend chaos history --format json` — into this state dir's
 * store, so that the report's chaos section and tend chaos history show
 * them, each marked with the file it came from.
 *
 * Every file is read and checked before anything is written, and all of
 * them go in one transaction: a bad file imports nothing. A run already
 * recorded (the same key, store/chaos.h) is not added again, so importing
 * a file twice, or the output of a run into the store that recorded it,
 * adds nothing.
 */
#include "cli/report_import.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/table.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "store/chaos.h"
#include "store/store.h"

struct import {
	json_t		**docs;		/* the rows' strings are theirs */
	char		**sources;
	size_t		 n_docs;
	struct store_chaos_run *runs;
	/* Each run's key; runs[i].key points here once every file is read. */
	char		(*keys)[SHA256_HEX_LEN + 1];
	size_t		 n_runs;
};

/* One run of a document: its row, its key, dated by the file when it has no time. */
static int
import_run(struct import *im, json_t *x, const char *file, const char *at, size_t i,
    const char *source, int64_t mtime_ms)
{
	struct store_chaos_run *r;
	char err[512];

	im->runs = xgrow(im->runs, im->n_runs, sizeof(*im->runs));
	im->keys = xrealloc(im->keys, (im->n_runs + 1) * sizeof(*im->keys));
	r = &im->runs[im->n_runs++];
	if (store_chaos_from_json(x, r, err, sizeof(err)) < 0) {
		cli_printf(stderr, "tend report: %s: %s[%zu]: %s\n", file, at, i, err);
		return -1;
	}
	/*
	 * An older tend chaos run printed no times: such a run is keyed by
	 * what it holds, and dated by the file (written as the run ended).
	 */
	if (r->key != NULL)
		memcpy(im->keys[im->n_runs - 1], r->key, sizeof(*im->keys));
	else
		store_chaos_key(r, im->keys[im->n_runs - 1]);
	if (r->started_at == 0 && r->ended_at == 0)
		r->started_at = r->ended_at = mtime_ms;
	r->source = source;
	return 0;
}

/*
 * The runs of a document: {"ok", "experiments": [...]} from tend chaos
 * run, or [...] from tend chaos history. A tend report is not runs.
 */
static int
import_doc(struct import *im, json_t *doc, const char *file, const char *source,
    int64_t mtime_ms)
{
	json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "experiments"), *x;
	const char *at = json_is_array(doc) ? "" : "experiments";
	size_t i;

	if (json_is_object(doc) && json_object_get(doc, "recommendations") != NULL) {
		cli_printf(stderr, "tend report: %s: this is a tend report, whose chaos section "
		    "holds totals, not runs: --import-json takes what `tend chaos run --format "
		    "json` or `tend chaos history --format json` printed\n", file);
		return -1;
	}
	if (!json_is_array(list)) {
		cli_printf(stderr, "tend report: %s: expected what `tend chaos run --format "
		    "json` prints ({\"ok\", \"experiments\": [...]}) or `tend chaos history "
		    "--format json` (a list of runs), got %s\n", file, json_is_object(doc) ?
		    "an object without \"experiments\"" : "another JSON value");
		return -1;
	}
	json_array_foreach(list, i, x)
		if (import_run(im, x, file, at, i, source, mtime_ms) < 0)
			return -1;
	return 0;
}

/* A file read whole and parsed; its errors at FILE:LINE:COL. */
static int
import_file(struct import *im, const char *file)
{
	char real[PATH_MAX];
	json_error_t jerr;
	struct stat sb;
	json_t *doc;
	FILE *f;

	if ((f = fopen(file, "re")) == NULL) {
		cli_printf(stderr, "tend report: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_printf(stderr, "tend report: %s: not a regular file\n", file);
		fclose(f);
		return -1;
	}
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (doc == NULL) {
		cli_printf(stderr, "tend report: %s:%d:%d: not JSON: %s\n", file, jerr.line,
		    jerr.column, jerr.text);
		return -1;
	}
	im->docs = xgrow(im->docs, im->n_docs, sizeof(*im->docs));
	im->sources = xrealloc(im->sources, (im->n_docs + 1) * sizeof(*im->sources));
	im->docs[im->n_docs] = doc;
	im->sources[im->n_docs++] = xstrdup(realpath(file, real) != NULL ? real : file);
	return import_doc(im, doc, file, im->sources[im->n_docs - 1],
	    (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000);
}

static void
import_free(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n_runs; i++)
		store_chaos_run_clear(&im->runs[i]);
	free(im->runs);
	free(im->keys);
	for (i = 0; i < im->n_docs; i++) {
		json_decref(im->docs[i]);
		free(im->sources[i]);
	}
	free(im->docs);
	free(im->sources);
}

/* The store of the state dir, verified as tend run verifies it, for writing. */
static struct store *
import_store(const struct cli_options *opts, char *err, size_t errlen)
{
	char *dir = cli_state_dir(opts), *path;
	struct statedir *sd = statedir_open(dir, err, errlen);
	struct store *st = NULL;

	free(dir);
	if (sd == NULL)
		return NULL;
	if (store_prepare_file(sd, err, errlen) == 0) {
		path = statedir_file(sd, "tend.db");
		st = store_open_brief(path, err, errlen);
		free(path);
	}
	statedir_close(sd);
	return st;
}

int
report_import_json(const struct cli_options *opts, char *const *files, size_t n)
{
	struct import im = { 0 };
	struct store *st = NULL;
	char err[1024];
	size_t i, added = 0;
	int rc = 1;

	for (i = 0; i < n; i++)
		if (import_file(&im, files[i]) < 0)
			goto done;
	for (i = 0; i < im.n_runs; i++)
		im.runs[i].key = im.keys[i];
	if ((st = import_store(opts, err, sizeof(err))) == NULL ||
	    store_chaos_import(st, im.runs, im.n_runs, &added, err, sizeof(err)) < 0) {
		cli_printf(stderr, "tend report: nothing imported: %s\n", err);
		goto done;
	}
	fprintf(stderr, "tend report: imported %zu chaos run%s from %zu file%s", added,
	    added == 1 ? "" : "s", n, n == 1 ? "" : "s");
	if (added < im.n_runs)
		fprintf(stderr, " (%zu recorded already)", im.n_runs - added);
	fputc('\n', stderr);
	rc = 0;
done:
	store_close(st);
	import_free(&im);
	return rc;
}
