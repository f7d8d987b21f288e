#!/usr/bin/env bash
# live: flowaudit audits a mirror (SPAN) port live while real connections cross a firewall.
#
# The site (tests/netns/live-site.sh; picture in tests/netns/README.md): a user
# LAN (Workspace app 198.18.1.1, a Remote PC Access VDA 198.18.1.10), a router
# with an nft allow-list in its forward hook, and a datacenter bridge (VDA
# 198.18.2.10, DDC 198.18.3.10, License Server 198.18.3.20, StoreFront
# 198.18.3.30). tc mirred copies the router's user-side port, both directions,
# to span0 in a sensor namespace; span1 gets that and the datacenter-side port
# too (every forwarded packet twice). The mirror is on the user side of the
# firewall because a packet the firewall drops never leaves by the other port:
# only there is a blocked opening visible at all.
#
# The expected verdicts (tests/golden/live.verdicts) follow from the firewall,
# the listeners and the matrices of tests/golden/site-live.yaml:
#   tcp wsapp->vda 1494   allowed, listener, FINs      ok                citrix-cvad/ws-app-to-vda-ica
#   tcp wsapp->vda 2598   SYNs dropped by the router   blocked/no-reply  citrix-cvad/ws-app-to-vda-cgp
#   udp wsapp->vda 2598   datagrams dropped, router    blocked/no-reply  citrix-cvad/ws-app-to-vda-cgp-edt
#   tcp rpc->lic 27000    allowed, no listener: RST    blocked/rst       citrix-licensing/component-to-
#                                                                        license-server
#   tcp wsapp->sf 80      allowed, data, server RST    interrupted       citrix-cvad/ws-app-to-storefront
#   udp wsapp->vda 1494   allowed, echoed              ok                citrix-cvad/ws-app-to-vda-ica-edt
# (the columns leave out client ports and times, which vary from run to run).
#
# Run 1: flowaudit -i span0, stopped by SIGINT: the conn log gives exactly these
#   verdicts, the JSON report is complete (capture.mode "live", dropped 0).
# Run 2, the same traffic (other client ports): flowaudit -i span1 --duration 8
#   -Z nobody --report-interval 2 --dedup-window 50, its conn log and report in
#   a directory nobody cannot write: it runs as nobody, an interim report is
#   readable during the run, it ends by itself with a complete report, and its
#   per-flow packet counts equal those of a reference flowaudit on span0
#   (stopped by SIGINT, sent SIGHUP mid-run for an interim report), with
#   capture.duplicates = every packet the router forwarded.
# Needs root and ip netns (else SKIP, exit 77). About 25 s; every wait bounded.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/live-site.sh
. "$SRCDIR/tests/netns/live-site.sh"

SITE=$SRCDIR/tests/golden/site-live.yaml
GOLD=$SRCDIR/tests/golden/live.verdicts
LIVE_PID=
LIVE_RC=
T0=$(date +%s)

