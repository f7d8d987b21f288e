# lib.sh: shared by the integration tests: locations, counting, the closing line
: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FLOWAUDIT:=$SRCDIR/flowaudit}"
PASS=0
FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/flowaudit-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# FLOWAUDIT_VALGRIND=1: every run of the binary goes through valgrind (memcheck, full leak
# check); finish() fails the test when any run logged an error or a leak. CI does this for the
# offline tests (.ci/run).
if [ -n "${FLOWAUDIT_VALGRIND:-}" ]; then
	mkdir -p "$TMP/valgrind"
	printf '#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
' \
		>"$TMP/flowaudit"
	printf '\t--show-leak-kinds=definite,indirect,possible --log-file=%s/vg.%%p "%s" "$@"\n' \
		"$TMP/valgrind" "$FLOWAUDIT" >>"$TMP/flowaudit"
	chmod +x "$TMP/flowaudit"
	FLOWAUDIT=$TMP/flowaudit
fi

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# run NAME COMMAND...: runs the command, keeping stdout, stderr and status in $TMP/NAME.{out,err,status};
# status_is NAME N and one_line_error NAME PATTERN (exactly one line, 'flowaudit: ...PATTERN') judge it.
run() {
	local name=$1
	shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.status"
}
status_is() { [ "$(cat "$TMP/$1.status")" -eq "$2" ]; }
one_line_error() { [ "$(wc -l <"$TMP/$1.err")" -eq 1 ] && grep -q "^flowaudit: .*$2" "$TMP/$1.err"; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# The conn log projected onto the columns of tests/golden/*.expect, sorted by time.
project_conn_log() {
	jq -rs 'sort_by(.ts, ."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p") | .[] |
		[.proto, ."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p", .conn_state,
		 (.history // "-"), .orig_pkts, .orig_ip_bytes, .resp_pkts, .resp_ip_bytes,
		 (.orig_bytes // "-"), (.resp_bytes // "-"), (.vlan // "-")] | map(tostring) | join("\t")' "$1"
}

finish() {
	local log
	if [ -n "${FLOWAUDIT_VALGRIND:-}" ]; then
		for log in "$TMP"/valgrind/vg.*; do
			[ -s "$log" ] || continue
			not_ok "valgrind: $(grep -m1 -E 'Invalid|uninitialised|definitely|indirectly|possibly|Mismatched' "$log" ||
				head -1 "$log")"
			sed 's/^/#   /' "$log" | head -30
		done
		ok "valgrind: $(find "$TMP/valgrind" -name 'vg.*' | wc -l) runs checked"
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
