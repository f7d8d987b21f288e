#!/usr/bin/env bash
# pcapng: a file whose interfaces have different link types is read with flowaudit's own reader; a BPF
# filter is compiled per interface, for its link type; an interface we do not decode is skipped with a
# warning; gzip, standard input and the merge of many inputs work for pcapng as for pcap
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
ML=$P/multi-link.pcapng
FA=("$FLOWAUDIT" -q --fail-on none)
# multi-link.pcapng (pcaps/README.md): interface 0 Ethernet (TCP :47001 -> :1494, 10 packets; UDP :47002 ->
# :1812, 4), interface 1 Linux cooked v2 (TCP :47003 -> :1494, 9 packets, over lo).

# jrun NAME ARGS...: the JSON report to $TMP/NAME.json, stderr and status beside it
jrun() {
	local name=$1
	shift
	timeout 20 "${FA[@]}" --format json "$@" >"$TMP/$name.json" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.status"
}
json() { jq -e "$2" "$TMP/$1.json" >/dev/null 2>&1; }
ports() { jq -r '."id.orig_p"' "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

jrun all -r "$ML"
check "multi-link: read whole, exit 0, nothing on stderr" eval 'status_is all 0 && test ! -s "$TMP/all.err"'
check "multi-link: 23 packets, 3 flows, both link types listed" json all '.capture.packets == 23 and
	.summary.flows == 3 and .capture.inputs[0].link_types == ["Ethernet", "Linux cooked v2"] and
	.capture.inputs[0].link_type == "Ethernet"'
check "multi-link: nanosecond time stamps of interface 1 read as microseconds (the last packet)" json all \
	'.capture.inputs[0].last_ts == 1796668128.207427'

# The filter, per interface: 'tcp port 1494' compiled for Ethernet would read the cooked frames at the
# wrong offsets; compiled for each interface's own link type it passes both TCP flows.
jrun tcp -r "$ML" 'tcp port 1494'
check "filter 'tcp port 1494': the TCP flows of both interfaces (19 packets), not the UDP one" eval \
	'status_is tcp 0 && json tcp ".capture.packets == 19 and .summary.flows == 2"'
jrun lo -r "$ML" 'src port 47003 or dst port 47003'
check "filter on the cooked interface's flow alone: its 9 packets" json lo '.capture.packets == 9 and .summary.flows == 1'
jrun udp -r "$ML" udp
check "filter 'udp': the Ethernet interface's 4 packets" json udp '.capture.packets == 4 and .summary.flows == 1'
run ether "${FA[@]}" -r "$ML" 'ether host 02:fa:00:00:01:01'
check "a filter that does not compile for interface 1's link type: exit 2, one line naming the interface" eval \
	'status_is ether 2 && one_line_error ether "multi-link.pcapng: bad filter .* for interface 1, link type Linux cooked v2: "'

# An interface of a link type flowaudit does not decode (interface 1 made USER0, 147): its packets are
# skipped with a warning, the rest is audited; every interface of such a type: refused, as a pcap file is.
cp "$ML" "$TMP/user0.pcapng"
printf '\x93\x00' | dd of="$TMP/user0.pcapng" bs=1 seek=$((156 + 8)) conv=notrunc status=none
jrun user0 -r "$TMP/user0.pcapng"
check "one interface not decoded: exit 0, its 9 packets skipped, the Ethernet flows audited" eval \
	'status_is user0 0 && json user0 ".capture.packets == 14 and .summary.flows == 2 and
	 .capture.inputs[0].unsupported_packets == 9"'
check "one interface not decoded: a warning naming the link type and the count" one_line_error user0 \
	'warning: .*user0.pcapng: 9 packets on interfaces of link type .*(147), which flowaudit does not decode, were skipped'
check "one interface not decoded: capture health counts its 9 packets as unreadable (9 of 23: the warning)" json user0 \
	'.capture.health.frames == 23 and .capture.health.unreadable == 9 and .capture.health.degraded and
	 (.capture.health.unreadable_by_kind[0].kind | test("^link type .*"))'
cp "$TMP/user0.pcapng" "$TMP/none.pcapng"
printf '\x93\x00' | dd of="$TMP/none.pcapng" bs=1 seek=$((136 + 8)) conv=notrunc status=none
run none "${FA[@]}" -r "$TMP/none.pcapng"
check "no interface decoded: refused, exit 2" eval 'status_is none 2 && one_line_error none \
	"none.pcapng: unsupported link type .*(147) on every interface"'

# Cut inside a block: the packets before it, the block's offset.
head -c 3000 "$ML" >"$TMP/cut.pcapng"
run cut "${FA[@]}" -r "$TMP/cut.pcapng"
check "cut inside a block: exit 2, the offset of that block and the 14 packets before" eval 'status_is cut 2 &&
	one_line_error cut "cut.pcapng: damaged at byte 2972, after 14 packets: enhanced packet block cut short"'

# gzip'd, standard input, and merged with a pcap file: the same flows.
gzip -c "$ML" >"$TMP/ml.pcapng.gz"
timeout 20 "${FA[@]}" -r "$TMP/ml.pcapng.gz" --conn-log "$TMP/gz.conn" -o /dev/null 2>"$TMP/gz.err"
check "gzip'd pcapng: the three flows" eval '[ "$(ports "$TMP/gz.conn")" = "47001 47002 47003" ]'
timeout 20 sh -c "cat '$ML' | '$FLOWAUDIT' -q --fail-on none -r - --conn-log '$TMP/stdin.conn' -o /dev/null" \
	2>"$TMP/stdin.err"
check "pcapng on standard input: the three flows" eval '[ "$(ports "$TMP/stdin.conn")" = "47001 47002 47003" ]'
jrun merged -r "$P/tcp-complete.pcap" -r "$ML"
check "merged with a pcap file: both inputs, 35 packets, 4 flows" json merged '.capture.packets == 35 and
	.summary.flows == 4 and (.capture.inputs | length) == 2 and .capture.inputs[1].link_types[1] == "Linux cooked v2"'

# More than 16 inputs: closed after their first packet and opened again in turn (each copy its own file).
args=()
for i in $(seq 1 17); do
	cp "$ML" "$TMP/copy$i.pcapng"
	args+=(-r "$TMP/copy$i.pcapng")
done
jrun many "${args[@]}"
check "17 pcapng inputs (reopened lazily): every packet read, exit 0" eval 'status_is many 0 &&
	json many ".capture.packets == 391 and (.capture.inputs | map(.packets) | add) == 391"'

finish
