/*
 * The life of an asset in `tend fetch`:
 *
 *   1. the cache: its object is rehashed; intact, it is placed at dest
 *      (a damaged one is removed). A dest that already holds the content
 *      is taken into the cache as it is.
 *   2. the network, for what is left: one probe of every mirror host
 *      picks online, limited or offline.
 *   3. the mirrors, in the order the mirror book suggests: each is asked
 *      for what the part file lacks; a dropped connection is resumed at
 *      once, an attempt that got nothing is retried after a backoff, a
 *      few in a row and the next mirror is tried. A complete download is
 *      checked (size, sha256) and renamed into the cache, then placed.
 */
#include "net/fetch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dl_curl.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/statedir.h"
#include "core/text.h"
#include "net/fetch_mirrors.h"
#include "core/jitter.h"
#include "supervise/backoff.h"
#include "config/units.h"

#define FETCH_DEFAULT_MODE	0444

struct fetch_ctx {
	const struct fetch_settings *s;
	struct mirror_book book;
	struct probe	 probe;
	enum fetch_net	 net;
	const struct fetch_timeouts *timeouts;
	CURL		*curl;
	uint64_t	 rng;		/* for the backoff's jitter */
};

/* How one mirror's turn ended. */
enum mirror_outcome {
	MIRROR_OK,		/* the part is the verified artifact */
	MIRROR_FAILED,		/* try the next mirror */
	MIRROR_LOCAL,		/* a local error: no mirror can help */
};

void
fetch_settings_init(struct fetch_settings *s, const char *cache_dir)
{
	memset(s, 0, sizeof(*s));
	s->cache_dir = cache_dir;
	s->mode = FETCH_PLACE;
	s->attempts = 3;
	s->max_connections = 1000;
	s->backoff = (struct backoff_conf){ .initial_ms = 250, .max_ms = 4000,
	    .multiplier = 2.0, .jitter = 0.2 };
	s->max_size = FETCH_DEFAULT_MAX_SIZE;
	s->probe_budget_ms = 1500;
	s->probe_slow_ms = 750;
	s->online = (struct fetch_timeouts){ .connect_ms = 10000,
	    .low_speed_bytes = 1024, .low_speed_s = 20 };
	s->limited = (struct fetch_timeouts){ .connect_ms = 3000,
	    .low_speed_bytes = 1024, .low_speed_s = 8 };
}

char *
fetch_cache_dir(const char *option, const struct tend_config *manifest,
    const struct tend_config *cfg, const char *state_dir_option)
{
	const char *env = getenv("TEND_CACHE_DIR"), *state_env = getenv("TEND_STATE_DIR");
	const char *xdg, *home;
	char *state, *dir;

	if (option != NULL && *option != '\0')
		return xstrdup(option);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (manifest != NULL && manifest->cache_dir != NULL)
		return xstrdup(manifest->cache_dir);
	if (cfg != NULL && cfg->cache_dir != NULL)
		return xstrdup(cfg->cache_dir);
	/*
	 * STATE_DIR/cache, as tend deps keeps its package caches; but a user
	 * who chose no state dir gets the per-user cache dir, which backups
	 * and cleaners know to treat as disposable.
	 */
	if (geteuid() == 0 || (state_dir_option != NULL && *state_dir_option != '\0') ||
	    (state_env != NULL && *state_env != '\0') ||
	    (cfg != NULL && cfg->state_dir != NULL)) {
		state = statedir_resolve(state_dir_option, cfg != NULL ? cfg->state_dir : NULL);
		dir = xasprintf("%s/cache", state);
		free(state);
		return dir;
	}
	if ((xdg = getenv("XDG_CACHE_HOME")) != NULL && *xdg == '/')
		return xasprintf("%s/tend", xdg);
	home = getenv("HOME");
	return xasprintf("%s/.cache/tend", home != NULL ? home : "/tmp");
}

int
fetch_cache_verify(const char *cache_dir, const struct tend_config *cfg,
    const char *state_dir_option, char *err, size_t errlen)
{
	char *state = statedir_resolve(state_dir_option, cfg != NULL ? cfg->state_dir : NULL);
	char *in_state = xasprintf("%s/cache", state);
	int rc = 0;

	if (strcmp(cache_dir, in_state) == 0)
		rc = statedir_prepare_subdir(state, "cache", 0750, err, errlen);
	free(in_state);
	free(state);
	return rc;
}

