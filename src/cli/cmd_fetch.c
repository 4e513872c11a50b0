/*
 * tend fetch [NAME...]: the artifacts an `assets:` section lists (in the
 * config, or in --manifest FILE), from the cache or their mirrors,
 * verified by sha256 and placed at their destinations. --offline serves
 * from the cache only, --warmup fills the cache without placing,
 * --verify rehashes what is placed, --prune SIZE trims the cache.
 *
 * Exit codes: 0 every asset fetched and verified (or verified, or the
 * cache pruned); 1 one of them failed, each named with why; 2 usage or
 * config error.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/dl_curl.h"
#include <jansson.h>

#include "cli/table.h"
#include "config/config.h"
#include "config/units.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/fetch.h"

enum fetch_cmd {
	CMD_FETCH,
	CMD_WARMUP,
	CMD_VERIFY,
	CMD_PRUNE,
};

struct fetch_opts {
	const char	*config;
	const char	*manifest;
	const char	*state_dir;
	const char	*cache_dir;
	bool		 offline;
	enum fetch_cmd	 cmd;
	int		 n_cmds;	/* --warmup, --verify, --prune given */
	const char	*prune;		/* SIZE */
	int64_t		 max_size;	/* --max-size, -1: the default */
	int64_t		 stall_ms;	/* --stall-timeout, -1: the default */
	enum output_format format;
	bool		 verbose;
	char		**names;
	int		 n_names;
};

enum {
	OPT_MANIFEST = 256,
	OPT_STATE_DIR,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_WARMUP,
	OPT_VERIFY,
	OPT_PRUNE,
	OPT_FORMAT,
	OPT_MAX_SIZE,
	OPT_STALL,
};

static const struct option fetch_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "warmup", no_argument, NULL, OPT_WARMUP },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "prune", required_argument, NULL, OPT_PRUNE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "stall-timeout", required_argument, NULL, OPT_STALL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
fetch_usage(FILE *out)
{
	fputs("usage: tend fetch [NAME...] [-c FILE | --manifest FILE] [--state-dir DIR]\n"
	    "                  [--cache-dir DIR] [--offline] [--max-size SIZE]\n"
	    "                  [--stall-timeout DURATION] [--format text|json] [--verbose]\n"
	    "       tend fetch --warmup [NAME...] [...]   fill the cache, place nothing\n"
	    "       tend fetch --verify [NAME...] [...]   rehash every placed artifact\n"
	    "       tend fetch --prune SIZE [...]         trim the cache to SIZE (e.g. 2GB)\n"
	    "\n"
	    "  The assets come from the config's `assets:` (-c FILE, $TEND_CONFIG) or from\n"
	    "  --manifest FILE; NAMEs pick some of them. --offline: from the cache only.\n"
	    "  --max-size: the most taken for an asset without size: or max_size: (1GB).\n"
	    "  --stall-timeout: a mirror under 1 KB/s this long has stalled (20s).\n"
	    "  Exit 0: all fetched and verified; 1: something failed; 2: usage or config.\n",
	    out);
}

static void
fetch_set_cmd(struct fetch_opts *o, enum fetch_cmd cmd)
{
	o->cmd = cmd;
	o->n_cmds++;
}

/* --max-size SIZE (at least a byte) or --stall-timeout DURATION (at least 1s). */
static int
fetch_parse_limit(struct fetch_opts *o, int ch, const char *arg)
{
	const char *expected;

	if (ch == OPT_MAX_SIZE && (units_parse_size(arg, &o->max_size, &expected) < 0 ||
	    o->max_size < 1)) {
		fprintf(stderr, "tend fetch: --max-size: expected a size like 500MB or "
		    "2GB, got '%s'\n", arg);
		return 2;
	}
	if (ch == OPT_STALL && (units_parse_duration(arg, &o->stall_ms, &expected) < 0 ||
	    o->stall_ms < 1000)) {
		fprintf(stderr, "tend fetch: --stall-timeout: expected a duration of at "
		    "least 1s, like 20s or 1m, got '%s'\n", arg);
		return 2;
	}
	return 0;
}

