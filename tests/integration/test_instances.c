/*
 * Services with instances and scaling, with the real binary: copies that
 * run on their own ports with TEND_INSTANCE, each restarted on its own;
 * tend scale parking and unparking copies (their checks paused); scaling
 * by itself on up_when and down_when; the scale heal action.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPIES_WEB \
    "services:\n" \
    "  web:\n" \
    "    run: [@FAKESVC@, --name, 'web{instance}', --record, @RECORD@,\n" \
    "          --listen, '{instance+@PORT1@}', --http]\n" \
    "    ready: { tcp: '{instance+@PORT1@}' }\n"

/* Waits until the group runs n copies, as the status says. */
static bool
wait_running(struct tend_run *run, const char *group, int n, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status, *g;
	size_t i;
	int running;

	do {
		running = -1;
		if ((status = harness_status(run)) != NULL) {
			json_array_foreach(json_object_get(status, "groups"), i, g)
				if (strcmp(harness_str(g, "service"), group) == 0)
					running = (int)json_integer_value(json_object_get(g,
					    "running"));
			json_decref(status);
		}
		if (running == n)
			return true;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

static const char *
check_state(json_t *status, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(harness_str(c, "name"), name) == 0)
			return harness_str(c, "state");
	return NULL;
}

static void
copies_run_on_their_own(void **state)
{
	char env[64], name[16], *out = NULL;
	pid_t pids[3], again;
	json_t *status;
	int i;

	harness_write_config(&t, COPIES_WEB
	    "    instances: 3\n"
	    "    checks:\n"
	    "      health: { type: http, url: 'http://127.0.0.1:{instance+@PORT1@}/', "
	    "every: 200ms }\n"
	    "  api:\n"
	    "    run: [@FAKESVC@, --name, api, --record, @RECORD@]\n"
	    "    depends_on: [web]\n");
	harness_start(&t);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "web@%d", i);
		assert_true(harness_wait_state(&t, name, "up", 0, 5000));
		pids[i] = harness_pid(&t, name);
		harness_environ_var(pids[i], "TEND_INSTANCE", env, sizeof(env), 2000);
		assert_int_equal(atoi(env), i);
	}
	assert_true(harness_wait_state(&t, "api", "up", 0, 5000));
	/* Each copy answers on its own port, and each has its own check. */
	status = harness_status(&t);
	assert_non_null(harness_service(status, "web@2"));
	json_decref(status);
	for (i = 0; i < 50; i++) {
		status = harness_status(&t);
		if (check_state(status, "health@0") && strcmp(check_state(status, "health@0"),
		    "healthy") == 0 && strcmp(check_state(status, "health@2"), "healthy") == 0) {
			json_decref(status);
			break;
		}
		json_decref(status);
		harness_pause_ms(100);
	}
	assert_true(i < 50);
	/* One copy killed: only it is restarted. */
	kill(pids[1], SIGKILL);
	for (i = 0; i < 100 && ((again = harness_pid(&t, "web@1")) <= 0 || again == pids[1]);
	    i++)
		harness_pause_ms(50);
	assert_true(again > 0 && again != pids[1]);
	assert_int_equal(harness_pid(&t, "web@0"), pids[0]);
	assert_int_equal(harness_pid(&t, "web@2"), pids[2]);
	/* The group's name stops every copy. */
	assert_int_equal(harness_cli(&t, &out, "stop", "web", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "web@0", "down", 0, 5000));
	assert_true(harness_wait_state(&t, "web@2", "down", 0, 5000));
}

static void
tend_scale_parks_and_unparks_copies(void **state)
{
	json_t *status;
	char *out = NULL;

	harness_write_config(&t, COPIES_WEB
	    "    scale: { min: 1, max: 3 }\n"
	    "    checks:\n"
	    "      health: { type: tcp, port: '{instance+@PORT1@}', every: 200ms }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web@0", "up", 0, 5000));
	assert_true(wait_running(&t, "web", 1, 2000));
	status = harness_status(&t);
	assert_string_equal(harness_str(harness_service(status, "web@1"), "state"), "parked");
	assert_string_equal(check_state(status, "health@1"), "paused");
	json_decref(status);

	assert_int_equal(harness_cli(&t, &out, "scale", "web", "3", "--state-dir", t.state, NULL), 0);
	harness_contains(out, "web: scaled from 1 to 3 copies");
	free(out);
	assert_true(harness_wait_state(&t, "web@2", "up", 0, 5000));

	assert_int_equal(harness_cli(&t, &out, "scale", "web", "-2", "--state-dir", t.state, NULL), 0);
	harness_contains(out, "web: scaled from 3 to 1 copies");
	free(out);
	assert_true(harness_wait_state(&t, "web@1", "parked", 0, 5000));
	assert_true(harness_wait_state(&t, "web@2", "parked", 0, 5000));
	/* Outside min and max, or a parked copy started by name: refused, said why. */
	assert_int_equal(harness_cli(&t, &out, "scale", "web", "5", "--state-dir", t.state, NULL), 1);
	harness_contains(out, "its scale allows 1 to 3");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "start", "web@2", "--state-dir", t.state, NULL), 1);
	harness_contains(out, "web@2 is scaled down");
	free(out);
	/* Parked copies are no trouble: no incident, the daemon healthy. */
	harness_pause_ms(500);
	status = harness_status(&t);
	assert_string_equal(harness_str(status, "state"), "healthy");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(status, "tend"),
	    "open_incidents")), 0);
	json_decref(status);
}

