#!/usr/bin/env bash
# reports: the text and HTML reports as a person reads them: every count agrees in number with its
# noun, a short capture's span is not shown as 0 s, ICMP findings are named by their type, text from
# files reaches the terminal escaped, and the mode line says how many matrices the site applies
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
command -v jq >/dev/null || { echo "# skipped: jq is not installed"; exit 77; }
# LC_ALL=C: the reports as outside a UTF-8 locale, whatever the caller's locale.
FA=(env LC_ALL=C "$FLOWAUDIT" -q --fail-on none)

# report NAME ARGS...: the text, HTML and JSON reports of one run in $TMP/NAME.{txt,html,json}
report() {
	local name=$1
	shift
	"${FA[@]}" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
	"${FA[@]}" "$@" --format html >"$TMP/$name.html" 2>>"$TMP/$name.err"
	"${FA[@]}" "$@" --format json >"$TMP/$name.json" 2>>"$TMP/$name.err"
}
# has FILE TEXT: FILE holds TEXT (a fixed string)
has() { grep -qF -- "$2" "$TMP/$1"; }
# line FILE TEXT: a line of FILE is exactly TEXT
line() { grep -qxF -- "$2" "$TMP/$1"; }
json() { jq -e "$2" "$TMP/$1" >/dev/null; }

# first_packets IN N OUT: the file header and the first N records of a classic little-endian pcap
first_packets() {
	local at=24 len i
	for ((i = 0; i < $2; i++)); do
		len=$(od -An -tu4 -j $((at + 8)) -N4 "$1" | tr -d ' ')
		at=$((at + 16 + len))
	done
	head -c "$at" "$1" >"$3"
}

# Sites: the audit demo's (four matrices), and two small ones written here.
DEMO=(-r "$P/audit-demo.pcap" --site "$P/site-demo.yaml")
cat >"$TMP/site-echo.yaml" <<EOF
site: echo
roles:
  workspace-app: [198.18.1.1, 2001:db8:1::1]
  vda: [198.18.1.2, 2001:db8:1::2]
scope: [198.18.0.0/15, 2001:db8::/32]
matrices: [citrix-cvad]
EOF
cat >"$TMP/site-one.yaml" <<EOF
site: one
roles:
  vda: 198.18.1.2
  ddc: 198.18.1.1
matrices: [citrix-cvad]
EOF

# --- 1. every count agrees in number ("1 rule", "2 rules")
first_packets "$P/tcp-rejected.pcap" 1 "$TMP/one.pcap"
{ cat "$TMP/one.pcap"; tail -c +25 "$TMP/one.pcap"; } >"$TMP/twice.pcap"
report demo "${DEMO[@]}"
report one -r "$TMP/one.pcap"
report twice -r "$TMP/twice.pcap" --dedup-window 5
report complete -r "$P/tcp-complete.pcap"
report frag6 -r "$P/ipv6-fragments.pcap"
report dtls -r "$P/dtls12.pcap"
report siteone -r "$P/tcp-complete.pcap" --site "$TMP/site-one.yaml"
check "plural: one scope prefix (audit demo's mode line)" has demo.txt "(8 role addresses, 1 scope prefix), "
check "plural: one role address, no scope prefixes" has siteone.txt "site one (2 role addresses, 0 scope prefixes), "
check "plural: an input of one packet, in the text and HTML reports" eval \
	'has one.txt "(Ethernet, 1 packet)" && has one.html "(Ethernet, 1 packet)" && has twice.txt "(Ethernet, 2 packets)"'
check "plural: one mirror duplicate, in the text and HTML reports" eval \
	'line twice.txt "             1 mirror duplicate counted once" && has twice.html ", 1 mirror duplicate</dd>"'
check "plural: one flow with its first bytes seen" has complete.txt "payload      1 flow with its first bytes seen"
check "plural: one fragment joined" has frag6.txt ", 1 fragment joined,"
check "plural: one TLS/DTLS client hello, one certificate message, no broken handshakes" \
	has dtls.txt " 1 TLS/DTLS client hello, 1 certificate message read, 0 broken handshakes"