/* 0, or 2 after printing a usage error (-1: --help was printed). */
static int
fetch_parse(int argc, char **argv, struct fetch_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->max_size = o->stall_ms = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:vh", fetch_long_options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case OPT_MANIFEST:
			o->manifest = optarg;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_CACHE_DIR:
			o->cache_dir = optarg;
			break;
		case OPT_OFFLINE:
			o->offline = true;
			break;
		case OPT_WARMUP:
			fetch_set_cmd(o, CMD_WARMUP);
			break;
		case OPT_VERIFY:
			fetch_set_cmd(o, CMD_VERIFY);
			break;
		case OPT_PRUNE:
			fetch_set_cmd(o, CMD_PRUNE);
			o->prune = optarg;
			break;
		case OPT_FORMAT:
			if (cli_parse_format("fetch", optarg, &o->format) != 0)
				return 2;
			break;
		case OPT_MAX_SIZE:
		case OPT_STALL:
			if (fetch_parse_limit(o, ch, optarg) != 0)
				return 2;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fetch_usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "tend fetch: %s needs a value\n", argv[optind - 1]);
			fetch_usage(stderr);
			return 2;
		default:
			fprintf(stderr, "tend fetch: unknown option '%s'\n", argv[optind - 1]);
			fetch_usage(stderr);
			return 2;
		}
	}
	o->names = argv + optind;
	o->n_names = argc - optind;
	if (o->n_cmds > 1) {
		fprintf(stderr, "tend fetch: --warmup, --verify and --prune go one at a time\n");
		return 2;
	}
	if (o->cmd == CMD_PRUNE && o->n_names > 0) {
		fprintf(stderr, "tend fetch: --prune trims the whole cache; it takes no names\n");
		return 2;
	}
	return 0;
}

/* Loads what is asked; 0, or 2 after printing the errors. */
static int
fetch_load(const struct fetch_opts *o, struct tend_config **cfg,
    struct tend_config **manifest)
{
	struct config_errors errs = { 0 };

	if ((*cfg = cli_load_config(o->config, stderr)) == NULL)
		return 2;
	if (o->manifest == NULL)
		return 0;
	*manifest = config_load_file(o->manifest, &errs);
	if (*manifest == NULL) {
		config_errors_print(&errs, stderr);
		config_errors_clear(&errs);
		return 2;
	}
	return 0;
}

/* The assets to work on, by name or all of them; 0, or 2 after printing why. */
static int
fetch_select(const struct fetch_opts *o, const struct tend_config *from,
    const struct asset_conf ***out, size_t *n)
{
	size_t i;
	int k;

	*out = NULL;
	*n = 0;
	if (from->n_assets == 0) {
		fprintf(stderr, "tend fetch: %s has no assets (an `assets:` section; see "
		    "docs/config.md)\n", from->source);
		return 2;
	}
	if (o->n_names == 0) {
		*out = xcalloc(from->n_assets, sizeof(**out));
		for (i = 0; i < from->n_assets; i++)
			(*out)[(*n)++] = &from->assets[i];
		return 0;
	}
	*out = xcalloc((size_t)o->n_names, sizeof(**out));
	for (k = 0; k < o->n_names; k++) {
		for (i = 0; i < from->n_assets; i++)
			if (strcmp(from->assets[i].name, o->names[k]) == 0)
				break;
		if (i == from->n_assets) {
			fprintf(stderr, "tend fetch: no asset '%s' in %s\n", o->names[k],
			    from->source);
			free(*out);
			*out = NULL;
			return 2;
		}
		(*out)[(*n)++] = &from->assets[i];
	}
	return 0;
}

static const char *
fetch_source_text(const struct fetch_result *res)
{
	switch (res->source) {
	case FETCH_FROM_CACHE:
		return "cache";
	case FETCH_FROM_DEST:
		return "dest";
	case FETCH_FROM_MIRROR:
		return res->url;
	case FETCH_FROM_NONE:
		break;
	}
	return NULL;
}