static void
the_web_api_scales_with_the_token(void **state)
{
	char url[256], token[128], *body = NULL;

	harness_write_config(&t, COPIES_WEB "    scale: { min: 1, max: 3 }\n");
	t.web = true;
	harness_start(&t);
	harness_web(&t, url, sizeof(url), token, sizeof(token));
	assert_true(harness_wait_state(&t, "web@0", "up", 0, 5000));
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", NULL,
	    "{\"count\": 2}", NULL), 401);
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", token,
	    "{\"count\": 2}", &body), 200);
	harness_contains(body, "scaled from 1 to 2 copies");
	free(body);
	assert_true(harness_wait_state(&t, "web@1", "up", 0, 5000));
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", token,
	    "{\"by\": 5}", &body), 409);
	harness_contains(body, "its max: 3");
	free(body);
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", token,
	    "{}", NULL), 400);
	/* A count that would wrap to 2 in an int is no count. */
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", token,
	    "{\"count\": 4294967298}", NULL), 400);
	assert_int_equal(harness_http_send(url, "POST", "api/services/web/scale", token,
	    "{\"count\": 2, \"by\": 1}", NULL), 400);
	assert_int_equal(harness_http_send(url, "POST", "api/services/nope/scale", token,
	    "{\"count\": 2}", NULL), 404);
}

static void
scales_by_itself_up_and_down(void **state)
{
	harness_write_config(&t, COPIES_WEB
	    "    scale: { min: 1, max: 3, up_when: 'load critical',\n"
	    "             down_when: 'healthy for 1s', cooldown: 300ms }\n"
	    "checks:\n"
	    "  load: { type: file, path: '@DIR@/overload', exists: false, every: 100ms }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web@0", "up", 0, 5000));
	harness_write_file(&t, harness_at(&t, "overload"), "busy\n");
	assert_true(wait_running(&t, "web", 3, 8000));
	assert_true(harness_log_contains(&t, "scaling from 1 to 2 copies (auto: load is "
	    "critical)"));
	assert_true(harness_wait_state(&t, "web@2", "up", 0, 5000));
	assert_int_equal(unlink(harness_at(&t, "overload")), 0);
	assert_true(wait_running(&t, "web", 1, 10000));
	assert_true(harness_log_contains(&t, "scaling from 2 to 1 copies (auto: load "
	    "healthy on every copy for 1 s)"));
}

static void
the_scale_action_adds_a_copy(void **state)
{
	json_t *inc, *first;

	harness_write_config(&t, "heal: { cooldown: 0s, verify_timeout: 1s }\n"
	    "self_healing: { recovery: { auto_scaling_enabled: false } }\n"
	    COPIES_WEB
	    "    scale: { min: 1, max: 2, up_when: 'load critical' }\n"
	    "checks:\n"
	    "  load:\n"
	    "    type: file\n"
	    "    path: '@DIR@/overload'\n"
	    "    exists: false\n"
	    "    every: 100ms\n"
	    "    heal: [{ scale: { by: 1, service: web } }, escalate]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web@0", "up", 0, 5000));
	harness_write_file(&t, harness_at(&t, "overload"), "busy\n");
	assert_true(wait_running(&t, "web", 2, 10000));
	inc = harness_wait_incident(&t, "load", "phase", "escalated", 10000);
	assert_non_null(inc);
	first = json_array_get(json_object_get(inc, "attempts"), 0);
	assert_string_equal(harness_str(first, "action"), "scale");
	/* Scaled, though the load stays: the next step escalates. */
	assert_string_equal(harness_str(first, "outcome"), "not verified");
	harness_contains(harness_str(first, "detail"), "web: scaled from 1 to 2 copies");
	json_decref(inc);
	/* auto_scaling_enabled: false — nothing scaled by itself meanwhile. */
	assert_false(harness_log_contains(&t, "(auto: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(copies_run_on_their_own),
		TEND_TEST(tend_scale_parks_and_unparks_copies),
		TEND_TEST(the_web_api_scales_with_the_token),
		TEND_TEST(scales_by_itself_up_and_down),
		TEND_TEST(the_scale_action_adds_a_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
