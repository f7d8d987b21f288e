#!/usr/bin/env bash
# health: what a capture carried besides IP is named, what could not be read is counted by kind, and
# a capture of which a large share could not be read says so before its findings (every format)
set -u
. "$(dirname "$0")/lib.sh"
P=$SRCDIR/pcaps
FA=("$FLOWAUDIT" -q --fail-on none)

# health-unreadable.pcap: 20 frames of EtherType 0x88b5 around one TCP handshake (3 frames).
"${FA[@]}" -r "$P/health-unreadable.pcap" >"$TMP/u.txt"
check "text: the unreadable line names the EtherType by value" grep -q '^unreadable   20 frames (87.0%): EtherType 0x88b5 20$' "$TMP/u.txt"
check "text: a WARNING line before the matrix" awk '/^WARNING .*87.0% of 23 frames could not be read/ {w = NR}
	/^MATRIX/ {m = NR} END {exit !(w && m && w < m)}' "$TMP/u.txt"
"${FA[@]}" -r "$P/health-unreadable.pcap" --format json -o "$TMP/u.json"
check "json: capture.health degraded, 20 of 23 unreadable, the kind with its layer and value" test \
	"$(jq -c '.capture.health | [.frames, .unreadable, .degraded, .unreadable_by_kind[0].layer,
		.unreadable_by_kind[0].value]' "$TMP/u.json")" = '[23,20,true,"ethertype",34997]'
"${FA[@]}" -r "$P/health-unreadable.pcap" --format html -o "$TMP/u.html"
check "html: the warning comes before the matrix" awk '/class="health-warning"/ {w = NR} /id="matrix"/ {m = NR}
	END {exit !(w && m && w <= m)}' "$TMP/u.html"

# With a site whose roles never appear: 'not-visible' says part of the capture could not be read.
cat >"$TMP/site.yaml" <<'SITE'
site: health
scope: [198.18.0.0/15]
roles:
  vda: [198.18.30.1]
  ddc: [198.18.30.2]
matrices: [citrix-cvad]
SITE
"${FA[@]}" -r "$P/health-unreadable.pcap" --site "$TMP/site.yaml" --format json -o "$TMP/s.json"
check "not-visible findings: low confidence, the note names the unreadable share" test \
	"$(jq -r '[.findings[] | select(.kind == "not-visible") | "\(.confidence) \(.note)"] | unique | join("|")' "$TMP/s.json")" \
	= "low 87.0% of the capture could not be read: the flows may be in those frames"
"${FA[@]}" -r "$P/health-unreadable.pcap" --site "$TMP/site.yaml" --format csv -o "$TMP/s.csv"
check "csv: the not-visible findings' confidence column says low" test \
	"$(awk -F, '$2 == "not-visible" {print $13}' "$TMP/s.csv" | sort -u | tr '\n' ' ')" = "low "

# Named, not lumped: STP, CDP and PVST+ over LLC/SNAP are understood; no warning.
"${FA[@]}" -r "$P/llc-snap.pcap" --format json -o "$TMP/l.json"
check "llc-snap: STP, CDP, PVST+ named as not IP, nothing unreadable" test \
	"$(jq -c '.capture.health | [.unreadable, .degraded, ([.not_ip[].kind] | sort)]' "$TMP/l.json")" \
	= '[0,false,["CDP","PVST+","STP"]]'
"${FA[@]}" -r "$P/llc-snap.pcap" >"$TMP/l.txt"
check "llc-snap: the text names them, and prints no unreadable or WARNING line" eval \
	'grep -q "^not IP       STP 2, CDP 1, PVST+ 1$" "$TMP/l.txt" && ! grep -qE "^(unreadable|WARNING)" "$TMP/l.txt"'

# An encrypted 802.11 frame is counted as encrypted, not as a decode problem; 1 of 25 is no warning.
"${FA[@]}" -r "$P/link-80211.pcap" >"$TMP/w.txt"
check "802.11: 1 encrypted, 0 decode problems, under the line for a warning" eval \
	'grep -q "0 with decode problems" "$TMP/w.txt" && grep -q "1 encrypted (802.11)" "$TMP/w.txt" &&
	 grep -q "^unreadable   1 frame (4.0%): wlan-encrypted 1$" "$TMP/w.txt" && ! grep -q "^WARNING" "$TMP/w.txt"'

# A healthy capture: nothing to say.
"${FA[@]}" -r "$P/mixed.pcap" --format json -o "$TMP/m.json"
check "mixed: healthy (0 unreadable, not degraded)" test \
	"$(jq -c '.capture.health | [.unreadable, .degraded]' "$TMP/m.json")" = '[0,false]'
finish