live_cleanup() { rm -rf "$TMP"; }
command -v jq >/dev/null 2>&1 || fa_skip "jq not installed"
ls_require live_cleanup
[ -x "$FLOWAUDIT" ] || {
	not_ok "no flowaudit binary at $FLOWAUDIT"
	finish
	exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# note TEXT: a diagnostic line in the test log.
note() { printf '# %s\n' "$*"; }

# compare NAME WANT GOT: diff, printing the difference on failure.
compare() {
	if diff -u "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$TMP/diff"
	fi
}

# The conn log projected onto tests/golden/live.verdicts (reasons as in audit.sh:
# judged where the contract defines them, '-' for ok and interrupted).
project_verdicts() {
	jq -r '[.proto, ."id.orig_h", ."id.resp_h", ."id.resp_p", .verdict,
		(if (.verdict | IN("blocked", "unexpected", "unmatched")) then (.reason // "-") else "-" end),
		(.rule // "-")] | map(tostring) | join("\t")' "$1" | LC_ALL=C sort
}

# Per-flow packet and byte counts, keyed by the full tuple.
project_counts() {
	jq -r '[.proto, ."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p",
		.orig_pkts, .resp_pkts, .orig_ip_bytes, .resp_ip_bytes] | map(tostring) | join("\t")' "$1" |
		LC_ALL=C sort
}

# A complete, final JSON report of a live audit with no kernel drops.
report_complete() {
	jq -e '(.summary | type) == "object" and (.matrix | type) == "array" and
		(.findings | type) == "array" and (.capture | type) == "object" and
		.capture.mode == "live" and .capture.dropped == 0 and (.capture.interim // false) == false' \
		"$1" >/dev/null 2>&1
}

# A report with all four sections (an interim one may say so).
report_sections() {
	jq -e '(.summary | type) == "object" and (.matrix | type) == "array" and
		(.findings | type) == "array" and (.capture | type) == "object"' "$1" >/dev/null 2>&1
}

# wait_report FILE SECS: poll (bounded) until FILE holds a JSON report with all sections.
wait_report() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		report_sections "$1" && return 0
		sleep 0.05
	done
	return 1
}

# verdict_checks LABEL DIR: the conn log and report in DIR against the golden answer.
verdict_checks() {
	local label=$1 d=$2
	if ! jq -s -e 'length > 0' "$d/conn.json" >/dev/null 2>&1; then
		not_ok "$label: the conn log is JSON Lines with flows"
		sed 's/^/#   /' "$d/err" | head -5
	else
		grep -v '^#' "$GOLD" | LC_ALL=C sort >"$d/verdicts.want"
		project_verdicts "$d/conn.json" >"$d/verdicts.got"
		compare "$label: verdicts, reasons and rules are tests/golden/live.verdicts" \
			"$d/verdicts.want" "$d/verdicts.got"
	fi
	if report_complete "$d/report.json"; then
		ok "$label: the JSON report is complete and final (mode live, dropped 0)"
	else
		not_ok "$label: the JSON report is complete and final (mode live, dropped 0)"
		jq -c '.capture' "$d/report.json" 2>&1 | head -c 600 | sed 's/^/#   /'
		echo
	fi
	note "$label: capture $(jq -c '.capture | {packets, duplicates, dropped, received, stopped_by,
		interim}' "$d/report.json" 2>/dev/null)"
	note "$label: findings $(jq -r '[.findings[] | "\(.kind) \(.rule // "-")"] | join(", ")' \
		"$d/report.json" 2>/dev/null)"
}

# ts_recent CONNLOG EPOCH: every flow starts within a minute after EPOCH (live time, not 1970).
ts_recent() {
	jq -s -e --argjson t "$2" 'length > 0 and all(.[]; .ts >= $t - 1 and .ts <= $t + 60)' \
		"$1" >/dev/null 2>&1
}

traffic_check() {
	if [ "${#LS_TRAFFIC_ERRORS[@]}" -eq 0 ]; then
		ok "$1: the site's traffic went as planned"
	else
		not_ok "$1: the site's traffic went as planned"
		printf '#   %s\n' "${LS_TRAFFIC_ERRORS[@]}"
	fi
	LS_TRAFFIC_ERRORS=()
}

ls_setup
note "site built in $(($(date +%s) - T0)) s"

# ---- Run 1: span0 (one mirror), stopped with SIGINT --------------------------
d1=$TMP/run1
mkdir -p "$d1"
run1_start=$(now)
if ! ls_live_start "$d1/err" span0 --conn-log "$d1/conn.json" -o "$d1/report.json" --format json -q; then
	not_ok "run 1: flowaudit -i span0 says 'listening on span0' within 5 s"
	sed 's/^/#   /' "$d1/err" | head -5
	kill -KILL "$LIVE_PID" 2>/dev/null
else
	ok "run 1: flowaudit -i span0 says 'listening on span0' within 5 s"
	pid1=$LIVE_PID
	wall1=$(date +%s)
	LS_PORT_BASE=43000
	ls_phase_a
	sleep "$LS_GAP"
	ls_phase_b
	sleep 1
	traffic_check "run 1"
	check "run 1: the router's nft dropped the CGP SYNs and datagrams" \
		test "$(ls_nft_dropped cgp-tcp)" -ge 1 -a "$(ls_nft_dropped cgp-udp)" -eq 2
	check "run 1: flowaudit still running before SIGINT" kill -0 "$pid1"
	kill -INT "$pid1" 2>/dev/null
	live_wait "$pid1" 5
	check "run 1: SIGINT ends it within 5 s, exit status 1 (findings) [got $LIVE_RC]" \
		test "$LIVE_RC" = 1
	verdict_checks "run 1" "$d1"
	check "run 1: flow timestamps are this run's wall clock" ts_recent "$d1/conn.json" "$wall1"
fi
note "run 1 took $(elapsed "$run1_start") s"

# ---- Run 2: span1 (two mirrors) with --duration, -Z, interim reports, dedup ---
d2=$TMP/run2
ref=$d2/ref
zdir=$d2/z
mkdir -p "$ref" "$zdir"
chmod 0755 "$zdir"
zuser=nobody
zuid=$(id -u nobody 2>/dev/null) || zuser=
run2_start=$(now)
if ! ls_live_start "$ref/err" span0 --conn-log "$ref/conn.json" -o "$ref/report.json" --format json -q; then
	not_ok "run 2: the reference flowaudit -i span0 starts"
	sed 's/^/#   /' "$ref/err" | head -5
	kill -KILL "$LIVE_PID" 2>/dev/null
	finish
	exit
fi
pidr=$LIVE_PID
zopt=()
if [ -n "$zuser" ]; then
	zopt=(-Z "$zuser")
else
	note "no user 'nobody' here: run 2 keeps root (no -Z check)"
fi
# 50 ms, not the default 5: under make -j2 check the router namespace may forward a
# packet several ms after its first mirror copy; no packet here repeats legitimately.
if ! ls_live_start "$zdir/err" span1 --duration 8 "${zopt[@]}" --report-interval 2 --dedup-window 50 \
	--conn-log "$zdir/conn.json" -o "$zdir/report.json" --format json -q; then
	not_ok "run 2: flowaudit -i span1 --duration 8 -Z nobody ... says 'listening on span1' within 5 s"
	sed 's/^/#   /' "$zdir/err" | head -5
	kill -KILL "$LIVE_PID" 2>/dev/null
	kill -KILL "$pidr" 2>/dev/null
	finish
	exit
fi
pidz=$LIVE_PID
listen_z=$(now)
ok "run 2: flowaudit -i span1 --duration 8 ${zopt[*]} ... says 'listening on span1' within 5 s"
check "run 2: the reference's -o file holds no report before SIGHUP" \
	test ! -s "$ref/report.json"

LS_PORT_BASE=44000
ls_phase_a
gap_start=$(now)

# In the quiet gap (about 2 s into the --duration run): privileges, interim reports.
if [ -n "$zuser" ]; then
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pidz/status" 2>/dev/null)
	comm=$(cat "/proc/$pidz/comm" 2>/dev/null)
	check "run 2: -Z nobody: flowaudit (PID $pidz, $comm) runs as uid $zuid [Uid: $uids]" \
		test "$uids" = "$zuid $zuid $zuid $zuid"
fi
kill -HUP "$pidr" 2>/dev/null
if wait_report "$ref/report.json" 3; then
	ok "run 2: SIGHUP: the reference writes an interim report (valid JSON, all sections)"
	note "run 2: interim after SIGHUP: $(jq -c '.capture | {packets, interim}' "$ref/report.json")"
else
	not_ok "run 2: SIGHUP: the reference writes an interim report (valid JSON, all sections)"
fi
check "run 2: the reference is still running after SIGHUP" kill -0 "$pidr"
if wait_report "$zdir/report.json" 3 && kill -0 "$pidz" 2>/dev/null; then
	ok "run 2: --report-interval 2: -o's file is a JSON report while the run goes on"
	note "run 2: interim at $(elapsed "$listen_z") s: $(jq -c '.capture | {packets, interim}' \
		"$zdir/report.json")"
else
	not_ok "run 2: --report-interval 2: -o's file is a JSON report while the run goes on"
	find "$zdir" -maxdepth 1 -printf '#   %M %u %s %p\n'
fi
rest=$(awk -v g="$LS_GAP" -v e="$(elapsed "$gap_start")" 'BEGIN { r = g - e; print (r > 0 ? r : 0) }')
sleep "$rest"
ls_phase_b
traffic_end=$(elapsed "$listen_z")
note "run 2: the traffic ended $traffic_end s after 'listening on span1'"
awk -v t="$traffic_end" 'BEGIN { exit !(t > 7.5) }' &&
	note "run 2: WARNING: the traffic ran into the end of --duration 8 (machine too slow?);" \
		"the count comparison below is then not meaningful"
traffic_check "run 2"

# --duration 8 ends it by itself: wait (bounded) for that, 8 s after "listening".
left=$(awk -v e="$(elapsed "$listen_z")" 'BEGIN { r = 8 + 4 - e; print (r > 1 ? int(r + 0.5) : 1) }')
live_wait "$pidz" "$left"
ran=$(elapsed "$listen_z")
check "run 2: --duration 8 ends it by itself after about 8 s [ran $ran s, exit $LIVE_RC]" \
	awk -v r="$ran" -v rc="$LIVE_RC" 'BEGIN { exit !(rc != "killed" && r >= 7.5 && r <= 11) }'
check "run 2: exit status 1 (findings) [got $LIVE_RC]" test "$LIVE_RC" = 1
sleep 0.5
kill -INT "$pidr" 2>/dev/null
live_wait "$pidr" 5
check "run 2: the reference ends on SIGINT with exit status 1 [got $LIVE_RC]" test "$LIVE_RC" = 1

cp "$zdir/err" "$d2/err"
verdict_checks "run 2 (span1, -Z, --duration)" "$zdir"
check "run 2: conn log and report were opened before -Z (no temporary left beside them)" \
	test -z "$(find "$zdir" -name 'report.json.tmp*' 2>/dev/null)"
verdict_checks "run 2 reference (span0, SIGHUP)" "$ref"

# Duplicates: span1 carries every packet of span0 again, except those the
# router dropped (CGP, port 2598), which never reached the datacenter port.
if jq -s -e 'length > 0' "$ref/conn.json" >/dev/null 2>&1 &&
	jq -s -e 'length > 0' "$zdir/conn.json" >/dev/null 2>&1; then
	project_counts "$ref/conn.json" >"$d2/counts.want"
	project_counts "$zdir/conn.json" >"$d2/counts.got"
	compare "run 2: --dedup-window 50: per-flow packets and IP bytes on span1 equal span0's" \
		"$d2/counts.want" "$d2/counts.got"
	want_dups=$(jq -s '[.[] | select(."id.resp_p" != 2598) | .orig_pkts + .resp_pkts] | add' "$ref/conn.json")
	got_dups=$(jq '.capture.duplicates' "$zdir/report.json" 2>/dev/null)
	check "run 2: capture.duplicates counts every forwarded packet once [want $want_dups, got $got_dups]" \
		test "$got_dups" = "$want_dups"
	got_ref=$(jq '.capture.duplicates' "$ref/report.json" 2>/dev/null)
	check "run 2: the single mirror has no duplicates [got $got_ref]" test "$got_ref" = 0
else
	not_ok "run 2: both conn logs hold flows (needed for the duplicate checks)"
fi
note "run 2 took $(elapsed "$run2_start") s; all $(($(date +%s) - T0)) s"
finish
