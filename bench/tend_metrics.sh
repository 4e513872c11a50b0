# Sourced by the benches. tend_snap BUILD STATE_DIR prints "LAG_MS CHECK_RUNS"
# from `tend export-metrics` (over the control socket, answered by the
# daemon's loop, not by its web server), or nothing when tend does not
# answer: the loop lag is how late the publisher's 250 ms tick fired.
tend_snap() {
	"$1/tend" export-metrics --state-dir "$2" 2>/dev/null | awk '
		/"name":/ { m = "" }
		/"name": "tend_loop_lag_seconds"/ { m = "lag" }
		/"name": "tend_check_runs_total"/ { m = "runs" }
		m != "" && /"value":/ { v[m] = $2 + 0; m = "" }
		END { if (("lag" in v) && ("runs" in v)) printf "%.3f %d\n", v["lag"] * 1000, v["runs"] }' ||
		true
}
