#!/bin/bash
# live-engine.sh: the live capture engine (src/capture_live.c) on real interfaces in network namespaces
#
# usage: tests/netns/live-engine.sh
#
# Runs tools/livetest (capture_run_live with counting callbacks) in the
# server namespace of lib.sh and checks: packets are counted, --duration
# stops on time on a quiet interface, SIGINT/SIGTERM stop promptly and say
# so, SIGHUP and --report-interval give interim reports, -Z drops to nobody,
# '-i any' works, and missing, down, vanishing and forbidden interfaces and
# bad filters fail with one clear line. LIVETEST and NETPEER may name
# prebuilt binaries; otherwise both are built here with gcc. Needs root and
# ip netns (else SKIP, exit 77). Prints ok / not ok lines, then
# "N passed, N failed"; exit status 1 if any failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_require

if [ -z "${NETPEER:-}" ]; then
	NETPEER="$FA_TMP/netpeer"
	gcc -std=gnu11 -O2 -o "$NETPEER" "$top/tools/netpeer.c" || fa_die "cannot build tools/netpeer.c"
fi
FA_NETPEER=$NETPEER
if [ -z "${LIVETEST:-}" ]; then
	LIVETEST="$FA_TMP/livetest"
	# shellcheck disable=SC2046
	gcc -std=gnu11 -O2 -I"$top/src" -o "$LIVETEST" "$top/tools/livetest.c" "$top/src/capture_live.c" \
		"$top/src/capture.c" "$top/src/privdrop.c" "$top"/src/decode*.c "$top/src/icmp_types.c" \
		"$top/src/xalloc.c" $(pkg-config --cflags --libs libpcap) || fa_die "cannot build tools/livetest.c"
fi

fa_setup

PASSED=0
FAILED=0

# check NAME TEST...: run TEST (a command), print ok or not ok with what the last run printed.
check() {
	local name=$1
	shift
	LT=
	if "$@" && sanitizer_quiet; then
		PASSED=$((PASSED + 1))
		printf 'ok - %s\n' "$name"
	else
		FAILED=$((FAILED + 1))
		printf 'not ok - %s\n' "$name"
		[ -n "${LT:-}" ] && sed 's/^/#   /' "$FA_TMP/$LT.out" "$FA_TMP/$LT.err" 2>/dev/null
	fi
}

# No sanitizer or UBSan report from the last livetest (when built with -fsanitize).
sanitizer_quiet() {
	[ -z "${LT:-}" ] || ! grep -qE 'Sanitizer|runtime error:' "$FA_TMP/$LT.err" 2>/dev/null
}

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# lt_start NAME ARGS...: start livetest in the server namespace; returns once it is listening.
# LT_PID is livetest itself (sh execs it), so signals reach it directly.
lt_start() {
	local i
	LT=$1
	shift
	rm -f "$FA_TMP/$LT".*
	LT_T0=$(now_ms)
	# shellcheck disable=SC2016 # $$ and "$@" are for the inner sh
	timeout -s KILL 30 ip netns exec "$FA_NS_SRV" sh -c 'echo $$ >"$0"; exec "$@"' "$FA_TMP/$LT.pid" \
		"$LIVETEST" "$@" >"$FA_TMP/$LT.out" 2>"$FA_TMP/$LT.err" &
	LT_WRAPPER=$!
	FA_PIDS+=("$LT_WRAPPER")
	LT_PID=
	for ((i = 0; i < 100; i++)); do
		[ -z "$LT_PID" ] && [ -s "$FA_TMP/$LT.pid" ] && LT_PID=$(cat "$FA_TMP/$LT.pid") && FA_PIDS+=("$LT_PID")
		grep -q '^listening on ' "$FA_TMP/$LT.err" 2>/dev/null && return 0
		kill -0 "$LT_WRAPPER" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# lt_wait SECONDS: wait for the running livetest to end (killing it after SECONDS); sets LT_RC, LT_MS.
lt_wait() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		kill -0 "$LT_WRAPPER" 2>/dev/null || break
		sleep 0.05
	done
	LT_MS=$(($(now_ms) - LT_T0))
	kill -0 "$LT_WRAPPER" 2>/dev/null && kill -KILL "$LT_WRAPPER" "$LT_PID" 2>/dev/null
	LT_RC=0
	wait "$LT_WRAPPER" 2>/dev/null || LT_RC=$?
}

# lt_run NAME SECONDS ARGS...: run livetest to its end (for the open errors).
lt_run() {
	LT=$1
	LT_RC=0
	shift 2
	timeout -s KILL 15 ip netns exec "$FA_NS_SRV" "$LIVETEST" "$@" >"$FA_TMP/$LT.out" 2>"$FA_TMP/$LT.err" ||
		LT_RC=$?
}

# val KEY: a "key value" line of the last livetest's output.
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$FA_TMP/$LT.out"; }

