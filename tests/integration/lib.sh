# lib.sh: shared by the integration tests: locations, counting, the closing line
: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FLOWAUDIT:=$SRCDIR/flowaudit}"
PASS=0
FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/flowaudit-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

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
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