static void
fetch_sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
fetch_fail(struct fetch_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fetch_fail(struct fetch_result *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = msg;
	r->ok = false;
}

static void
fetch_mirror_error(struct fetch_result *r, const char *url, const char *error)
{
	struct fetch_mirror_error *e;

	r->mirror_errors = xrealloc(r->mirror_errors,
	    (r->n_mirror_errors + 1) * sizeof(*r->mirror_errors));
	e = &r->mirror_errors[r->n_mirror_errors++];
	/* For reports: shown, never used to fetch. */
	e->url = text_redact(url);
	e->error = text_redact(error);
}

/* The verified object is in the cache: put it at dest (unless warming up). */
static void
fetch_place(struct fetch_ctx *c, const struct asset_conf *a, struct fetch_result *r,
    const char *object)
{
	char err[512];
	int mode = a->mode >= 0 ? a->mode : FETCH_DEFAULT_MODE;

	r->sha256_ok = true;
	cache_touch(object);
	if (c->s->mode == FETCH_WARMUP) {
		r->ok = true;
		return;
	}
	if (cache_place(object, a->dest, mode, &r->placement, err, sizeof(err)) < 0) {
		log_error(a->name, "cannot place it at %s: %s", a->dest, err);
		fetch_fail(r, "cannot place it at %s: %s", a->dest, err);
		return;
	}
	r->placed = true;
	r->ok = true;
}

/* The content of a file is the asset's: its sha256, and its size if given. */
static bool
fetch_matches(const struct asset_conf *a, const char *hex, int64_t size)
{
	return strcmp(hex, a->sha256) == 0 && (a->size < 0 || size == a->size);
}

/*
 * From the cache, or from a dest that already holds the content: true when
 * the asset needs no download (r is then filled, ok or not).
 */
static bool
fetch_from_cache(struct fetch_ctx *c, const struct asset_conf *a,
    struct fetch_result *r)
{
	char *object = cache_object_path(c->s->cache_dir, a->sha256);
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	int64_t size;
	int rc;

	if (sha256_file(object, hex, &size) == 0) {
		if (fetch_matches(a, hex, size)) {
			r->source = FETCH_FROM_CACHE;
			r->bytes = size;
			fetch_place(c, a, r, object);
			free(object);
			return true;
		}
		log_warn(a->name, "the cache's copy is damaged (sha256 %.12s…, %lld "
		    "bytes); removing it", hex, (long long)size);
		if (unlink(object) < 0)
			log_warn(a->name, "cannot remove %s: %s", object, strerror(errno));
	} else if (errno != ENOENT)
		log_warn(a->name, "cannot read %s: %s", object, strerror(errno));
	if (lstat(a->dest, &st) < 0 || !S_ISREG(st.st_mode) ||
	    sha256_file(a->dest, hex, &size) < 0 || !fetch_matches(a, hex, size)) {
		free(object);
		return false;
	}
	rc = cache_ingest(c->s->cache_dir, a->dest, a->sha256);
	if (rc != 0) {
		log_warn(a->name, "%s holds it but cannot be copied into the cache: %s",
		    a->dest, rc < 0 ? strerror(errno) : "it changed while being copied");
		free(object);
		return false;
	}
	log_info(a->name, "%s already holds it (sha256 verified); copied into the "
	    "cache", a->dest);
	r->source = FETCH_FROM_DEST;
	r->bytes = size;
	fetch_place(c, a, r, object);
	free(object);
	return true;
}

static bool
fetch_is_network(const char *url)
{
	return strncmp(url, "file:", 5) != 0;
}

/* Why a mirror stands where it does in the order, for the log. */
static void
fetch_mirror_reason(const struct mirror_memory *m, bool demoted, char *buf,
    size_t len)
{
	char speed[32];

	units_format_size(m->bytes_per_second, speed, sizeof(speed));
	if (demoted)
		snprintf(buf, len, "unreachable in the probe");
	else if (!m->known)
		snprintf(buf, len, "not tried before");
	else if (m->failed)
		snprintf(buf, len, "failed last time: %s", m->error);
	else
		snprintf(buf, len, "%s/s last time", speed);
}

/*
 * The asset's mirrors in the order to try them (see mirror_order); network
 * ones are dropped when offline. Returns how many, into order[].
 */
static size_t
fetch_order(struct fetch_ctx *c, const struct asset_conf *a, size_t *order)
{
	size_t n = strv_len(a->mirrors), i, k = 0, off = 0;
	struct mirror_memory *mem;
	const struct probe_target *t;
	bool *demoted, known_fast = false;
	char line[2048], why[256];

	mem = xcalloc(n, sizeof(*mem));
	demoted = xcalloc(n, sizeof(*demoted));
	for (i = 0; i < n; i++) {
		mirror_book_get(&c->book, a->mirrors[i], &mem[i]);
		t = probe_find(&c->probe, a->mirrors[i]);
		demoted[i] = t != NULL && t->state == PROBE_FAILED;
	}
	mirror_order(mem, demoted, n, order);
	for (i = 0; i < n; i++) {
		if (c->net == FETCH_NET_OFFLINE && fetch_is_network(a->mirrors[order[i]]))
			continue;
		fetch_mirror_reason(&mem[order[i]], demoted[order[i]], why, sizeof(why));
		if (k == 0 && mem[order[i]].known && !mem[order[i]].failed && order[i] != 0)
			known_fast = true;
		if (off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s (%s)",
			    k == 0 ? "" : ", ", a->mirrors[order[i]], why);
		order[k++] = order[i];
	}
	if (k > 1 || known_fast)
		log_info(a->name, "mirrors in order%s: %s", known_fast ?
		    " (the fastest known first)" : "", line);
	free(mem);
	free(demoted);
	return k;
}

/*
 * A complete download from this mirror: right size, right sha256. On a
 * mismatch the part is emptied, and false returned with why in err.
 */
static bool
fetch_check_part(const struct asset_conf *a, struct fetch_part *part, char *err,
    size_t errlen)
{
	char hex[SHA256_HEX_LEN + 1];

	if (a->size >= 0 && part->size != a->size) {
		snprintf(err, errlen, "sent %lld bytes, the manifest says %lld",
		    (long long)part->size, (long long)a->size);
		return false;
	}
	fetch_part_digest(part, hex);
	if (strcmp(hex, a->sha256) != 0) {
		snprintf(err, errlen, "sha256 mismatch: got %.16s…, expected %.16s… "
		    "(%lld bytes)", hex, a->sha256, (long long)part->size);
		return false;
	}
	return true;
}

/* One mirror's turn: attempts until the part is the artifact, or give up. */
static enum mirror_outcome
fetch_from_mirror(struct fetch_ctx *c, const struct asset_conf *a,
    struct fetch_part *part, const char *url, struct fetch_result *r)
{
	struct fetch_attempt at = { .verdict = FETCH_DONE };
	int64_t bytes = 0, delay;
	double seconds = 0;
	int idle = 0, connections = 0, restarts = 0;
	bool fresh = part->size == 0, rechecked = false;
	char err[512] = "";

	for (;;) {
		if (part->exact && part->size == part->limit) {
			/* All there already (an earlier run's part): only verify. */
			at = (struct fetch_attempt){ .verdict = FETCH_DONE };
		} else {
			if (connections++ >= c->s->max_connections) {
				snprintf(err, sizeof(err), "gave up after %d connections "
				    "(last: %s)", c->s->max_connections, at.error);
				break;
			}
			if (part->size > 0)
				log_info(a->name, "GET %s from byte %lld", url,
				    (long long)part->size);
			else
				log_info(a->name, "GET %s", url);
			fetch_transfer(c->curl, url, part, c->timeouts, &at);
			bytes += at.received;
			seconds += at.seconds;
			r->downloaded += at.received;
		}
		switch (at.verdict) {
		case FETCH_DONE:
			if (fetch_check_part(a, part, err, sizeof(err)))
				goto ok;
			/*
			 * The bytes before this mirror's may be what is wrong (an
			 * earlier run's, another mirror's): once, start over here.
			 */
			if (!fresh && !rechecked) {
				log_warn(a->name, "%s: %s after resuming an earlier "
				    "download; starting over from this mirror", url, err);
				rechecked = fresh = true;
				if (fetch_part_truncate(part) < 0)
					goto local;
				continue;
			}
			log_warn(a->name, "%s: %s", url, err);
			if (fetch_part_truncate(part) < 0)
				goto local;
			goto failed;
		case FETCH_RESTART:
			if (part->size > 0 && fetch_check_part(a, part, err, sizeof(err)))
				goto ok;
			if (restarts++ > 0) {
				snprintf(err, sizeof(err), "%s", at.error);
				goto failed;
			}
			log_warn(a->name, "%s: %s; starting from byte 0", url, at.error);
			fresh = true;
			if (fetch_part_truncate(part) < 0)
				goto local;
			continue;
		case FETCH_RETRY:
			/* A mirror that delivers is followed as far as it goes. */
			idle = at.received > 0 ? 0 : idle + 1;
			snprintf(err, sizeof(err), "%s", at.error);
			if (idle >= c->s->attempts) {
				snprintf(err, sizeof(err), "%s (%d tries in a row got nothing)",
				    at.error, idle);
				goto failed;
			}
			delay = idle == 0 ? 0 : backoff_delay(&c->s->backoff,
			    BACKOFF_JITTER_SPREAD, idle, jitter_next(&c->rng));
			if (delay > 0)
				log_warn(a->name, "%s: %s; retrying in %lld ms (try %d of %d)",
				    url, at.error, (long long)delay, idle + 1, c->s->attempts);
			else
				log_warn(a->name, "%s: %s; resuming at once", url, at.error);
			fetch_sleep_ms(delay);
			continue;
		case FETCH_NEXT_MIRROR:
			snprintf(err, sizeof(err), "%s", at.error);
			log_warn(a->name, "%s: %s", url, err);
			/* What an endless or oversized mirror sent is no start for the next. */
			if (part->too_large && fetch_part_truncate(part) < 0)
				goto local;
			goto failed;
		case FETCH_LOCAL_ERROR:
			snprintf(err, sizeof(err), "%s", at.error);
			goto local;
		}
	}
failed:
	fetch_mirror_error(r, url, err);
	mirror_book_failed(&c->book, url, err, clock_wall_ms());
	return MIRROR_FAILED;
local:
	if (err[0] == '\0')
		snprintf(err, sizeof(err), "cannot write %s: %s", part->path,
		    strerror(errno));
	fetch_fail(r, "%s", err);
	return MIRROR_LOCAL;
ok:
	if (bytes > 0)
		mirror_book_good(&c->book, url, bytes, seconds, clock_wall_ms());
	return MIRROR_OK;
}

/*
 * The most a download of a may hold: its size, else its max_size, else the
 * settings' cap. An endless mirror fills no disk.
 */
static int64_t
fetch_limit(const struct fetch_ctx *c, const struct asset_conf *a)
{
	if (a->size >= 0)
		return a->size;
	return a->max_size >= 0 ? a->max_size : c->s->max_size;
}

/* The asset is not in the cache: download it into the part file, then commit. */
static void
fetch_download(struct fetch_ctx *c, const struct asset_conf *a,
    struct fetch_result *r)
{
	char *path = cache_part_path(c->s->cache_dir, a->sha256);
	char *object = cache_object_path(c->s->cache_dir, a->sha256);
	char err[512], speed[32], size[32];
	struct fetch_part part;
	enum mirror_outcome out = MIRROR_FAILED;
	size_t *order, n, i;
	int64_t started = clock_mono_ms();
	struct stat st;

	if (fetch_part_open(&part, path, fetch_limit(c, a), a->size >= 0, err,
	    sizeof(err)) < 0) {
		fetch_fail(r, "%s", err);
		goto done;
	}
	/* Another tend may have finished it while this one waited. */
	if (stat(object, &st) == 0) {
		fetch_part_close(&part, part.size == 0);
		if (!fetch_from_cache(c, a, r))
			fetch_fail(r, "another tend fetched it, but the cache's copy "
			    "does not verify");
		goto done;
	}
	if (part.size > part.limit && fetch_part_truncate(&part) < 0) {
		fetch_fail(r, "cannot truncate %s: %s", path, strerror(errno));
		fetch_part_close(&part, false);
		goto done;
	}
	if (part.size > 0) {
		units_format_size((double)part.size, size, sizeof(size));
		log_info(a->name, "resuming: %s already downloaded (%s)", size, path);
		r->resumed = true;
	}
	order = xcalloc(strv_len(a->mirrors), sizeof(*order));
	n = fetch_order(c, a, order);
	for (i = 0; i < n && out == MIRROR_FAILED; i++) {
		out = fetch_from_mirror(c, a, &part, a->mirrors[order[i]], r);
		if (out == MIRROR_OK) {
			free(r->url);
			r->url = text_redact(a->mirrors[order[i]]);
		}
	}
	free(order);
	if (out == MIRROR_OK) {
		r->bytes = part.size;
		if (cache_commit(c->s->cache_dir, path, a->sha256) < 0) {
			fetch_fail(r, "cannot move %s into the cache: %s", path,
			    strerror(errno));
			fetch_part_close(&part, true);
			goto done;
		}
		fetch_part_close(&part, false);
		units_format_size((double)r->downloaded /
		    ((double)(clock_mono_ms() - started) / 1000.0 + 1e-3), speed,
		    sizeof(speed));
		units_format_size((double)r->bytes, size, sizeof(size));
		log_info(a->name, "%s from %s verified (sha256); %s/s", size, r->url,
		    speed);
		r->source = FETCH_FROM_MIRROR;
		fetch_place(c, a, r, object);
		goto done;
	}
	fetch_part_close(&part, part.size == 0);
	if (out == MIRROR_LOCAL)
		goto done;
	if (n == 0)
		fetch_fail(r, "not in the cache, and the network is offline (no mirror "
		    "host answered; every mirror needs the network)");
	else if (r->n_mirror_errors == 1)
		fetch_fail(r, "its mirror failed: %s: %s", r->mirror_errors[0].url,
		    r->mirror_errors[0].error);
	else
		fetch_fail(r, "all %zu mirrors failed", r->n_mirror_errors);
done:
	free(path);
	free(object);
}

/* Every network mirror host of the assets still to be downloaded. */
static void
fetch_probe_network(struct fetch_ctx *c, const struct asset_conf *const *assets,
    const struct fetch_report *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		if (r->v[i].ok || r->v[i].error != NULL)
			continue;
		for (j = 0; assets[i]->mirrors[j] != NULL; j++)
			probe_add(&c->probe, assets[i]->mirrors[j]);
	}
	if (c->probe.n == 0)
		return;
	probe_run(&c->probe, c->s->probe_budget_ms, c->s->probe_slow_ms);
	c->net = probe_strategy(&c->probe);
	c->timeouts = c->net == FETCH_NET_LIMITED ? &c->s->limited : &c->s->online;
}