# signal_stop NAME SIGNAL: a signal ends an otherwise endless capture within a second.
signal_stop() {
	local t
	lt_start "$1" -i srv0 udp || return 1
	sleep 0.3
	t=$(now_ms)
	kill "-$2" "$LT_PID"
	lt_wait 5
	LT_MS=$(($(now_ms) - t))
	[ "$LT_RC" -eq 0 ] && [ "$(val stopped_by)" = "$2" ] && [ "$LT_MS" -lt 1000 ] &&
		grep -q "^listening on srv0, link-type EN10MB (Ethernet), snapshot length 65535 bytes$" "$FA_TMP/$LT.err"
}

t_counts() {
	lt_start counts -i srv0 --duration 3 udp port 1812 || return 1
	[ "$(fa_client udp-client "$FA_SRV4" 1812 --count 20 --interval-ms 10)" = 0 ] ||
		return 1
	lt_wait 6
	[ "$LT_RC" -eq 0 ] && [ "$(val packets)" = 20 ] && [ "$(val callback_packets)" = 20 ] &&
		[ "$(val received)" -ge 20 ] && [ "$(val dropped)" = 0 ] && [ "$(val stopped_by)" = duration ] &&
		[ "$(val wire_bytes)" -gt 0 ] && [ "$(val dlt)" = 1 ]
}

t_quiet_duration() {
	lt_start quiet -i srv0 --duration 1.5 udp port 9 || return 1
	lt_wait 5
	# From the start of the process: open + 1.5 s + at most one 250 ms poll timeout.
	[ "$LT_RC" -eq 0 ] && [ "$(val stopped_by)" = duration ] && [ "$(val packets)" = 0 ] &&
		[ "$LT_MS" -ge 1500 ] && [ "$LT_MS" -lt 2300 ] && [ "$(val ticks)" -ge 1 ]
}

t_sighup() {
	local i
	lt_start hup -i srv0 udp || return 1
	fa_client udp-client "$FA_SRV4" 1812 --count 3 >/dev/null
	sleep 0.3
	kill -HUP "$LT_PID"
	for ((i = 0; i < 40; i++)); do
		grep -q '^interim' "$FA_TMP/$LT.out" && break
		sleep 0.05
	done
	kill -0 "$LT_PID" 2>/dev/null || return 1
	kill -INT "$LT_PID"
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && grep -qx 'interim 3 packets' "$FA_TMP/$LT.out" && [ "$(val stopped_by)" = SIGINT ]
}

t_report_interval() {
	lt_start interval -i srv0 --duration 1.8 --report-interval 0.5 udp || return 1
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && [ "$(grep -c '^interim ' "$FA_TMP/$LT.out")" -eq 3 ]
}

t_drop_nobody() {
	local ids
	ids=$(getent passwd nobody | awk -F: '{ print $3 " " $4 }')
	lt_start nobody -Z nobody -i srv0 --duration 1.5 udp || return 1
	# Already nobody when it says it is listening.
	[ "$(awk '/^Uid:/ { print $2 " " $3 " " $4 " " $5 }' "/proc/$LT_PID/status")" = \
		"${ids% *} ${ids% *} ${ids% *} ${ids% *}" ] || return 1
	fa_client udp-client "$FA_SRV4" 1812 --count 5 >/dev/null
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && [ "$(val packets)" = 5 ] && [ "$(val uid) $(val gid)" = "$ids" ] &&
		[ "$(val euid) $(val egid)" = "$ids" ] && [ "$(val regain_root)" = no ] &&
		[ "$(awk '$1 == "groups" { $1 = ""; print }' "$FA_TMP/$LT.out")" = " ${ids#* }" ]
}

t_any() {
	lt_start any -i any --duration 2 udp port 1812 || return 1
	fa_client udp-client "$FA_SRV4" 1812 --count 7 >/dev/null
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && [ "$(val packets)" = 7 ] && grep -q '^listening on any, link-type LINUX_SLL' "$FA_TMP/$LT.err"
}

t_ipv6() {
	lt_start v6 -i srv0 --duration 2 icmp6 and ip6[40] == 128 || return 1
	fa_client icmp-echo "$FA_SRV6" --count 4 --interval-ms 20 >/dev/null
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && [ "$(val packets)" = 4 ]
}

t_options() {
	lt_start options -s 96 -p -B 4 -i srv0 --duration 1 udp port 1812 || return 1
	fa_client udp-client "$FA_SRV4" 1812 --count 3 --size 500 >/dev/null
	lt_wait 5
	[ "$LT_RC" -eq 0 ] && [ "$(val packets)" = 3 ] && [ "$(val wire_bytes)" = $((3 * (14 + 20 + 8 + 500))) ] &&
		grep -q '^listening on srv0, link-type EN10MB (Ethernet), snapshot length 96 bytes$' "$FA_TMP/$LT.err"
}

