#include "checks/resource.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/mem.h"

struct cpu_times {
	unsigned long long busy;
	unsigned long long total;
};

struct resource_sampler {
	char		*proc_root;
	struct cpu_times last_cpu;
	bool		 have_cpu;
};

static const char *const metric_names[] = {
	[RESOURCE_CPU] = "cpu",
	[RESOURCE_MEMORY] = "memory",
	[RESOURCE_SWAP] = "swap",
	[RESOURCE_DISK] = "disk",
	[RESOURCE_INODES] = "inodes",
	[RESOURCE_LOAD] = "load",
	[RESOURCE_OPEN_FILES] = "open_files",
};

const char *
resource_metric_name(enum resource_metric metric)
{
	return metric_names[metric];
}

static FILE *
resource_open(const struct resource_sampler *rs, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", rs->proc_root, name);
	return fopen(path, "re");
}

static int
resource_read_cpu(const struct resource_sampler *rs, struct cpu_times *t)
{
	unsigned long long v[10] = { 0 };
	FILE *f = resource_open(rs, "stat");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 4)
		return -1;
	/* idle and iowait are not busy; guest time is already in user. */
	t->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	t->busy = t->total - v[3] - v[4];
	return 0;
}

struct resource_sampler *
resource_sampler_new(const char *proc_root)
{
	struct resource_sampler *rs = xcalloc(1, sizeof(*rs));

	rs->proc_root = xstrdup(proc_root ? proc_root : "/proc");
	rs->have_cpu = resource_read_cpu(rs, &rs->last_cpu) == 0;
	return rs;
}

void
resource_sampler_free(struct resource_sampler *rs)
{
	if (rs == NULL)
		return;
	free(rs->proc_root);
	free(rs);
}

static int
resource_cpu(struct resource_sampler *rs, double *pct, char *why, size_t len)
{
	struct cpu_times now;
	unsigned long long dt;

	if (resource_read_cpu(rs, &now) < 0) {
		snprintf(why, len, "cannot read %s/stat", rs->proc_root);
		return -1;
	}
	dt = now.total - rs->last_cpu.total;
	if (!rs->have_cpu || dt == 0 || now.total < rs->last_cpu.total) {
		/* No interval yet: the average since boot is the best we have. */
		*pct = now.total ? 100.0 * (double)now.busy / (double)now.total : 0;
	} else {
		*pct = 100.0 * (double)(now.busy - rs->last_cpu.busy) / (double)dt;
	}
	rs->last_cpu = now;
	rs->have_cpu = true;
	return 0;
}

/* Reads "Key:   123 kB" values from /proc/meminfo. */
static int
resource_meminfo(const struct resource_sampler *rs, const char *const *keys,
    unsigned long long *vals, int n)
{
	char line[256], key[64];
	unsigned long long v;
	int i, found = 0;
	FILE *f = resource_open(rs, "meminfo");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		for (i = 0; i < n; i++) {
			if (strcmp(key, keys[i]) == 0) {
				vals[i] = v;
				found |= 1 << i;
			}
		}
	}
	fclose(f);
	return found == (1 << n) - 1 ? 0 : -1;
}

static int
resource_memory(struct resource_sampler *rs, double *pct, char *why, size_t len)
{
	static const char *const keys[] = { "MemTotal", "MemAvailable" };
	unsigned long long v[2];

	if (resource_meminfo(rs, keys, v, 2) < 0 || v[0] == 0) {
		snprintf(why, len, "cannot read MemTotal/MemAvailable");
		return -1;
	}
	*pct = 100.0 * (double)(v[0] - (v[1] > v[0] ? v[0] : v[1])) / (double)v[0];
	return 0;
}

static int
resource_swap(struct resource_sampler *rs, double *pct, char *why, size_t len)
{
	static const char *const keys[] = { "SwapTotal", "SwapFree" };
	unsigned long long v[2];

	if (resource_meminfo(rs, keys, v, 2) < 0) {
		snprintf(why, len, "cannot read SwapTotal/SwapFree");
		return -1;
	}
	*pct = v[0] ? 100.0 * (double)(v[0] - v[1]) / (double)v[0] : 0;
	return 0;
}