# Every count the reports print, on every capture shipped: never "1" with a plural noun.
QUALIFIER='(ICMP |IP |TLS 1\.3 |TLS/DTLS client |certificate |broken |evidence |mirror |more |other IP |role |scope )?'
NOUNS='(flows|packets|rules|matrices|addresses|prefixes|duplicates|bytes|5-tuples|fragments|errors|hellos'
NOUNS+='|messages|handshakes|values|sessions|protocols)\b'
SINGULAR_BAD="(^|[^0-9./:])1 $QUALIFIER$NOUNS"
bad=""
for f in "$P"/*.pcap "$P"/*.pcapng "$TMP/one.pcap" "$TMP/twice.pcap"; do
	"${FA[@]}" -r "$f" --dedup-window 5 >"$TMP/all.txt" 2>/dev/null
	"${FA[@]}" -r "$f" --dedup-window 5 --format html >"$TMP/all.html" 2>/dev/null
	grep -Eq "$SINGULAR_BAD" "$TMP/all.txt" "$TMP/all.html" && bad="$bad $(basename "$f")"
done
for n in demo siteone; do
	grep -Eq "$SINGULAR_BAD" "$TMP/$n.txt" "$TMP/$n.html" && bad="$bad $n"
done
check "plural: no '1 <plural noun>' in any text or HTML report of pcaps/ (${bad:-none})" test -z "$bad"

# --- 2. a short capture's span is not rounded to 0
report rejected -r "$P/tcp-rejected.pcap"
check "time span of 142 us: '(0.00014 s)', not '(0.000 s)', in the text and HTML reports" eval \
	'has rejected.txt " UTC (0.00014 s)" && has rejected.html " UTC (0.00014 s)</dd>"'
check "time span of seconds: three decimals as before" has demo.txt " UTC (7.358 s)"
check "a 'missing' finding on a 0.41 s capture: 'spans only 0.41 s', not '0 s' (text, HTML, JSON)" eval \
	'line siteone.txt "            confidence low: the capture spans only 0.41 s" &&
	has siteone.html "confidence low: the capture spans only 0.41 s" &&
	json siteone.json "[.findings[] | select(.kind == \"missing\")][0].note == \"the capture spans only 0.41 s\""'
report mixedone -r "$P/mixed.pcap" --site "$TMP/site-one.yaml"
check "a 'missing' finding on an 8.71 s capture: two significant digits, 'spans only 8.7 s'" \
	has mixedone.txt "confidence low: the capture spans only 8.7 s"

# --- 3. ICMP findings by type, not by Zeek's counterpart "port"
report echo -r "$P/icmp-echo.pcap" --site "$TMP/site-echo.yaml"
check "ICMP echo finding, text: 'icmp/echo-request' for IPv4 and IPv6" eval \
	'grep -q "^unexpected  icmp/echo-request 198\.18\.1\.1 -> 198\.18\.1\.2  1 flow, answered$" "$TMP/echo.txt" &&
	grep -q "^unexpected  icmp/echo-request 2001:db8:1::1 -> 2001:db8:1::2  1 flow, answered$" "$TMP/echo.txt"'
check "ICMP echo finding, text: no 'icmp/0' or 'icmp/129'" eval '! grep -Eq "icmp/[0-9]" "$TMP/echo.txt"'
check "ICMP echo finding, HTML: 'icmp/echo-request', the example flow too, no 'icmp/0'" eval \
	'has echo.html "<span class=\"kind k-unexpected\">unexpected</span> icmp/echo-request 198.18.1.1 &rarr; 198.18.1.2," &&
	has echo.html "<span class=\"ev\">icmp/echo-request 198.18.1.1 &rarr; 198.18.1.2, OTH," &&
	! grep -Eq "icmp/[0-9]|icmp [0-9.]+:[0-9]" "$TMP/echo.html"'
check "ICMP echo finding, JSON: numeric port kept (0, 129), icmp_type added" \
	json echo.json '[.findings[] | [.proto, .port, .icmp_type]] | sort == [["icmp", 0, "echo-request"], ["icmp", 129, "echo-request"]]'
check "TCP and UDP findings, JSON: no icmp_type" json demo.json '[.findings[] | select(has("icmp_type"))] == []'
check "TCP and UDP findings, text: proto/port as before" eval \
	'grep -q "^blocked     tcp/443    198\.18\.1\.1 -> 198\.18\.3\.30  1 flow, icmp-admin-prohibited$" "$TMP/demo.txt" &&
	grep -q "^unexpected  udp/9999   198\.18\.1\.1 -> 198\.18\.3\.10  1 flow, icmp-port-unreachable$" "$TMP/demo.txt"'

# --- 4. text from files outside a UTF-8 locale: every non-ASCII byte escaped (the UTF-8 side is
# tests/unit/test_format.c: the binary sets its locale at start-up)
printf 'matrix: m\nrules:\n%s\n%b\n' \
	'  - {id: a, category: ica-hdx, from: workspace-app, to: vda, proto: tcp, ports: 1494,' \
	'     description: "\342\200\234ICA\342\200\235 \342\200\256 with UTF-8"}' >"$TMP/quotes.yaml"
LC_ALL=C "$FLOWAUDIT" rules list --rules "$TMP/quotes.yaml" >"$TMP/quotes.txt" 2>&1
check "LC_ALL=C: a description's curly quotes and bidi override shown as \\xNN" \
	has quotes.txt '| \xe2\x80\x9cICA\xe2\x80\x9d \xe2\x80\xae with UTF-8 |'

# --- 5. the matrices and rules the site applies
LC_ALL=C "$FLOWAUDIT" rules check >"$TMP/rules.txt" 2>&1
read -r NM _ NR _ < <(grep -m1 -E '^[0-9]+ matrices, [0-9]+ rules' "$TMP/rules.txt")
applied() {	# rules of the named matrices, by 'rules check'
	local m sum=0
	for m in "$@"; do
		sum=$((sum + $(grep -E "^  $m +[0-9]+ rules? " "$TMP/rules.txt" | awk '{ print $2 }')))
	done
	echo "$sum"
}
DEMO_RULES=$(applied citrix-cloud citrix-cvad citrix-licensing citrix-storefront)
# rules/common/: common practice, applied only where a site defines its roles (never port-only)
read -r -a COMMON < <(grep -oE "^  common-[a-z0-9-]+" "$TMP/rules.txt" | tr -d ' ' | tr '\n' ' ')
VM=$((NM - ${#COMMON[@]}))
VR=$((NR - $(applied "${COMMON[@]}")))
ALL_APPLY="$VM of $NM matrices apply ($VR rules)"
[ "$VM" -eq "$NM" ] && ALL_APPLY="$NM matrices, $NR rules"
CVAD_RULES=$(applied citrix-cvad)
check "shipped rules counted by 'rules check': $NM matrices, $NR rules, demo's four hold $DEMO_RULES" \
	test "$NM" -gt 4 -a "$NR" -gt "$DEMO_RULES" -a "$DEMO_RULES" -gt 0
check "mode, text: 'site audit-demo (...), 4 of $NM matrices apply ($DEMO_RULES rules)'" \
	line demo.txt "mode         site audit-demo (8 role addresses, 1 scope prefix), 4 of $NM matrices apply ($DEMO_RULES rules)"
check "mode, text: one matrix applies ($CVAD_RULES rules)" \
	has siteone.txt ", 1 of $NM matrices applies ($CVAD_RULES rules)"
check "mode, HTML: 'site audit-demo, 4 of $NM matrices apply ($DEMO_RULES rules)'" \
	has demo.html "<dt>mode</dt><dd>site audit-demo, 4 of $NM matrices apply ($DEMO_RULES rules)</dd>"
check "mode, port-only: the vendor matrices, not the common ones: '$ALL_APPLY' (text and HTML)" eval \
	'has complete.txt "nothing is '"'"'unexpected'"'"' or '"'"'missing'"'"'), $ALL_APPLY" &&
	has complete.html "port-only (no site file: roles unknown), $ALL_APPLY</dd>"'
printf 'site: all\nroles:\n  vda: 198.18.1.2\n' >"$TMP/site-all.yaml"
report all -r "$P/tcp-complete.pcap" --site "$TMP/site-all.yaml"
check "mode, a site with no matrices: list and none of the common roles: '$ALL_APPLY'" eval \
	'has all.txt "site all (1 role address, 0 scope prefixes), $ALL_APPLY" &&
	has all.html "<dt>mode</dt><dd>site all, $ALL_APPLY</dd>"'
check "JSON summary: matrices and rules, loaded and applied" eval \
	'json demo.json ".summary.matrices == $NM and .summary.matrices_applied == 4 and .summary.rules == $NR and
		.summary.rules_applied == $DEMO_RULES" &&
	json complete.json ".summary.matrices_applied == $VM and .summary.rules_applied == $VR" &&
	json all.json ".summary.matrices_applied == $VM and .summary.rules_applied == $VR"'

# --- 6. the matrices: wire findings count, pending apart from blocked (issue 16)
report mixedpo -r "$P/mixed.pcap"
check "text matrix: HTTP on 1494 (wrong-protocol) is no 'ok' row" eval \
	'grep -Eq "^wrong-protocol +1 +0 +0 +0 +0 +tcp/1494 +citrix-cvad/ws-app-to-vda-ica$" "$TMP/mixedpo.txt"'
check "JSON matrix: the same rule's status is wrong-protocol, with its wire count" \
	json mixedpo.json '[.matrix[] | select(.rule == "citrix-cvad/ws-app-to-vda-ica")][0] |
		.status == "wrong-protocol" and .wire["wrong-protocol"] == 1'
check "HTML rule table: the same rule is a wrong-protocol cell" \
	has mixedpo.html 'data-rule="citrix-cvad/ws-app-to-vda-ica" data-status="wrong-protocol"'
report pend -r "$P/verdict-pending.pcap" --site "$P/site-verdicts.yaml"
check "text matrix: 2 blocked and 1 pending on TCP 2598, in their own columns" eval \
	'grep -Eq "^blocked +0 +2 +1 +0 +0 +tcp/2598 +citrix-cvad/ws-app-to-vda-cgp$" "$TMP/pend.txt"'
check "JSON matrix: the same counts" \
	json pend.json '[.matrix[] | select(.rule == "citrix-cvad/ws-app-to-vda-cgp")][0].flows | .blocked == 2 and .pending == 1'
check "HTML role matrix: workspace-app -> vda says 3 blocked and 2 pending apart (TCP 2598 and UDP 1494)" has pend.html "1 ok &middot; 3 blocked &middot; 2 pending"

finish
