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
		map(select(.tunnel_parents | length != 1 or ($by[.[0]] == null) or ($by[.[0]].service == null))) | length' \
		"$TMP/$name.json" 2>/dev/null)
	check "$name: every tunnel_parents names an outer flow of the log" test "$bad" = 0
	check "$name: at least one inner flow and one outer flow" test \
		"$(jq -s '[.[] | select(.tunnel_parents)] | length > 0' "$TMP/$name.json")" = true
}

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
finish