static int
resource_fs(const char *path, bool inodes, double *pct, char *why, size_t len)
{
	struct statvfs st;
	double used, avail;

	if (statvfs(path, &st) < 0) {
		snprintf(why, len, "statvfs %s: %s", path, strerror(errno));
		return -1;
	}
	if (inodes) {
		used = (double)(st.f_files - st.f_ffree);
		avail = (double)st.f_favail;
	} else {
		/* As df computes it: used / (used + available to users). */
		used = (double)(st.f_blocks - st.f_bfree);
		avail = (double)st.f_bavail;
	}
	*pct = used + avail > 0 ? 100.0 * used / (used + avail) : 0;
	return 0;
}

static int
resource_load(struct resource_sampler *rs, double *per_core, char *why, size_t len)
{
	FILE *f = resource_open(rs, "loadavg");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double load1;
	int n;

	if (f == NULL) {
		snprintf(why, len, "cannot read %s/loadavg", rs->proc_root);
		return -1;
	}
	n = fscanf(f, "%lf", &load1);
	fclose(f);
	if (n != 1) {
		snprintf(why, len, "cannot parse %s/loadavg", rs->proc_root);
		return -1;
	}
	*per_core = load1 / (double)(cores > 0 ? cores : 1);
	return 0;
}

/* /proc/sys/fs/file-nr: allocated, free (always 0 now), maximum. */
static int
resource_open_files(struct resource_sampler *rs, double *pct, char *why, size_t len)
{
	unsigned long long used, unused, max;
	FILE *f = resource_open(rs, "sys/fs/file-nr");
	int n;

	if (f == NULL) {
		snprintf(why, len, "cannot read %s/sys/fs/file-nr", rs->proc_root);
		return -1;
	}
	n = fscanf(f, "%llu %llu %llu", &used, &unused, &max);
	fclose(f);
	if (n != 3 || max == 0) {
		snprintf(why, len, "cannot parse %s/sys/fs/file-nr", rs->proc_root);
		return -1;
	}
	*pct = 100.0 * (double)(used - unused) / (double)max;
	return 0;
}

void
resource_sample(struct resource_sampler *rs, const struct check_conf *c,
    struct resource_result *out)
{
	char why[200] = "";
	int rc = -1;

	switch (c->metric) {
	case RESOURCE_CPU:
		rc = resource_cpu(rs, &out->value, why, sizeof(why));
		break;
	case RESOURCE_MEMORY:
		rc = resource_memory(rs, &out->value, why, sizeof(why));
		break;
	case RESOURCE_SWAP:
		rc = resource_swap(rs, &out->value, why, sizeof(why));
		break;
	case RESOURCE_DISK:
	case RESOURCE_INODES:
		rc = resource_fs(c->path, c->metric == RESOURCE_INODES, &out->value,
		    why, sizeof(why));
		break;
	case RESOURCE_LOAD:
		rc = resource_load(rs, &out->value, why, sizeof(why));
		break;
	case RESOURCE_OPEN_FILES:
		rc = resource_open_files(rs, &out->value, why, sizeof(why));
		break;
	}
	if (rc < 0) {
		out->state = HEALTH_UNKNOWN;
		out->value = 0;
		snprintf(out->message, sizeof(out->message), "%s: %s",
		    metric_names[c->metric], why);
		return;
	}
	out->state = health_state_from_thresholds(out->value, c->warn, c->crit);
	if (c->metric == RESOURCE_LOAD)
		snprintf(out->message, sizeof(out->message),
		    "load %.2f per core (warn %g, crit %g)", out->value, c->warn, c->crit);
	else if (c->metric == RESOURCE_DISK || c->metric == RESOURCE_INODES)
		snprintf(out->message, sizeof(out->message),
		    "%s %s %.1f%% used (warn %g%%, crit %g%%)", metric_names[c->metric],
		    c->path, out->value, c->warn, c->crit);
	else
		snprintf(out->message, sizeof(out->message),
		    "%s %.1f%% (warn %g%%, crit %g%%)", metric_names[c->metric],
		    out->value, c->warn, c->crit);
}
