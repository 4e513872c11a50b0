/*
 * The fleet test's monitoring side: a real Prometheus (the hosts found by
 * file-based discovery, a copy of the mixin's rules with some `for:`
 * shortened) and a real Alertmanager notifying a webhook receiver
 * (fakesvc). Each is started with its output in mon's dir, killed by the
 * kernel should the test die first, stopped by its pid, and asked over HTTP.
 */
#ifndef TEND_TEST_FLEET_MONITORING_H
#define TEND_TEST_FLEET_MONITORING_H

#include "harness.h"

/*
 * mon's dir holds the configs, data and logs; its ports: 0 every tend's
 * web port, 1 Prometheus, 2 Alertmanager, 3 the webhook receiver.
 */
extern struct tend_run mon;
extern pid_t prom_pid, am_pid, hook_pid;
extern char prom_url[64], am_url[64];

/*
 * A program on PATH, or NULL. Debian names Alertmanager
 * prometheus-alertmanager; upstream's binary is alertmanager.
 */
const char *find_program(const char *name, char *buf, size_t len);
/* A string member's value, "" when there is none. */
const char *str(json_t *o, const char *key);
bool	 in_list(const char *name, const char *const *list);

/* Prometheus scraping targets (host:port), with the rules' copy. */
void	 start_prometheus(const char *bin, const char *const *targets,
	    const char *const *exercised, const char *short_for);
void	 start_alertmanager(const char *bin);
/* The webhook receiver Alertmanager notifies: each body a line of DIR/hook.log. */
void	 start_receiver(void);
/* SIGTERM, then SIGKILL after 10 s; *pid is 0 after. */
void	 stop(pid_t *pid, const char *what);
/* Fails the test, with the end of its log, when Prometheus or Alertmanager exited. */
void	 assert_monitoring_runs(void);
/* Whether url answers its /-/ready with 200. */
bool	 ready(const char *url);

/* A GET's JSON answer, or NULL when there was no 200 or no JSON. */
json_t	*get_json(const char *base, const char *path);
/* An instant query's result vector (a new reference), or NULL. */
json_t	*prom_query(const char *expr);
/* The number an instant query answers with (-1 when it has no single one). */
double	 prom_scalar(const char *expr);
/* The alerting rule name as Prometheus loaded it: its `for:` in seconds, or -1. */
double	 rule_duration(json_t *rules, const char *name);
/* The last lines of a log, on stderr. */
void	 dump_tail(const char *path);

#endif
