#!/usr/bin/env bash
# live-evidence: --evidence on a live mirror port holds the same packets as --evidence on a
# capture of the same traffic read afterwards, and the live buffers stay under their cap.
#
# The site is live.sh's (tests/netns/live-site.sh): a firewall that drops CGP (tcp and udp
# 2598), a License Server with nothing on 27000 (RST), a StoreFront that aborts (RST after
# data), ICA over TCP and EDT that work; tc mirred copies the user side to span0.
#
# Run 1: flowaudit -i span0 --evidence, and tcpdump on span0 beside it; a SIGHUP between the
#   two phases writes an interim index.json (and files). After SIGINT,
#   flowaudit -r of tcpdump's file with --evidence. For every finding: a file in both
#   folders under the same name (the id is the same for the same traffic and site), whose
#   packets (time, length, addresses, ports, TCP flags, IP id) and comments are the same,
#   and index.json says where each came from ("buffers" live, "second-pass" offline).
# Run 2: flowaudit -i span0 --evidence --evidence-memory 1 -Z nobody while 48 UDP clients each send
#   20 datagrams of 1400 bytes to the dropped port 2598 (1.3 MiB of first-and-last
#   packets): the buffers never hold more than 1 MiB, the report and index.json count
#   the packets the cap refused, and the finding's file still opens. A TCP opening the
#   router drops comes after them: the last quarter of the cap, kept for openings, holds
#   its SYNs.
# Needs root and ip netns (else SKIP, exit 77), tshark (else SKIP, except in CI).
# About 20 s; every wait bounded.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/live-site.sh
. "$SRCDIR/tests/netns/live-site.sh"

SITE=$SRCDIR/tests/golden/site-live.yaml
LIVE_PID=
LIVE_RC=

live_cleanup() { rm -rf "$TMP"; }
command -v jq >/dev/null 2>&1 || fa_skip "jq not installed"
if ! command -v tshark >/dev/null 2>&1; then
	[ -n "${CI:-}" ] && { not_ok "tshark is needed (CI installs it with tools/setup)"; finish; exit 1; }
	fa_skip "tshark not installed"
fi
ls_require live_cleanup
command -v tcpdump >/dev/null 2>&1 || fa_skip "tcpdump not installed"

note() { printf '# %s\n' "$*"; }

# What a file shows of its packets, one line each (tshark's fields), and its comments. Not the
# times: tcpdump's socket and flowaudit's each take their own, some microseconds apart.
packets_of() {
	tshark -r "$1" -T fields -E separator=/ -e frame.len -e ip.src -e ip.dst \
		-e ip.id -e tcp.srcport -e tcp.dstport -e tcp.flags -e udp.srcport -e udp.dstport \
		-e frame.comment 2>/dev/null
}

ls_setup

# ---- Run 1: live and offline evidence of the same traffic -------------------
d=$TMP/run1
mkdir -p "$d"
fa_bg "$LS_NS_SENSOR" 60 tcpdump -Z root -i span0 -n -s 0 --immediate-mode -U -w "$d/span0.pcap" \
	2>"$d/tcpdump.err"
tcpdump_pid=$FA_LAST_PID
fa_wait_file "$d/tcpdump.err" 'listening on'
if ! ls_live_start "$d/err" span0 --evidence "$d/live" --conn-log "$d/conn.json" -o "$d/report.json" \
	--format json -q; then
	not_ok "run 1: flowaudit -i span0 --evidence starts"
	sed 's/^/#   /' "$d/err" | head -5
	kill -KILL "$LIVE_PID" 2>/dev/null
	finish
	exit
fi
pid=$LIVE_PID
LS_PORT_BASE=45000
ls_phase_a
# SIGHUP: an interim report, and with it the evidence so far (the flows already judged)
kill -HUP "$pid" 2>/dev/null
for ((i = 0; i < 60; i++)); do
	jq -e '.interim == true' "$d/live/index.json" >/dev/null 2>&1 && break
	sleep 0.05
done
check "run 1: SIGHUP: an interim index.json (interim true) while the audit goes on" \
	sh -c "jq -e '.interim == true' '$d/live/index.json' >/dev/null 2>&1 && kill -0 $pid"
sleep "$LS_GAP"
ls_phase_b
sleep 1
kill -INT "$pid" 2>/dev/null
live_wait "$pid" 10
check "run 1: SIGINT ends the live audit with status 1 (findings) [got $LIVE_RC]" test "$LIVE_RC" = 1
sleep 0.3
kill -INT "$tcpdump_pid" 2>/dev/null
fa_wait_pid "$tcpdump_pid" 5

"$FLOWAUDIT" -q --rules "$SRCDIR/rules" --site "$SITE" -r "$d/span0.pcap" --evidence "$d/off" \
	--format json -o "$d/off.json" 2>"$d/off.err"
check "run 1: the offline audit of tcpdump's file ends with status 1 [got $?]" test $? -le 1

check "run 1: live index.json says the packets came from buffers" \
	jq -e '.source == "buffers" and .interim == false' "$d/live/index.json" >/dev/null
check "run 1: offline index.json says they came from a second pass" \
	jq -e '.source == "second-pass"' "$d/off/index.json" >/dev/null
live_ids=$(jq -r '[.findings[].id] | sort | join(" ")' "$d/report.json" 2>/dev/null)
off_ids=$(jq -r '[.findings[].id] | sort | join(" ")' "$d/off.json" 2>/dev/null)
check "run 1: live and offline find the same findings [$live_ids]" test -n "$live_ids" -a "$live_ids" = "$off_ids"
check "run 1: the live report lists the evidence (top level and per finding)" \
	jq -e '.evidence.files > 0 and .evidence.buffered == true and
		all(.findings[]; .evidence_file.file != null)' "$d/report.json" >/dev/null

