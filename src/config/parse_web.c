/*
 * `web:`: where and how the dashboard, the JSON API and /metrics are
 * served; `metrics:`: what every series of them carries besides its own;
 * `exit_when:`: when tend ends, which an orchestrator reads with them.
 */
#include "config/parse.h"
#include "config/validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hostport.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

/*
 * listen: "127.0.0.1:8090", "[::1]:8090", "localhost:8090" or a port alone
 * (on 127.0.0.1). The host must be an address literal: binding to whatever a
 * name resolves to would make "loopback only" depend on /etc/hosts.
 */
static void
parse_web_listen(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct web_conf *web = target;
	const char *v = walk_scalar(w, node, "HOST:PORT");
	unsigned char addr[sizeof(struct in6_addr)];
	char host[256], with_host[300];
	const char *hostport = v;
	int port;

	if (v == NULL)
		return;
	/* A port alone serves 127.0.0.1 (hostport_split would read it as a name). */
	if (v[0] != '\0' && strspn(v, "0123456789") == strlen(v)) {
		snprintf(with_host, sizeof(with_host), "127.0.0.1:%s", v);
		hostport = with_host;
	}
	if (hostport_split(hostport, host, sizeof(host), &port) < 0)
		port = -1;		/* and a port is not optional here */
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (port < 0 || (inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1)) {
		walk_error(w, node, "'listen': expected HOST:PORT with an IP address "
		    "(127.0.0.1:8090, [::1]:8090) or a port, got '%s'", v);
		return;
	}
	free(web->host);
	web->host = xstrdup(host);
	web->port = port;
}

/*
 * allowed_hosts: [NAME, NAME:PORT, '[V6]', ...], what a request's Host may
 * name besides tend's own address and localhost (DNS rebinding).
 */
static void
parse_web_allowed_hosts(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***hosts = target, name[256];
	size_t i;
	int port;

	parse_string_list(w, node, target, spec);
	for (i = 0; *hosts != NULL && (*hosts)[i] != NULL; i++) {
		if (hostport_split((*hosts)[i], name, sizeof(name), &port) == 0)
			continue;
		walk_error(w, node, "'allowed_hosts': expected host names (tend.example, "
		    "tend.example:8443, [fd00::1]), got '%s'", (*hosts)[i]);
		strv_free(*hosts);
		*hosts = NULL;
		return;
	}
}

const struct key_spec web_specs[] = {
	{ "enabled", parse_bool, OFF(web_conf, enabled), NULL },
	{ "listen", parse_web_listen, 0, NULL },
	{ "max_connections", parse_positive_int, OFF(web_conf, max_connections), NULL },
	{ "per_ip_connections", parse_positive_int, OFF(web_conf, per_ip_connections), NULL },
	{ "connection_timeout", parse_duration, OFF(web_conf, connection_timeout_ms), NULL },
	{ "sse_clients", parse_positive_int, OFF(web_conf, sse_clients), NULL },
	{ "allowed_hosts", parse_web_allowed_hosts, OFF(web_conf, allowed_hosts), NULL },
	{ NULL, NULL, 0, NULL },
};

/* The labels tend's own series have, and the ones Prometheus gives each target. */
static const char *const metric_labels_taken[] = { "tend's series have it already, or "
	"Prometheus gives it each target (check, service, state, reason, action, outcome, "
	"job, instance)", "check", "service", "state", "reason", "action", "outcome", "job",
	"instance", NULL };

const struct key_spec metrics_specs[] = {
	{ "labels", parse_labels, OFF(metrics_conf, labels), metric_labels_taken },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec exit_when_specs[] = {
	{ "any_failed", parse_bool, OFF(exit_when_conf, any_failed), NULL },
	{ "service", parse_string, OFF(exit_when_conf, service), NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_exit_when(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct exit_when_conf *ew = target;
	yaml_node_t *k;

	(void)spec;
	if (!walk_mapping(w, node, exit_when_specs, ew, "'exit_when'"))
		return;
	if ((k = walk_value_node(w, node, "service")) != NULL)
		ew->service_pos = walk_pos(w, k);
}

void
config_validate_exit_when(const struct tend_config *cfg, struct config_errors *errs)
{
	const char *name = cfg->exit_when.service;
	size_t i;

	if (name == NULL)
		return;
	for (i = 0; i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0 ||
		    (cfg->services[i].instance_of != NULL &&
		    strcmp(cfg->services[i].instance_of, name) == 0))
			return;
	validate_error(errs, &cfg->exit_when.service_pos, "'exit_when': service '%s' is "
	    "not a service of this config", name);
}