# The progress line comes after 5 s, is rewritten in place, and is cleared at the end.
t_progress() {
	local esc=$'\033'
	lt_start progress --progress -i srv0 --duration 5.6 udp port 1812 || return 1
	fa_client udp-client "$FA_SRV4" 1812 --count 4 >/dev/null
	lt_wait 10
	[ "$LT_RC" -eq 0 ] &&
		grep -q "^"$'\r'"$esc\[Ksrv0: 4 packets, [0-9.]*k\? pkt/s, 0 dropped, 4 flows live"$'\r'"$esc\[K\$" \
			"$FA_TMP/$LT.err"
}

# An error line is exactly one line, exit status 2.
open_error() {
	[ "$LT_RC" -eq 2 ] && [ "$(cat "$FA_TMP/$LT.err")" = "livetest: $1" ] && ! [ -s "$FA_TMP/$LT.out" ]
}

t_missing() {
	lt_run missing 10 -i fa-nosuch0
	open_error "fa-nosuch0: no such interface"
}

t_down() {
	ip -n "$FA_NS_SRV" link add fadown0 type veth peer name fadown1 || return 1
	lt_run down 10 -i fadown0
	open_error "fadown0: the interface is down"
}

t_no_permission() {
	LT=noperm
	LT_RC=0
	timeout -s KILL 15 ip netns exec "$FA_NS_SRV" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$LIVETEST" -i srv0 >"$FA_TMP/$LT.out" 2>"$FA_TMP/$LT.err" || LT_RC=$?
	open_error "srv0: permission denied (capturing needs root or CAP_NET_RAW)"
}

t_bad_filter() {
	lt_run badfilter 10 -i srv0 udp port nonsense
	[ "$LT_RC" -eq 2 ] && grep -q "^livetest: bad filter 'udp port nonsense': " "$FA_TMP/$LT.err" &&
		[ "$(wc -l <"$FA_TMP/$LT.err")" -eq 1 ]
}

t_bad_user() {
	lt_run baduser 10 -Z fa-no-such-user -i srv0
	open_error "cannot drop privileges to 'fa-no-such-user': no such user"
}

# The interface is deleted under the capture: exit 1, stopped_by error, counts kept.
t_vanish() {
	ip -n "$FA_NS_SRV" link add fagone0 type veth peer name fagone1 || return 1
	ip -n "$FA_NS_SRV" link set fagone0 up && ip -n "$FA_NS_SRV" link set fagone1 up || return 1
	lt_start vanish -i fagone0 || return 1
	sleep 0.3
	ip -n "$FA_NS_SRV" link delete fagone0
	lt_wait 5
	[ "$LT_RC" -eq 1 ] && [ "$(val stopped_by)" = error ] && grep -q '^livetest: fagone0: ' "$FA_TMP/$LT.err"
}

# SIGINT under steady traffic still stops at once.
t_busy_sigint() {
	local t
	lt_start busy -i srv0 || return 1
	fa_bg "$FA_NS_CLI" 20 "$NETPEER" udp-client "$FA_SRV4" 1812 --count 1000 --interval-ms 1 >/dev/null
	local client=$FA_LAST_PID
	sleep 0.5
	t=$(now_ms)
	kill -INT "$LT_PID"
	lt_wait 5
	LT_MS=$(($(now_ms) - t))
	fa_wait_pid "$client" 10
	[ "$LT_RC" -eq 0 ] && [ "$(val stopped_by)" = SIGINT ] && [ "$LT_MS" -lt 1000 ] && [ "$(val packets)" -gt 0 ]
}

check "udp datagrams are counted (20 packets, stopped by the duration)" t_counts
check "--duration stops on time on a quiet interface, with ticks" t_quiet_duration
check "SIGINT stops within a second, stopped_by SIGINT, tcpdump's listening line" signal_stop sigint SIGINT
check "SIGTERM stops within a second, stopped_by SIGTERM" signal_stop sigterm SIGTERM
check "SIGHUP gives an interim report and the capture goes on" t_sighup
check "--report-interval 0.5 over 1.8 s gives 3 interim reports" t_report_interval
check "-Z nobody ends as nobody (uid, gid, groups), root cannot be regained, packets still counted" t_drop_nobody
check "-i any works (cooked capture)" t_any
check "IPv6 echo requests are counted" t_ipv6
check "SIGINT under traffic stops within a second" t_busy_sigint
check "-s 96 -p -B 4: snapshot length in the listening line, wire bytes counted" t_options
check "--progress: one line after 5 s, rewritten in place, cleared at the end" t_progress
check "a missing interface: one line" t_missing
check "a down interface: one line" t_down
check "no capture permission: one line" t_no_permission
check "a bad filter: one line" t_bad_filter
check "-Z an unknown user: one line" t_bad_user
check "the interface vanishing: exit 1, stopped_by error" t_vanish

printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
