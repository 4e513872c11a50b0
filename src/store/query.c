#include "store/query.h"

#include <stdint.h>

#include "core/text.h"

json_t *
store_alert_json(const struct store_alert *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "at", json_integer(a->at));
	json_object_set_new(o, "event", text_json(a->event));
	json_object_set_new(o, "target", text_json(a->target));
	json_object_set_new(o, "state", text_json(a->state));
	json_object_set_new(o, "message", text_json(a->message));
	json_object_set_new(o, "incident", a->incident > 0 ? json_integer(a->incident) :
	    json_null());
	json_object_set_new(o, "channel", text_json(a->channel));
	json_object_set_new(o, "outcome", text_json(a->outcome));
	json_object_set_new(o, "tries", json_integer(a->tries));
	json_object_set_new(o, "detail", text_json(a->detail));
	return o;
}

static const char *
column_text(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

json_t *
store_query_alerts(sqlite3 *db, int limit)
{
	struct store_alert a;
	sqlite3_stmt *stmt;
	json_t *alerts;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, at, event, target, state, message, "
	    "incident, channel, outcome, tries, detail FROM alert_deliveries "
	    "ORDER BY id DESC LIMIT ?1", -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int(stmt, 1, limit);
	alerts = json_array();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		a = (struct store_alert){
			.id = sqlite3_column_int64(stmt, 0),
			.at = sqlite3_column_int64(stmt, 1),
			.event = column_text(stmt, 2),
			.target = column_text(stmt, 3),
			.state = column_text(stmt, 4),
			.message = column_text(stmt, 5),
			.incident = sqlite3_column_type(stmt, 6) == SQLITE_NULL ? 0 :
			    sqlite3_column_int64(stmt, 6),
			.channel = column_text(stmt, 7),
			.outcome = column_text(stmt, 8),
			.tries = sqlite3_column_int(stmt, 9),
			.detail = column_text(stmt, 10),
		};
		json_array_append_new(alerts, store_alert_json(&a));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(alerts);
		return NULL;
	}
	return alerts;
}