n=0
for f in "$d"/off/F-*.pcapng; do
	name=$(basename "$f")
	n=$((n + 1))
	if [ ! -f "$d/live/$name" ]; then
		not_ok "run 1: $name: written live too"
		continue
	fi
	packets_of "$f" >"$d/$name.off"
	packets_of "$d/live/$name" >"$d/$name.live"
	kind=${name#F-*-}
	kind=${kind%%-*}
	if [ "$kind" = missing ] || [ "$kind" = not ]; then
		check "run 1: $name: no packets, offline and live" test ! -s "$d/$name.off" -a ! -s "$d/$name.live"
	elif [ -s "$d/$name.off" ] && diff -u "$d/$name.off" "$d/$name.live" >"$d/diff"; then
		ok "run 1: $name: live and offline hold the same $(wc -l <"$d/$name.off") packets and comments"
	else
		not_ok "run 1: $name: live and offline hold the same packets and comments"
		sed 's/^/#   /' "$d/diff" | head -20
	fi
done
check "run 1: the traffic made findings with evidence files [$n]" test "$n" -ge 4
check "run 1: the dropped CGP SYNs are commented 'SYN, no answer' live" \
	grep -q 'SYN, no answer' "$d"/*blocked-tcp-2598*.live
check "run 1: the License Server's RST is commented live" \
	grep -q 'RST answering the SYN\|RST from the host' "$d"/*blocked-tcp-27000*.live

# ---- Run 2: the memory cap, and -Z ------------------------------------------------
# With -Z nobody the files are written after the switch: the folder flowaudit makes
# (as root, before it) is given to nobody. The path to it must be open to nobody.
d=$TMP/run2
mkdir -p "$d"
chmod 0755 "$TMP" "$d"
zopt=()
id -u nobody >/dev/null 2>&1 && zopt=(-Z nobody)
if ! ls_live_start "$d/err" span0 --evidence "$d/ev" --evidence-memory 1 "${zopt[@]}" -o "$d/report.json" \
	--format json -q; then
	not_ok "run 2: flowaudit -i span0 --evidence-memory 1 starts"
	sed 's/^/#   /' "$d/err" | head -5
	kill -KILL "$LIVE_PID" 2>/dev/null
	finish
	exit
fi
pid=$LIVE_PID
for ((k = 1; k <= 48; k++)); do
	ls_client wsapp udp-client "$LS_VDA" 2598 --bind-port $((46000 + k)) --count 20 --size 1400 \
		--interval-ms 0 >/dev/null
done
# then a CGP opening the router drops: the quarter of the cap kept for openings holds its SYNs
ls_expect "cgp tcp 2598 after the flood" 4 "$(ls_client wsapp tcp-client "$LS_VDA" 2598 --bind-port 46100 --timeout 2)"
traffic_errors=${#LS_TRAFFIC_ERRORS[@]}
sleep 0.5
kill -INT "$pid" 2>/dev/null
live_wait "$pid" 10
check "run 2: SIGINT ends it with status 1 [got $LIVE_RC]" test "$LIVE_RC" = 1
check "run 2: the CGP client timed out as planned" test "$traffic_errors" = 0
f=$(ls "$d"/ev/*blocked-tcp-2598*.pcapng 2>/dev/null | head -1)
if [ -n "$f" ] && [ "$(tshark -r "$f" -T fields -e frame.comment 2>/dev/null | grep -c 'SYN')" -ge 2 ]; then
	ok "run 2: with the cap full of datagrams, the blocked tcp/2598 file still holds the commented SYNs"
else
	not_ok "run 2: with the cap full of datagrams, the blocked tcp/2598 file still holds the commented SYNs"
	[ -n "$f" ] && tshark -r "$f" 2>&1 | sed 's/^/#   /' | head -5
fi
if [ ${#zopt[@]} -gt 0 ]; then
	check "run 2: -Z nobody: the folder it made is nobody's, the files too" \
		test "$(stat -c %U "$d/ev")" = nobody -a "$(stat -c %U "$d/ev/index.json")" = nobody
fi
note "run 2: index $(jq -c '.bounds' "$d/ev/index.json" 2>/dev/null)"
check "run 2: the buffers never held more than the 1 MiB cap" \
	jq -e '.bounds.memory_cap == 1048576 and .bounds.memory_peak <= 1048576 and .bounds.memory_peak > 900000' \
	"$d/ev/index.json" >/dev/null
check "run 2: index.json counts the packets the cap refused" \
	jq -e '.bounds.dropped_packets > 0 and .bounds.dropped_flows > 0 and .bounds.dropped_flows <= 48' \
	"$d/ev/index.json" >/dev/null
check "run 2: the report says the same" \
	jq -e --slurpfile ix "$d/ev/index.json" '.evidence.dropped_packets == $ix[0].bounds.dropped_packets and
		.evidence.memory_peak == $ix[0].bounds.memory_peak' "$d/report.json" >/dev/null
f=$(ls "$d"/ev/*blocked-udp-2598*.pcapng 2>/dev/null | head -1)
if [ -n "$f" ] && tshark -r "$f" >/dev/null 2>&1; then
	ok "run 2: the blocked udp/2598 file opens ($(tshark -r "$f" 2>/dev/null | wc -l) packets)"
else
	not_ok "run 2: the blocked udp/2598 file opens"
fi
finish
