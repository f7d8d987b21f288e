#!/usr/bin/env bash
# verdicts: the verdict reasons of issue 16 on real-stack captures (tests/netns/make-verdict-captures.sh,
# pcaps/README.md "The verdict captures"): the originator's reset after the handshake is ok/orig-reset,
# the responder's interrupted/rst-after-established; a RST answering a SYN is blocked with
# rst-from-host, rst-from-path or rst by its TTL; pending only for an opening never retransmitted
# whose first attempt is within --pending-window of the end; expected paths whose hosts never
# appear are not-visible, those whose 'to' hosts never appear missing with visibility from-only;
# rotated capture files give, in any order, the flows and findings of the whole capture.
#
# Per capture: the conn log projected onto `proto orig_h orig_p resp_h resp_p verdict reason`
# (reason null as '-'), sorted, against tests/golden/<capture>.expect-verdicts; then the findings
# of the JSON report that the capture is about.
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
GOLD=$SRCDIR/tests/golden

# compare NAME WANT GOT: diff, printing the difference on failure.
compare() {
	if diff -u "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$TMP/diff" | head -40
	fi
}

project_verdicts() {
	jq -r '[.proto, ."id.orig_h", ."id.orig_p", ."id.resp_h", ."id.resp_p", .verdict, (.reason // "-")] | @tsv' \
		"$1" | LC_ALL=C sort
}

# project_findings REPORT: the JSON report's findings as (kind, rule, reason, count), sorted.
project_findings() {
	jq -r '.findings[] | [.kind, (.rule // "-"), (.reason // "-"), .count] | @tsv' "$1" | LC_ALL=C sort
}

# audit LABEL SITE INPUT-ARGS...: run flowaudit; $TMP/LABEL.conn (conn log) and $TMP/LABEL.json
# (report). Returns 1 (after a not-ok line) when it fails or writes no JSON.
audit() {
	local label=$1 site=$2 rc=0
	shift 2
	"$FLOWAUDIT" -q --fail-on none "$@" --site "$site" --conn-log "$TMP/$label.conn" --format json \
		-o "$TMP/$label.json" 2>"$TMP/$label.err" || rc=$?
	if [ "$rc" -ne 0 ] || ! jq -e . "$TMP/$label.json" >/dev/null 2>&1 ||
		! jq -s -e . "$TMP/$label.conn" >/dev/null 2>&1; then
		not_ok "$label: flowaudit runs (exit $rc) and writes JSON"
		sed 's/^/#   /' "$TMP/$label.err" | head -5
		return 1
	fi
}

# verdicts LABEL GOLDEN: the conn log of LABEL against tests/golden/GOLDEN.expect-verdicts.
verdicts() {
	grep -v '^#' "$GOLD/$2.expect-verdicts" | LC_ALL=C sort >"$TMP/$1.want"
	project_verdicts "$TMP/$1.conn" >"$TMP/$1.got"
	compare "$1: verdict and reason of every flow (tests/golden/$2.expect-verdicts)" "$TMP/$1.want" "$TMP/$1.got"
}

# jqr LABEL FILTER: jq on the report of LABEL (a number or a string; "error" when it fails).
jqr() { jq -r "$2" "$TMP/$1.json" 2>/dev/null || echo error; }
# jqc LABEL FILTER: jq on the conn log of LABEL, as one array.
jqc() { jq -rs "$2" "$TMP/$1.conn" 2>/dev/null || echo error; }

# is NAME WANT GOT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: want $2, got $3"; fi
}

# finding_count LABEL KIND [EXTRA-JQ-CONDITION]: the flows of the findings of that kind (sum of count).
finding_count() {
	jqr "$1" "[.findings[] | select(.kind == \"$2\" ${3:+and ($3)}) | .count] | add // 0"
}

# --- resets: the originator's RST after the handshake is not an interruption ------------------

if audit resets "$P/site-verdicts.yaml" -r "$P/verdict-resets.pcap"; then
	verdicts resets verdict-resets
	is "resets: the 6 originator resets (RSTO) are ok/orig-reset" 6 \
		"$(jqc resets '[.[] | select(.conn_state == "RSTO" and .verdict == "ok" and .reason == "orig-reset")] | length')"
	is "resets: the server's abort (RSTR) is the only interrupted flow" 1 \
		"$(jqc resets '[.[] | select(.verdict == "interrupted")] | length')"
	is "resets: one interrupted flow among the findings (the ADC probes are not findings)" 1 \
		"$(finding_count resets interrupted)"
	is "resets: no finding for the ADC monitor's rule (citrix-gateway/snip-to-vda-ica)" 0 \
		"$(jqr resets '[.findings[] | select(.rule == "citrix-gateway/snip-to-vda-ica")] | length')"
fi

# --- rst-origin: who sent the RST that answered a SYN (TTL at the capture point) ---------------

