/*
 * tend snapshot create [SET] [--label TEXT] | list [SET] | show ID |
 * diff ID [ID2] | prune [SET]: the snapshots of the config's sets. The
 * work is in src/snapshot (docs/snapshots.md); this file parses the
 * options and prints.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/snapshot_open.h"
#include "cli/table.h"
#include "config/config.h"
#include "config/units.h"
#include "snapshot/snapshot.h"

struct snap_options {
	const char	*config_path;
	const char	*state_dir;
	const char	*label;
	enum output_format format;
	char		**args;		/* after the subcommand */
	int		 n_args;
};

static void
snap_usage(FILE *out)
{
	fputs("usage: tend snapshot create [SET] [--label TEXT]\n"
	    "       tend snapshot list [SET]\n"
	    "       tend snapshot show ID\n"
	    "       tend snapshot diff ID [ID2]\n"
	    "       tend snapshot prune [SET]\n"
	    "  each takes -c FILE (default $TEND_CONFIG), --state-dir DIR, --format text|json\n"
	    "  create: a snapshot of SET (default: every set) under `snapshots:`\n"
	    "  list: the snapshots, newest first (lkg: last known good)\n"
	    "  show: one snapshot's files\n"
	    "  diff: from snapshot ID to ID2, or to the live files; a unified diff for\n"
	    "        text, sizes and hashes for the rest\n"
	    "  prune: keeps each set's `keep` newest and every last known good one\n", out);
}

enum { SNAP_OPT_STATE_DIR = 256, SNAP_OPT_LABEL };

static const struct option snap_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, SNAP_OPT_STATE_DIR },
	{ "format", required_argument, NULL, 'f' },
	{ "label", required_argument, NULL, SNAP_OPT_LABEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses what follows the subcommand (argv[0]); 0, 2, or -1 for help. */
static int
snap_parse(int argc, char **argv, struct snap_options *o, int max_args)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:h", snap_long_options, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case SNAP_OPT_STATE_DIR: o->state_dir = optarg; break;
		case SNAP_OPT_LABEL: o->label = optarg; break;
		case 'f':
			if (cli_parse_format("snapshot", optarg, &o->format) != 0)
				return 2;
			break;
		case 'h':
			snap_usage(stdout);
			return -1;
		default:
			snap_usage(stderr);
			return 2;
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	if (o->n_args > max_args) {
		fprintf(stderr, "tend snapshot %s: unexpected '%s'\n", argv[0],
		    o->args[max_args]);
		return 2;
	}
	return 0;
}

/* A snapshot id as the operator typed it; 0 after saying why not. */
static int64_t
snap_id(const char *text)
{
	char *end;
	long long v = strtoll(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "tend snapshot: '%s' is not a snapshot id (a number, as "
		    "`tend snapshot list` shows)\n", text);
		return 0;
	}
	return (int64_t)v;
}

static json_t *
snap_info_json(const struct snapshot_info *s)
{
	return json_pack("{sI ss ss* ss* sI sI sI sb sb}", "id", (json_int_t)s->id,
	    "set", s->set_name, "label", s->label, "reason", s->reason,
	    "created_at", (json_int_t)s->created_at, "files", (json_int_t)s->files,
	    "bytes", (json_int_t)s->bytes, "lkg", s->lkg, "bad", s->bad);
}

static int
snap_create_one(struct snapshot_cli *c, const struct snapshot_set_conf *set,
    const struct snap_options *o, json_t *out)
{
	struct snapshot_stats stats;
	struct snapshot_spec spec;
	char err[1024], size[32], read[32];
	int64_t id;

	snapshot_cli_spec(set, &spec);
	if (snapshot_create(c->eng, &spec, o->label, "manual", &id, &stats, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "tend snapshot create %s: %s\n", set->name, err);
		return 1;
	}
	if (o->format == OUTPUT_JSON) {
		json_array_append_new(out, json_pack("{sI ss sI sI sI sI sI sI}", "id",
		    (json_int_t)id, "set", set->name, "files", (json_int_t)stats.files,
		    "bytes", (json_int_t)stats.bytes, "read_files",
		    (json_int_t)stats.read_files, "read_bytes", (json_int_t)stats.read_bytes,
		    "new_objects", (json_int_t)stats.new_objects, "new_bytes",
		    (json_int_t)stats.new_bytes));
		return 0;
	}
	units_format_size((double)stats.bytes, size, sizeof(size));
	units_format_size((double)stats.new_bytes, read, sizeof(read));
	cli_printf(stdout, "snapshot %" PRId64 " of %s: %" PRId64 " %s, %s (read %" PRId64
	    " %s, %s new)\n", id, set->name, stats.files, stats.files == 1 ? "entry" :
	    "entries", size, stats.read_files, stats.read_files == 1 ? "file" : "files", read);
	return 0;
}