static void
fetch_log_network(const struct fetch_ctx *c, struct fetch_report *r)
{
	probe_summary(&c->probe, r->probe_summary, sizeof(r->probe_summary));
	r->probed = true;
	r->net = c->net;
	switch (c->net) {
	case FETCH_NET_ONLINE:
		log_info(NULL, "network: online: %s", r->probe_summary);
		break;
	case FETCH_NET_LIMITED:
		log_warn(NULL, "network: limited: %s; shorter timeouts, unreachable "
		    "hosts tried last", r->probe_summary);
		break;
	case FETCH_NET_OFFLINE:
		log_warn(NULL, "network: offline: %s; serving from the cache only "
		    "(file:// mirrors still tried)", r->probe_summary);
		break;
	}
}

size_t
fetch_assets(const struct fetch_settings *s, const struct asset_conf *const *assets,
    size_t n, struct fetch_report *r)
{
	struct fetch_ctx c = { .s = s, .net = FETCH_NET_ONLINE, .timeouts = &s->online };
	int64_t started;
	size_t i, pending = 0;
	char *object;

	memset(r, 0, sizeof(*r));
	r->v = xcalloc(n, sizeof(*r->v));
	r->n = n;
	for (i = 0; i < n; i++)
		r->v[i].asset = assets[i];
	if (cache_init(s->cache_dir) < 0) {
		for (i = 0; i < n; i++)
			fetch_fail(&r->v[i], "cannot create the cache %s: %s", s->cache_dir,
			    strerror(errno));
		r->failed = n;
		return n;
	}
	c.rng = jitter_seed();
	mirror_book_load(&c.book, s->cache_dir);
	for (i = 0; i < n; i++) {
		started = clock_mono_ns();
		if (!fetch_from_cache(&c, assets[i], &r->v[i]))
			pending++;
		else
			r->v[i].seconds = (double)(clock_mono_ns() - started) / 1e9;
	}
	if (pending > 0 && s->offline) {
		for (i = 0; i < n; i++) {
			if (r->v[i].ok || r->v[i].error != NULL)
				continue;
			object = cache_object_path(s->cache_dir, assets[i]->sha256);
			fetch_fail(&r->v[i], "not in the cache (%s) and --offline: no mirror "
			    "tried", object);
			log_error(assets[i]->name, "%s", r->v[i].error);
			free(object);
		}
	} else if (pending > 0) {
		fetch_probe_network(&c, assets, r);
		if (c.probe.n > 0)
			fetch_log_network(&c, r);
		c.curl = curl_easy_init();
		for (i = 0; i < n; i++) {
			if (r->v[i].ok || r->v[i].error != NULL)
				continue;
			started = clock_mono_ns();
			fetch_download(&c, assets[i], &r->v[i]);
			r->v[i].seconds = (double)(clock_mono_ns() - started) / 1e9;
			if (!r->v[i].ok)
				log_error(assets[i]->name, "%s", r->v[i].error);
		}
		curl_easy_cleanup(c.curl);
	}
	if (mirror_book_save(&c.book) < 0)
		log_warn(NULL, "cannot write %s: %s", c.book.path, strerror(errno));
	mirror_book_free(&c.book);
	probe_free(&c.probe);
	for (i = 0; i < n; i++)
		if (!r->v[i].ok)
			r->failed++;
	return r->failed;
}

