#!/usr/bin/env bash
# netns: real Linux TCP/UDP stacks in network namespaces make the traffic again, now;
# flowaudit's conn log of it must agree with the known answers in tests/golden/.
# Compared: tuple, conn_state, history and the byte counts from sequence numbers;
# not packet counts, which depend on ACK timing and SYN retransmission timers.
# Needs root and ip netns: otherwise it is skipped (exit 77) with a message.
set -u
. "$(dirname "$0")/lib.sh"

"$SRCDIR/tests/netns/make-captures.sh" "$TMP/caps" >"$TMP/make.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	grep -m1 SKIP "$TMP/make.log"
	exit 77
fi
if [ "$rc" -ne 0 ]; then
	not_ok "make-captures.sh failed (exit $rc)"
	sed 's/^/#   /' "$TMP/make.log" | tail -30
	finish
	exit 1
fi

cols() { cut -f1-7,12-13; }
n=0
for cap in "$TMP"/caps/*.pcap; do
	name=$(basename "$cap" .pcap)
	expect=$SRCDIR/tests/golden/$name.expect
	[ -f "$expect" ] || continue
	n=$((n + 1))
	"$FLOWAUDIT" -q -r "$cap" --conn-log "$TMP/$name.json" >/dev/null 2>"$TMP/$name.err"
	grep -v '^#' "$expect" | cols >"$TMP/$name.want"
	project_conn_log "$TMP/$name.json" | cols >"$TMP/$name.got"
	if diff -u "$TMP/$name.want" "$TMP/$name.got" >"$TMP/$name.diff"; then
		ok "$name: live traffic gives the known conn_state and history"
	else
		not_ok "$name: live traffic differs from $expect"
		sed 's/^/#   /' "$TMP/$name.diff"
	fi
done
[ "$n" -gt 0 ] || not_ok "no regenerated capture had a known answer"
finish
