#!/usr/bin/env bash
# tunnels: the outer connection of every tunnel opened is a flow of its own and its inner flows name
# it in tunnel_parents (Zeek's conn.log); a remote mirror's transport is never audited
set -u
. "$(dirname "$0")/lib.sh"
P=$SRCDIR/pcaps

# parents_ok NAME PCAP: every flow with tunnel_parents names a flow of the same log, and that flow
# carries a tunnel's name in service; every outer flow is somebody's parent.
parents_ok() {
	local name=$1 pcap=$2 bad
	"$FLOWAUDIT" -q --fail-on none -r "$pcap" --conn-log "$TMP/$name.json" -o /dev/null 2>"$TMP/$name.err"
	bad=$(jq -rs '(map({(.uid): .}) | add) as $by | map(select(.tunnel_parents)) |
		map(select((.tunnel_parents | length) as $n | $n < 1 or $n > 2 or
			any(.tunnel_parents[]; $by[.] == null or $by[.].service == null or $by[.].tunnel_parents != null))) |
		length' "$TMP/$name.json" 2>/dev/null)
	check "$name: every tunnel_parents names one or two outer flows of the log, each with the tunnel's service" \
		test "$bad" = 0
	check "$name: at least one inner flow and one outer flow" test \
		"$(jq -s '[.[] | select(.tunnel_parents)] | length > 0' "$TMP/$name.json")" = true
}

# service names the tunnel, as Zeek's conn.log for the tunnel analyzers
declare -A SERVICE=([tunnel-ipip]=ip [tunnel-ip6ip]=ip [tunnel-gre]=gre [gre-mpls]=gre [pptp]=gre
	[tunnel-geneve]=geneve [geneve-eth]=geneve [tunnel-teredo]=teredo [teredo-indicators]=teredo
	[tunnel-ayiya]=ayiya [tunnel-gtpu]=gtpv1 [tunnel-vxlan-linux]=vxlan [erspan1]=erspan)
for t in "${!SERVICE[@]}"; do
	parents_ok "$t" "$P/$t.pcap"
	check "$t: the outer flows' service is ${SERVICE[$t]}" test \
		"$(jq -rs '[.[] | select(.tunnel_parents == null) | .service] | unique | join(",")' "$TMP/$t.json")" \
		= "${SERVICE[$t]}"
done
# Tunnels that carry IP are traffic of the site (audited); those that carry Ethernet are a mirror's transport.
check "tunnel-gre: the GRE flow is audited (not related)" test \
	"$(jq -rs '[.[] | select(.service == "gre") | .verdict] | unique | join(",")' "$TMP/tunnel-gre.json")" = unmatched
check "geneve-eth: GENEVE carrying Ethernet is a mirror's transport" test \
	"$(jq -rs '[.[] | select(.service == "geneve") | .reason] | unique | join(",")' "$TMP/geneve-eth.json")" \
	= mirror-transport
check "tunnel-vxlan-linux: the inner TCP flow names both outer flows (one per direction, by the kernel's hash)" test \
	"$(jq -s '[.[] | select(.proto == "tcp") | .tunnel_parents | length] | .[0]' "$TMP/tunnel-vxlan-linux.json")" = 2

for t in vxlan erspan2 erspan3; do
	parents_ok "$t" "$P/$t.pcap"
	check "$t: the mirror transport's flow is related/mirror-transport" test \
		"$(jq -rs '[.[] | select(.tunnel_parents == null) | "\(.verdict)/\(.reason)"] | unique | join(",")' \
			"$TMP/$t.json")" = "related/mirror-transport"
done

# A mirror's transport is not a finding, even inside a site's scope that holds the mirror's addresses.
cat >"$TMP/site.yaml" <<'SITE'
site: mirror-test
scope: [198.18.0.0/15]
roles:
  vda: [198.18.8.2]
SITE
"$FLOWAUDIT" -q --fail-on none -r "$P/vxlan.pcap" --site "$TMP/site.yaml" --format json -o "$TMP/site.r.json"
check "vxlan: no finding names the transport's UDP 4789" test \
	"$(jq '[.findings[] | select(.port == 4789)] | length' "$TMP/site.r.json")" = 0

# --no-decap keeps every tunnel closed: the VXLAN datagrams are the flow, audited, with no parent.
"$FLOWAUDIT" -q --fail-on none --no-decap -r "$P/vxlan.pcap" --conn-log "$TMP/nd.json" -o /dev/null
check "--no-decap: one UDP flow to 4789, no tunnel_parents, not related" test \
	"$(jq -rs 'map("\(.proto) \(."id.resp_p") \(.tunnel_parents) \(.verdict)") | join(",")' "$TMP/nd.json")" \
	= "udp 4789 null unmatched"

# The report says what tunnels it opened (text and JSON).
"$FLOWAUDIT" -q --fail-on none -r "$P/tunnel-vxlan-linux.pcap" >"$TMP/v.txt"
check "text: the tunnels line counts the outer flows and the flows inside" grep -q \
	"^tunnels      4 vxlan; 2 flows inside; 4 of the tunnels' own flows a remote mirror's transport, not audited$" "$TMP/v.txt"
"$FLOWAUDIT" -q --fail-on none -r "$P/tunnel-teredo.pcap" --format json -o "$TMP/t.r.json"
check "json: summary.tunnels by name, tunnelled_flows" test \
	"$(jq -c '.summary | [.tunnels, .tunnels_mirror, .tunnelled_flows]' "$TMP/t.r.json")" = '[{"teredo":1},0,2]'

# Another IP protocol is a flow by addresses and protocol (Zeek 7.1's unknown_transport), logged and never
# judged, even inside the site's scope: the real GRE of tunnel-gre, kept closed.
cat >"$TMP/gre-site.yaml" <<'SITE'
site: gre-test
scope: [198.18.0.0/15]
roles:
  vda: [198.18.1.2]
SITE
"$FLOWAUDIT" -q --fail-on none --no-decap -r "$P/tunnel-gre.pcap" --site "$TMP/gre-site.yaml" \
	--conn-log "$TMP/gre.json" --format json -o "$TMP/gre.r.json"
check "--no-decap GRE: one unknown_transport flow, ip_proto 47, OTH, both directions, unmatched" test \
	"$(jq -rs 'map("\(.proto) \(.ip_proto) \(.conn_state) \(.orig_pkts)/\(.resp_pkts) \(.verdict)") | join(",")' \
		"$TMP/gre.json")" = "unknown_transport 47 OTH 8/6 unmatched"
check "--no-decap GRE in scope: no finding, counted as other in the summary" test \
	"$(jq -c '[(.findings | length), .summary.by_proto.unknown_transport]' "$TMP/gre.r.json")" = "[0,1]"
finish