static void
fetch_print_text(const struct fetch_opts *o, const struct fetch_report *r)
{
	const struct fetch_result *res;
	char size[32], speed[32];
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		res = &r->v[i];
		if (!res->ok) {
			cli_printf(stdout, "%s: FAILED: %s\n", res->asset->name, res->error);
			/* One mirror's error is the message already. */
			for (j = 0; res->n_mirror_errors > 1 && j < res->n_mirror_errors; j++)
				cli_printf(stdout, "  %s: %s\n", res->mirror_errors[j].url,
				    res->mirror_errors[j].error);
			continue;
		}
		units_format_size((double)res->bytes, size, sizeof(size));
		if (o->cmd == CMD_VERIFY) {
			printf("%s: ok, %s matches its sha256 (%s)\n", res->asset->name,
			    res->asset->dest, size);
			continue;
		}
		printf("%s: ok, %s", res->asset->name, size);
		if (res->source == FETCH_FROM_MIRROR) {
			units_format_size((double)res->downloaded / (res->seconds > 1e-3 ?
			    res->seconds : 1e-3), speed, sizeof(speed));
			cli_printf(stdout, " from %s%s in %.2f s (%s/s)", res->url,
			    res->resumed ? " (resumed)" : "", res->seconds, speed);
		} else if (res->source == FETCH_FROM_DEST)
			printf(" already at %s", res->asset->dest);
		else
			printf(" from the cache");
		if (res->placed)
			printf(", %s at %s", cache_placement_names[res->placement],
			    res->asset->dest);
		else if (o->cmd == CMD_WARMUP)
			printf(", cached");
		printf("\n");
	}
}

static json_t *
fetch_result_json(const struct fetch_opts *o, const struct fetch_result *res)
{
	const char *source = fetch_source_text(res);
	json_t *a, *errors = json_array();
	size_t j;

	for (j = 0; j < res->n_mirror_errors; j++)
		json_array_append_new(errors, json_pack("{s:s, s:s}", "url",
		    res->mirror_errors[j].url, "error", res->mirror_errors[j].error));
	a = json_pack("{s:s, s:b, s:s?, s:I, s:I, s:f, s:b, s:s, s:s?, s:s?, s:o}",
	    "name", res->asset->name, "ok", res->ok,
	    "source", o->cmd == CMD_VERIFY ? NULL : source,
	    "bytes", (json_int_t)res->bytes, "downloaded", (json_int_t)res->downloaded,
	    "seconds", res->seconds, "sha256_ok", res->sha256_ok,
	    "dest", res->asset->dest,
	    "placed", res->placed ? cache_placement_names[res->placement] : NULL,
	    "error", res->error, "mirror_errors", errors);
	if (o->cmd == CMD_VERIFY)
		json_object_set_new(a, "sha256", res->sha256[0] != '\0' ?
		    json_string(res->sha256) : json_null());
	if (res->source == FETCH_FROM_MIRROR)
		json_object_set_new(a, "resumed", json_boolean(res->resumed));
	return a;
}

static int
fetch_print_json(const struct fetch_opts *o, const struct fetch_report *r,
    const char *cache_dir)
{
	json_t *doc, *assets = json_array();
	size_t i;
	int rc;

	for (i = 0; i < r->n; i++)
		json_array_append_new(assets, fetch_result_json(o, &r->v[i]));
	doc = json_pack("{s:b, s:s, s:o}", "ok", r->failed == 0, "cache_dir", cache_dir,
	    "assets", assets);
	if (r->probed)
		json_object_set_new(doc, "network", json_pack("{s:s, s:s}", "strategy",
		    fetch_net_names[r->net], "probe", r->probe_summary));
	else if (o->cmd != CMD_VERIFY)
		json_object_set_new(doc, "network", json_pack("{s:s, s:n}", "strategy",
		    o->offline ? "offline" : "not needed", "probe"));
	rc = cli_print_json(doc);
	json_decref(doc);
	return rc;
}