if audit rst-origin "$P/site-verdicts.yaml" -r "$P/verdict-rst-origin.pcap"; then
	verdicts rst-origin verdict-rst-origin
	for reason in rst-from-host rst-from-path rst; do
		is "rst-origin: one blocked flow with reason $reason among the findings" 1 \
			"$(finding_count rst-origin blocked ".reason == \"$reason\"")"
	done
fi

# --- pending: only an opening never retransmitted, first sent within the window of the end --------

if audit pending "$P/site-verdicts.yaml" -r "$P/verdict-pending.pcap"; then
	verdicts pending verdict-pending
	is "pending: 2 pending flows (one SYN, one datagram, in the last 3 s, never repeated)" 2 \
		"$(jqc pending '[.[] | select(.verdict == "pending")] | length')"
	is "pending: 3 blocked/no-reply (a SYN retransmitted near the end; a SYN and a datagram 4 s before it)" 3 \
		"$(jqc pending '[.[] | select(.verdict == "blocked" and .reason == "no-reply")] | length')"
	is "pending: findings: 2 pending flows" 2 "$(finding_count pending pending)"
	is "pending: findings: 3 blocked flows" 3 "$(finding_count pending blocked)"
fi

# --- edt-clients: 32 clients whose EDT datagrams are dropped and retried ------------------------

if audit edt-clients "$P/site-edt-clients.yaml" -r "$P/verdict-edt-clients.pcap"; then
	verdicts edt-clients verdict-edt-clients
	is "edt-clients: 32 UDP 1494 flows blocked/no-reply" 32 \
		"$(jqc edt-clients '[.[] | select(.proto == "udp" and .verdict == "blocked" and .reason == "no-reply")] | length')"
	is "edt-clients: 32 TCP 1494 flows ok" 32 "$(jqc edt-clients '[.[] | select(.proto == "tcp" and .verdict == "ok")] | length')"
	is "edt-clients: no pending flow" 0 "$(jqc edt-clients '[.[] | select(.verdict == "pending")] | length')"
	is "edt-clients: findings: 32 blocked UDP 1494 flows" 32 \
		"$(finding_count edt-clients blocked '.proto == "udp" and .port == 1494')"
	is "edt-clients: findings: no pending" 0 "$(finding_count edt-clients pending)"
	is "edt-clients: findings: fallback for the 32 clients" 32 "$(finding_count edt-clients fallback)"
fi

# --- partial-view: what the capture point cannot see is not-visible, or missing from-only ----------

