#!/usr/bin/env bash
# golden: every capture in pcaps/ gives the conn log stated in tests/golden/<name>.expect
set -u
. "$(dirname "$0")/lib.sh"

shopt -s nullglob
for expect in "$SRCDIR"/tests/golden/*.expect; do
	name=$(basename "$expect" .expect)
	pcap=""
	for ext in pcap pcapng; do
		[ -f "$SRCDIR/pcaps/$name.$ext" ] && pcap="$SRCDIR/pcaps/$name.$ext"
	done
	if [ -z "$pcap" ]; then
		not_ok "$name: no capture pcaps/$name.pcap(ng) for $expect"
		continue
	fi
	args=()
	[ -f "$SRCDIR/tests/golden/$name.args" ] && read -ra args <"$SRCDIR/tests/golden/$name.args"
	"$FLOWAUDIT" -q --fail-on none -r "$pcap" --conn-log "$TMP/$name.json" "${args[@]}" >"$TMP/$name.report" 2>"$TMP/$name.err"
	status=$?
	want_status=0
	[ -f "$SRCDIR/tests/golden/$name.status" ] && want_status=$(cat "$SRCDIR/tests/golden/$name.status")
	if [ "$status" -ne "$want_status" ]; then
		not_ok "$name: exit status $status, expected $want_status: $(head -c 300 "$TMP/$name.err")"
		continue
	fi
	grep -v '^#' "$expect" >"$TMP/$name.want"
	project_conn_log "$TMP/$name.json" >"$TMP/$name.got"
	if diff -u "$TMP/$name.want" "$TMP/$name.got" >"$TMP/$name.diff"; then
		ok "$name: conn log matches ($(wc -l <"$TMP/$name.want") flows)"
	else
		not_ok "$name: conn log differs from $expect"
		sed 's/^/#   /' "$TMP/$name.diff"
	fi
done
finish