static int
fetch_prune_cmd(const struct fetch_opts *o, const char *cache_dir)
{
	struct cache_prune_report r;
	const char *expected;
	char err[512], a[32], b[32], c[32];
	int64_t limit;
	json_t *doc, *removed;
	size_t i;

	if (units_parse_size(o->prune, &limit, &expected) < 0) {
		fprintf(stderr, "tend fetch: --prune: expected %s, got '%s'\n", expected,
		    o->prune);
		return 2;
	}
	if (cache_prune(cache_dir, limit, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend fetch: --prune: %s\n", err);
		return 1;
	}
	if (o->format == OUTPUT_JSON) {
		removed = json_array();
		for (i = 0; i < r.n_removed; i++)
			json_array_append_new(removed, json_pack("{s:s, s:I, s:I}", "path",
			    r.removed[i].path, "bytes", (json_int_t)r.removed[i].size,
			    "last_used_ms", (json_int_t)(r.removed[i].used_ns / 1000000)));
		doc = json_pack("{s:s, s:I, s:I, s:I, s:o}", "cache_dir", cache_dir,
		    "limit", (json_int_t)limit, "before", (json_int_t)r.before,
		    "after", (json_int_t)r.after, "removed", removed);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		for (i = 0; i < r.n_removed; i++) {
			units_format_size((double)r.removed[i].size, a, sizeof(a));
			cli_format_time(r.removed[i].used_ns / 1000000, true, b, sizeof(b));
			printf("removed %s (%s, last used %s)\n", r.removed[i].path, a, b);
		}
		units_format_size((double)r.before, a, sizeof(a));
		units_format_size((double)r.after, b, sizeof(b));
		units_format_size((double)limit, c, sizeof(c));
		printf("%s: %s -> %s (limit %s), %zu file%s removed\n", cache_dir, a,
		    b, c, r.n_removed, r.n_removed == 1 ? "" : "s");
	}
	cache_prune_report_free(&r);
	return 0;
}

int
cmd_fetch(int argc, char **argv)
{
	struct tend_config *cfg = NULL, *manifest = NULL;
	const struct asset_conf **assets = NULL;
	struct fetch_settings settings;
	struct fetch_report report;
	struct fetch_opts o;
	char *cache_dir = NULL, err[1024];
	size_t n = 0;
	int rc;

	if ((rc = fetch_parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	log_setup(LOG_FORMAT_TEXT, o.verbose);
	if ((rc = fetch_load(&o, &cfg, &manifest)) != 0)
		goto out;
	cache_dir = fetch_cache_dir(o.cache_dir, manifest, cfg, o.state_dir);
	if (fetch_cache_verify(cache_dir, cfg, o.state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend fetch: refusing the cache in the state dir: %s\n", err);
		rc = 1;
		goto out;
	}
	if (o.cmd == CMD_PRUNE) {
		rc = fetch_prune_cmd(&o, cache_dir);
		goto out;
	}
	if ((rc = fetch_select(&o, manifest != NULL ? manifest : cfg, &assets, &n)) != 0)
		goto out;
	if (o.cmd == CMD_VERIFY)
		fetch_verify(assets, n, &report);
	else {
		dl_curl_require();
		fetch_settings_init(&settings, cache_dir);
		settings.mode = o.cmd == CMD_WARMUP ? FETCH_WARMUP : FETCH_PLACE;
		settings.offline = o.offline;
		if (o.max_size > 0)
			settings.max_size = o.max_size;
		if (o.stall_ms > 0)
			settings.online.low_speed_s = settings.limited.low_speed_s =
			    (long)(o.stall_ms / 1000);
		fetch_assets(&settings, assets, n, &report);
		dl_curl_stop();
	}
	if (o.format == OUTPUT_JSON)
		fetch_print_json(&o, &report, cache_dir);
	else
		fetch_print_text(&o, &report);
	rc = report.failed > 0 ? 1 : 0;
	fetch_report_free(&report);
out:
	free(assets);
	free(cache_dir);
	config_free(manifest);
	config_free(cfg);
	return rc;
}