if audit partial-view "$P/site-partial-view.yaml" -r "$P/verdict-partial-view.pcap"; then
	verdicts partial-view verdict-partial-view
	# The VDA (a 'from' host) appears, the DDC never does: missing, from-only.
	is "partial-view: VDA registration is missing with visibility from-only" 1 \
		"$(jqr partial-view '[.findings[] | select(.kind == "missing" and .rule == "citrix-cvad/vda-to-ddc-registration" and .visibility == "from-only")] | length')"
	# The licensing rules' 'from' roles include vda (any Citrix component): the VDA appears, no
	# License Server does: missing, from-only as well (not not-visible).
	for r in component-to-license-server component-to-vendor-daemon; do
		is "partial-view: citrix-licensing/$r is missing with visibility from-only" 1 \
			"$(jqr partial-view "[.findings[] | select(.kind == \"missing\" and .rule == \"citrix-licensing/$r\" and .visibility == \"from-only\")] | length")"
	done
	# No Cloud Connector and no Citrix Cloud address ever appears: not-visible, not missing.
	is "partial-view: citrix-cloud/connector-to-cloud-https is not-visible" 1 \
		"$(jqr partial-view '[.findings[] | select(.kind == "not-visible" and .rule == "citrix-cloud/connector-to-cloud-https")] | length')"
	is "partial-view: citrix-cloud/connector-to-cloud-https is not missing" 0 \
		"$(jqr partial-view '[.findings[] | select(.kind == "missing" and .rule == "citrix-cloud/connector-to-cloud-https")] | length')"
	is "partial-view: no missing finding has visibility both" 0 \
		"$(jqr partial-view '[.findings[] | select(.kind == "missing" and .visibility == "both")] | length')"
	is "partial-view: no missing finding with high confidence" 0 \
		"$(jqr partial-view '[.findings[] | select(.kind == "missing" and .confidence == "high")] | length')"
	is "partial-view: no blocked or pending finding" 0 \
		"$(jqr partial-view '[.findings[] | select(.kind == "blocked" or .kind == "pending")] | length')"
fi

# --- rotated: tcpdump -C files, in any order, are the whole capture -----------------------------

# conn_flows LABEL: the conn log without uid and finding ids, sorted (EXACT=0: also without ts and
# duration: the two tcpdumps time-stamp each packet separately, microseconds apart).
conn_flows() {
	local del='del(.uid, .findings)'
	[ "${EXACT:-1}" = 0 ] && del='del(.uid, .findings, .ts, .duration)'
	jq -c "$del" "$TMP/$1.conn" | LC_ALL=C sort
}

R=$P/verdict-rotated
files=()
for f in "$R"/cap*; do files+=("$f"); done
check "rotated: at least 4 files (tcpdump -C 1)" test "${#files[@]}" -ge 4
glob=()
for f in "${files[@]}"; do glob+=(-r "$f"); done
rev=()
for ((i = ${#files[@]} - 1; i >= 0; i--)); do rev+=(-r "${files[$i]}"); done

if audit rotated-whole "$P/site-verdicts.yaml" -r "$P/verdict-rotated-whole.pcap"; then
	verdicts rotated-whole verdict-rotated
	EXACT=0 conn_flows rotated-whole >"$TMP/whole.flows"
	project_findings "$TMP/rotated-whole.json" >"$TMP/whole.findings"
	for order in glob rev dir; do
		case $order in
		glob) args=("${glob[@]}") what="-r for each file in shell-glob order" ;;
		rev) args=("${rev[@]}") what="-r for each file, last first" ;;
		dir) args=(-r "$R") what="-r DIR" ;;
		esac
		audit "rotated-$order" "$P/site-verdicts.yaml" "${args[@]}" || continue
		verdicts "rotated-$order" verdict-rotated
		EXACT=0 conn_flows "rotated-$order" >"$TMP/rotated-$order.flows"
		compare "rotated ($what): the flows of the whole capture" "$TMP/whole.flows" "$TMP/rotated-$order.flows"
		project_findings "$TMP/rotated-$order.json" >"$TMP/rotated-$order.findings"
		compare "rotated ($what): the findings of the whole capture" "$TMP/whole.findings" \
			"$TMP/rotated-$order.findings"
		is "rotated ($what): packets read as in the whole capture" "$(jqr rotated-whole '.capture.packets')" \
			"$(jqr "rotated-$order" '.capture.packets')"
	done
	if [ -s "$TMP/rotated-glob.conn" ] && [ -s "$TMP/rotated-rev.conn" ] && [ -s "$TMP/rotated-dir.conn" ]; then
		conn_flows rotated-glob >"$TMP/g.exact"
		conn_flows rotated-rev >"$TMP/r.exact"
		conn_flows rotated-dir >"$TMP/d.exact"
		compare "rotated: the same conn log, time stamps included, in every order" "$TMP/g.exact" "$TMP/r.exact"
		compare "rotated: the same conn log, time stamps included, with -r DIR" "$TMP/g.exact" "$TMP/d.exact"
	fi
fi

# The link's own housekeeping is never judged (pcaps/icmpv6-nd.pcap, real stacks: neighbour and router
# discovery, MLD reports, DAD from ::): in port-only mode it matched the generic ICMP rule and read as
# blocked/pending; in a site's scope it would be unexpected. Only the echo is judged.
cat >"$TMP/nd-site.yaml" <<'SITE'
site: nd
scope: [2001:db8::/32, fe80::/10]
roles:
  adm: [2001:db8:1::1]
  adc-nsip: [2001:db8:1::2]
SITE
for mode in port-only site; do
	args=()
	[ "$mode" = site ] && args=(--site "$TMP/nd-site.yaml")
	"$FLOWAUDIT" -q --fail-on none -r "$P/icmpv6-nd.pcap" "${args[@]}" --conn-log "$TMP/nd-$mode.conn" \
		--format json -o "$TMP/nd-$mode.json"
	is "icmpv6-nd ($mode): ND, RS and MLD flows unmatched, the echo ok" \
		"$(jq -rs '[.[] | "\(."id.orig_p")/\(.verdict)"] | unique | join(" ")' "$TMP/nd-$mode.conn")" \
		"128/ok 133/unmatched 135/unmatched 136/unmatched 143/unmatched"
	is "icmpv6-nd ($mode): no finding" "$(jq '.findings | length' "$TMP/nd-$mode.json")" 0
done

# Datagrams to everyone or to a group (pcaps/broadcast.pcap, a real stack): the subnet's broadcast
# (known only by its Ethernet destination), the limited broadcast and mDNS are never judged, even in
# scope; the unanswered unicast datagram beside them still is.
cat >"$TMP/bc-site.yaml" <<'SITE'
site: broadcast
scope: [198.18.0.0/15]
roles:
  workspace-app: [198.18.1.1]
SITE
"$FLOWAUDIT" -q --fail-on none -r "$P/broadcast.pcap" --site "$TMP/bc-site.yaml" --conn-log "$TMP/bc.conn" \
	--format json -o "$TMP/bc.json"
is "broadcast: 137 to the subnet's broadcast, 67 to 255.255.255.255, mDNS unmatched; 2598 judged" \
	"$(jq -rs '[.[] | select(.proto == "udp") | "\(."id.resp_p")/\(.verdict)"] | sort | join(" ")' "$TMP/bc.conn")" \
	"137/unmatched 2598/unexpected 5353/unmatched 67/unmatched"
is "broadcast: the only finding is about 2598" "$(jq -r '[.findings[].port] | unique | join(",")' "$TMP/bc.json")" 2598
finish
