#!/usr/bin/env bash
# audit: a small Citrix site with known mistakes (pcaps/audit-demo.pcap, pcaps/site-demo.yaml);
# flowaudit's verdicts and findings must be the ones worked out from its firewalls and the
# port matrix (tests/golden/audit-demo.verdicts, .findings). With root and ip netns, the
# site is built again in namespaces (tests/netns/make-audit-capture.sh) and checked the same way.
#
# The reason column holds what the contract defines: the reason of blocked flows
# (no-reply, rst, icmp-*) and the outcome of unexpected/unmatched ones; the
# findings of those flows carry it, and fallback/incomplete carry the failing
# flow's. Where the contract defines no reason (ok, interrupted, related flows;
# interrupted, missing findings) the projection writes '-', so an engine's own
# extra reason names there are not judged.
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
SITE=$P/site-demo.yaml
GOLD=$SRCDIR/tests/golden

# The conn log (JSON Lines) projected onto tests/golden/audit-demo.verdicts.
project_verdicts() {
	jq -rs 'sort_by(."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p") | .[] |
		[.proto, ."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p", .verdict,
		 (if (.verdict | IN("blocked", "unexpected", "unmatched")) then (.reason // "-") else "-" end),
		 (.rule // "-"), (.orig_role // "-"), (.resp_role // "-")] | map(tostring) | join("\t")' "$1"
}

# The JSON report's findings projected onto tests/golden/audit-demo.findings.
project_findings() {
	jq -r '.findings[] |
		[.kind, (.rule // "-"), .proto, .port,
		 (if (.kind | IN("blocked", "unexpected", "fallback", "incomplete")) then (.reason // "-") else "-" end),
		 .count] | map(tostring) | join("\t")' "$1" | LC_ALL=C sort
}

# compare NAME WANT GOT: diff, printing the difference on failure.
compare() {
	if diff -u "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$TMP/diff"
	fi
}

# audit_checks LABEL PCAP: the site audit of PCAP against the golden answers.
audit_checks() {
	local label=$1 pcap=$2 d=$TMP/$1 rc=0
	mkdir -p "$d"
	"$FLOWAUDIT" -q -r "$pcap" --site "$SITE" --conn-log "$d/c.json" --format json -o "$d/r.json" \
		2>"$d/err" || rc=$?
	check "$label: exit status 1 (findings in --fail-on)" test "$rc" -eq 1
	if ! jq -e . "$d/r.json" >/dev/null 2>&1 || ! jq -s -e . "$d/c.json" >/dev/null 2>&1; then
		not_ok "$label: report and conn log are JSON"
		sed 's/^/#   /' "$d/err" | head -5
		return
	fi
	grep -v '^#' "$GOLD/audit-demo.verdicts" >"$d/verdicts.want"
	project_verdicts "$d/c.json" >"$d/verdicts.got"
	compare "$label: per-flow verdicts, reasons, rules and roles" "$d/verdicts.want" "$d/verdicts.got"
	grep -v '^#' "$GOLD/audit-demo.findings" >"$d/findings.want"
	project_findings "$d/r.json" >"$d/findings.got"
	compare "$label: findings" "$d/findings.want" "$d/findings.got"
}

audit_checks committed "$P/audit-demo.pcap"

# The text report names every kind of finding.
rc=0
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$SITE" >"$TMP/text.out" 2>"$TMP/text.err" || rc=$?
check "text report: exit status 1" test "$rc" -eq 1
for kind in blocked fallback incomplete interrupted not-visible unexpected; do
	check "text report mentions '$kind'" grep -qw -- "$kind" "$TMP/text.out"
done
# The RST on 7279 came from the license server itself (its TTL is that of its answered 27000
# session): rst-from-host, said in words with both TTLs, and in the conn log.
check "rst-from-host: the evidence line gives both TTLs and says what it means" \
	grep -q "RST answering the SYN with TTL 64; the host's own packets: TTL 64: the host itself refused" "$TMP/text.out"
"$FLOWAUDIT" -q --fail-on none -r "$P/audit-demo.pcap" --site "$SITE" --conn-log "$TMP/rst.json" -o /dev/null
check "rst-from-host: the conn log has the RST's TTL and the host's" eval \
	'jq -se "[.[] | select(.\"id.resp_p\" == 7279)][0] | .reason == \"rst-from-host\" and .rst_from == \"resp\" and
		.rst_ttl == 64 and .rst_side_ttl == 64" "$TMP/rst.json" >/dev/null'

rc=0
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$SITE" --fail-on none >/dev/null 2>&1 || rc=$?
check "--fail-on none: exit status 0" test "$rc" -eq 0

# Port-only mode (no --site): the ICA session is still ok by the CVAD matrix
# (citrix-cvad loads first of the matrices with TCP 1494), and without a site
# nothing is in scope or expected: no 'unexpected', no 'missing'.
rc=0
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --conn-log "$TMP/po.json" --format json -o "$TMP/po.r.json" \
	2>"$TMP/po.err" || rc=$?
check "port-only: runs (exit 0 or 1)" test "$rc" -le 1
check "port-only: the ICA session is ok by citrix-cvad/ws-app-to-vda-ica" test \
	"$(jq -r 'select(."id.orig_p" == 42001 and ."id.resp_p" == 1494) | "\(.verdict) \(.rule)"' "$TMP/po.json" 2>/dev/null)" \
	= "ok citrix-cvad/ws-app-to-vda-ica"
check "port-only: no 'missing' or 'unexpected' finding" test \
	"$(jq '[.findings[] | select(.kind == "missing" or .kind == "unexpected")] | length' "$TMP/po.r.json" 2>/dev/null)" = 0
check "port-only: no flow is 'unexpected'" test \
	"$(jq -s '[.[] | select(.verdict == "unexpected")] | length' "$TMP/po.json" 2>/dev/null)" = 0
check "port-only: no local_orig/local_resp without a site's scope (Zeek leaves them unset without local nets)" test \
	"$(jq -s '[.[] | select(has("local_orig") or has("local_resp"))] | length' "$TMP/po.json" 2>/dev/null)" = 0

# local_orig / local_resp from the site's scope: 198.18.0.0/15 in site-demo; one end moved outside it.
sed 's|^scope: .*|scope: [198.18.1.0/24]|' "$SITE" >"$TMP/scope.yaml"
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/scope.yaml" --fail-on none --conn-log "$TMP/lo.json" -o /dev/null
check "local_orig/local_resp follow the site's scope, per end" test \
	"$(jq -r 'select(."id.orig_h" == "198.18.1.1" and ."id.resp_h" == "198.18.2.10") | "\(.local_orig) \(.local_resp)"' \
		"$TMP/lo.json" 2>/dev/null | sort -u)" = "true false"

# The same site, built and captured again now (root and ip netns only).
rc=0
"$SRCDIR/tests/netns/make-audit-capture.sh" "$TMP/regen" >"$TMP/make.log" 2>&1 || rc=$?
if [ "$rc" -eq 77 ]; then
	echo "# skipped the regenerated capture: $(grep -m1 SKIP "$TMP/make.log")"
elif [ "$rc" -ne 0 ]; then
	not_ok "make-audit-capture.sh failed (exit $rc)"
	sed 's/^/#   /' "$TMP/make.log" | tail -30
else
	audit_checks regenerated "$TMP/regen/audit-demo.pcap"
fi
finish