size_t
fetch_verify(const struct asset_conf *const *assets, size_t n, struct fetch_report *r)
{
	struct fetch_result *res;
	int64_t size, started;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->v = xcalloc(n, sizeof(*r->v));
	r->n = n;
	for (i = 0; i < n; i++) {
		res = &r->v[i];
		res->asset = assets[i];
		started = clock_mono_ns();
		if (sha256_file(assets[i]->dest, res->sha256, &size) < 0) {
			res->sha256[0] = '\0';
			if (errno == ENOENT)
				fetch_fail(res, "%s does not exist", assets[i]->dest);
			else
				fetch_fail(res, "cannot read %s: %s", assets[i]->dest,
				    strerror(errno));
		} else if (strcmp(res->sha256, assets[i]->sha256) != 0)
			fetch_fail(res, "%s was modified: sha256 %.16s…, expected %.16s…",
			    assets[i]->dest, res->sha256, assets[i]->sha256);
		else if (assets[i]->size >= 0 && size != assets[i]->size)
			fetch_fail(res, "%s has %lld bytes, the manifest says %lld",
			    assets[i]->dest, (long long)size, (long long)assets[i]->size);
		else {
			res->ok = res->sha256_ok = true;
			res->source = FETCH_FROM_DEST;
		}
		res->bytes = res->sha256[0] != '\0' ? size : 0;
		res->seconds = (double)(clock_mono_ns() - started) / 1e9;
		if (!res->ok) {
			r->failed++;
			log_error(assets[i]->name, "%s", res->error);
		}
	}
	return r->failed;
}

void
fetch_report_free(struct fetch_report *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].url);
		free(r->v[i].error);
		for (j = 0; j < r->v[i].n_mirror_errors; j++) {
			free(r->v[i].mirror_errors[j].url);
			free(r->v[i].mirror_errors[j].error);
		}
		free(r->v[i].mirror_errors);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