static int
snap_create(struct snapshot_cli *c, const struct snap_options *o)
{
	const struct snapshot_set_conf *set;
	json_t *out = json_array();
	int rc = 0;
	size_t i;

	if (o->n_args == 1) {
		if ((set = snapshot_cli_set("snapshot create", c->cfg, o->args[0])) == NULL)
			rc = 2;
		else
			rc = snap_create_one(c, set, o, out);
	} else {
		for (i = 0; i < c->cfg->n_snapshots; i++)
			rc |= snap_create_one(c, &c->cfg->snapshots[i], o, out);
	}
	if (o->format == OUTPUT_JSON && rc != 2)
		cli_print_json(o->n_args == 1 && json_array_size(out) == 1 ?
		    json_array_get(out, 0) : out);
	json_decref(out);
	return rc;
}

static void
snap_print_list(const struct snapshot_info *v, size_t n)
{
	static const struct table_column cols[] = {
		{ .head = "ID", .right = true },
		{ .head = "SET", .lead = 1 },
		{ .head = "CREATED", .lead = 1 },
		{ .head = "FILES", .right = true, .lead = 1 },
		{ .head = "SIZE", .right = true, .lead = 1 },
		{ .head = "MARK", .lead = 1 },
		{ .head = "REASON", .lead = 1 },
		{ .head = "LABEL", .lead = 1 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	char id[24], when[32], files[24], size[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%" PRId64, v[i].id);
		cli_format_time(v[i].created_at, true, when, sizeof(when));
		snprintf(files, sizeof(files), "%" PRId64, v[i].files);
		units_format_size((double)v[i].bytes, size, sizeof(size));
		table_row(t, (const char *const[]){ id, v[i].set_name, when, files, size,
		    v[i].bad ? "bad" : v[i].lkg ? "lkg" : NULL, v[i].reason, v[i].label });
	}
	table_print(t, stdout);
	table_free(t);
}

static int
snap_list(struct snapshot_cli *c, const struct snap_options *o)
{
	struct snapshot_info *v;
	char err[1024];
	json_t *out;
	size_t n, i;

	if (o->n_args == 1 && snapshot_cli_set("snapshot list", c->cfg, o->args[0]) == NULL)
		return 2;
	if (snapshot_list(c->eng, o->n_args == 1 ? o->args[0] : NULL, &v, &n, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "tend snapshot list: %s\n", err);
		return 1;
	}
	if (o->format == OUTPUT_JSON) {
		out = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(out, snap_info_json(&v[i]));
		cli_print_json(out);
		json_decref(out);
	} else if (n == 0) {
		printf("no snapshots yet (tend snapshot create)\n");
	} else {
		snap_print_list(v, n);
	}
	snapshot_infos_free(v, n);
	return 0;
}

static json_t *
snap_entry_json(const struct snapshot_entry *e)
{
	return json_pack("{ss ss si si si sI sI ss* ss*}", "path", e->path, "type",
	    snapshot_type_name(e->type), "mode", (int)e->mode, "uid", (int)e->uid, "gid",
	    (int)e->gid, "mtime_ns", (json_int_t)e->mtime_ns, "size", (json_int_t)e->size,
	    "sha256", e->hash[0] != '\0' ? e->hash : NULL, "target", e->target);
}

static void
snap_print_entries(const struct snapshot_entry *e, size_t n)
{
	static const struct table_column cols[] = {
		{ .head = "TYPE" },
		{ .head = "MODE", .lead = 1 },
		{ .head = "OWNER", .lead = 1 },
		{ .head = "SIZE", .right = true, .lead = 1 },
		{ .head = "SHA256", .lead = 1 },
		{ .head = "PATH", .lead = 1 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	char mode[8], owner[32], size[24], hash[16], path[4200];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(mode, sizeof(mode), "%04o", (unsigned)e[i].mode);
		snprintf(owner, sizeof(owner), "%u:%u", (unsigned)e[i].uid, (unsigned)e[i].gid);
		snprintf(size, sizeof(size), "%" PRId64, e[i].size);
		snprintf(hash, sizeof(hash), "%.12s", e[i].hash);
		snprintf(path, sizeof(path), "%s%s%s", e[i].path, e[i].target ? " -> " : "",
		    e[i].target ? e[i].target : "");
		table_row(t, (const char *const[]){ snapshot_type_name(e[i].type), mode, owner,
		    e[i].type == SNAPSHOT_DIR ? NULL : size, hash[0] ? hash : NULL, path });
	}
	table_print(t, stdout);
	table_free(t);
}

static int
snap_show(struct snapshot_cli *c, const struct snap_options *o)
{
	struct snapshot_entry *e = NULL;
	struct snapshot_info info;
	char err[1024], when[32];
	json_t *out, *files;
	int64_t id;
	size_t n = 0, i;
	int rc;

	if (o->n_args != 1 || (id = snap_id(o->args[0])) == 0) {
		if (o->n_args != 1)
			snap_usage(stderr);
		return 2;
	}
	if ((rc = snapshot_get(c->eng, id, &info, &e, &n, err, sizeof(err))) != 0) {
		fprintf(stderr, "tend snapshot show: %s\n", rc > 0 ?
		    "no such snapshot (tend snapshot list)" : err);
		return 1;
	}
	if (o->format == OUTPUT_JSON) {
		out = snap_info_json(&info);
		files = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(files, snap_entry_json(&e[i]));
		json_object_set_new(out, "files", files);
		cli_print_json(out);
		json_decref(out);
	} else {
		cli_format_time(info.created_at, true, when, sizeof(when));
		cli_printf(stdout, "snapshot %" PRId64 " of %s, %s%s%s%s%s\n", info.id,
		    info.set_name, when, info.lkg ? ", last known good" : "",
		    info.bad ? ", bad" : "", info.label ? ": " : "", info.label ? info.label : "");
		putchar('\n');
		snap_print_entries(e, n);
	}
	snapshot_entries_free(e, n);
	snapshot_info_clear(&info);
	return 0;
}


static void
snap_print_change(const struct snapshot_change *ch)
{
	const char *line, *nl;
	char from[32], to[32];

	if (ch->unified != NULL) {
		/* The files' own bytes: each line shown escaped, as any text from the world. */
		for (line = ch->unified; *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				nl = line + strlen(line) - 1;
			cli_printf(stdout, "%.*s\n", (int)(nl - line + (*nl != '\n')), line);
		}
		return;
	}
	if (ch->kind != SNAPSHOT_CHANGED || !ch->content) {
		cli_printf(stdout, "%s %s%s\n", snapshot_change_name(ch->kind), ch->path,
		    ch->kind == SNAPSHOT_CHANGED ? " (mode, owner or time)" : "");
		return;
	}
	units_format_size((double)ch->from.size, from, sizeof(from));
	units_format_size((double)ch->to.size, to, sizeof(to));
	cli_printf(stdout, "changed %s: %s %.12s -> %s %.12s%s\n", ch->path, from,
	    ch->from.hash, to, ch->to.hash, ch->binary ? " (binary)" : "");
}

/* Snapshots of two sets have nothing to compare: 0, or 2 after saying so. */
static int
snap_same_set(struct snapshot_cli *c, int64_t a, int64_t b)
{
	struct snapshot_info ia, ib;
	char err[1024];
	int rc = 2;

	memset(&ib, 0, sizeof(ib));
	if (snapshot_get(c->eng, a, &ia, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend snapshot diff: no snapshot %" PRId64 "\n", a);
		return 2;
	}
	if (snapshot_get(c->eng, b, &ib, NULL, NULL, err, sizeof(err)) != 0)
		fprintf(stderr, "tend snapshot diff: no snapshot %" PRId64 "\n", b);
	else if (strcmp(ia.set_name, ib.set_name) != 0)
		fprintf(stderr, "tend snapshot diff: %" PRId64 " is of %s and %" PRId64
		    " of %s: only snapshots of one set compare\n", a, ia.set_name, b,
		    ib.set_name);
	else
		rc = 0;
	snapshot_info_clear(&ia);
	snapshot_info_clear(&ib);
	return rc;
}

static int
snap_diff(struct snapshot_cli *c, const struct snap_options *o)
{
	struct snapshot_diff d;
	int64_t from, to = 0;
	char err[1024];
	json_t *out;
	size_t i;
	int rc;

	if (o->n_args < 1) {
		snap_usage(stderr);
		return 2;
	}
	if ((from = snap_id(o->args[0])) == 0 ||
	    (o->n_args == 2 && (to = snap_id(o->args[1])) == 0))
		return 2;
	if (to != 0 && snap_same_set(c, from, to) != 0)
		return 2;
	if (snapshot_diff(c->eng, from, to, true, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend snapshot diff: %s\n", err);
		return 2;
	}
	if (o->format == OUTPUT_JSON) {
		out = snapshot_diff_json(&d);
		cli_print_json(out);
		json_decref(out);
	} else if (d.n == 0) {
		printf("no differences\n");
	} else {
		for (i = 0; i < d.n; i++)
			snap_print_change(&d.v[i]);
	}
	rc = d.n > 0 ? 1 : 0;
	snapshot_diff_free(&d);
	return rc;
}

static int
snap_prune_one(struct snapshot_cli *c, const struct snapshot_set_conf *set)
{
	struct snapshot_prune_stats stats;
	char err[1024], size[32];

	if (snapshot_prune(c->eng, set->name, set->keep, &stats, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend snapshot prune %s: %s\n", set->name, err);
		return 1;
	}
	units_format_size((double)stats.bytes, size, sizeof(size));
	cli_printf(stdout, "%s: %" PRId64 " snapshots and %" PRId64 " objects removed (%s); "
	    "the newest %d and every last known good one kept\n", set->name, stats.snapshots,
	    stats.objects, size, set->keep);
	return 0;
}

static int
snap_prune(struct snapshot_cli *c, const struct snap_options *o)
{
	const struct snapshot_set_conf *set;
	size_t i;
	int rc = 0;

	if (o->n_args == 1) {
		if ((set = snapshot_cli_set("snapshot prune", c->cfg, o->args[0])) == NULL)
			return 2;
		return snap_prune_one(c, set);
	}
	for (i = 0; i < c->cfg->n_snapshots; i++)
		rc |= snap_prune_one(c, &c->cfg->snapshots[i]);
	return rc;
}

static const struct {
	const char	*name;
	int		 max_args;
	int		(*run)(struct snapshot_cli *c, const struct snap_options *o);
} snap_commands[] = {
	{ "create", 1, snap_create },
	{ "list", 1, snap_list },
	{ "show", 1, snap_show },
	{ "diff", 2, snap_diff },
	{ "prune", 1, snap_prune },
};

int
cmd_snapshot(int argc, char **argv)
{
	struct snap_options o;
	struct snapshot_cli c;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		snap_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(snap_commands) / sizeof(snap_commands[0]); i++) {
		if (strcmp(argv[1], snap_commands[i].name) != 0)
			continue;
		if ((rc = snap_parse(argc - 1, argv + 1, &o, snap_commands[i].max_args)) != 0)
			return rc < 0 ? 0 : rc;
		if ((rc = snapshot_cli_open("snapshot", o.config_path, o.state_dir, &c)) != 0)
			return rc;
		rc = snap_commands[i].run(&c, &o);
		snapshot_cli_close(&c);
		return rc;
	}
	fprintf(stderr, "tend snapshot: unknown subcommand '%s'\n", argv[1]);
	snap_usage(stderr);
	return 2;
}
