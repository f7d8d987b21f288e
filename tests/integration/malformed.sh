#!/usr/bin/env bash
# malformed: damaged captures (pcaps/bad-*): what came before the damage is audited and reported,
# the damage is named with its byte offset; nothing crashes, hangs or leaks
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
FA=("$FLOWAUDIT" -q --fail-on none)
# Every bad-* file starts with the same 12 good packets: TCP :41050 -> :1494 (10) and UDP :41051 -> :1812 (2).
# They end at byte 1452 in the pcap files (24-byte file header, 12 records) and at byte 1676 in the pcapng
# ones (section header 28, interface 20, 12 Enhanced Packet Blocks); see pcaps/README.md.
BEFORE="41050 41051"
ALL="41050 41051 41052"

# run NAME FILE [ARGS...]: the text report to -o, the conn log, and the JSON report; outputs and status in $TMP/NAME.*
run() {
	local name=$1 file=$2
	shift 2
	timeout 20 "${FA[@]}" -r "$file" -o "$TMP/$name.txt" --conn-log "$TMP/$name.conn" "$@" >"$TMP/$name.out" \
		2>"$TMP/$name.err"
	echo $? >"$TMP/$name.status"
	timeout 20 "${FA[@]}" -r "$file" --format json "$@" >"$TMP/$name.json" 2>"$TMP/$name.jerr"
	echo $? >"$TMP/$name.jstatus"
}
status_is() { [ "$(cat "$TMP/$1.status")" -eq "$2" ] && [ "$(cat "$TMP/$1.jstatus")" -eq "$2" ]; }
# one_line NAME REGEX: stderr is exactly one line, and it matches
one_line() { [ "$(wc -l <"$TMP/$1.err")" -eq 1 ] && grep -Eq "$2" "$TMP/$1.err"; }
# ports NAME: the originators' ports in the conn log, sorted, on one line
ports() { jq -r '."id.orig_p"' "$TMP/$1.conn" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
# json NAME FILTER: the JSON report is valid and the jq filter holds
json() { jq -e "$2" "$TMP/$1.json" >/dev/null 2>&1; }
report_out() { grep -q '^flows' "$TMP/$1.txt"; }

# damaged NAME OFFSET MESSAGE: damaged part way: exit 2, the one line, the report and conn log of the 12 packets before
# (check's own local is called name, so the captures here are cap)
damaged() {
	local at=$2 msg=$3 file
	cap=$1
	file=$P/$cap.pcap
	[ -f "$file" ] || file=$P/$cap.pcapng
	run "$cap" "$file"
	check "$cap: exit 2" status_is "$cap" 2
	check "$cap: one line naming the file, byte $at and the damage" one_line "$cap" \
		"^flowaudit: .*$cap\.pcap(ng)?: damaged at byte $at, after 12 packets: $msg; the report covers"
	check "$cap: the text report still comes out, naming the damage" eval \
		'report_out "$cap" && grep -q "DAMAGED: at byte $at" "$TMP/$cap.txt"'
	check "$cap: the JSON report counts the 12 packets and 2 flows before the damage" json "$cap" \
		".capture.packets == 12 and .summary.flows == 2 and
		 (.capture.inputs[0].damage | startswith(\"at byte $at,\"))"
	check "$cap: the conn log holds the flows before the damage" eval '[ "$(ports "$cap")" = "$BEFORE" ]'
}

# Damaged part way: libpcap, flowaudit's pcapng reader or its record check stops; the rest is kept.
damaged bad-record-header 1452 'truncated dump file; tried to read 16 header bytes, only got 10'
damaged bad-ends-mid-packet 1452 'truncated dump file; tried to read 142 captured bytes, only got 20'
damaged bad-caplen-2g 1452 'invalid packet capture length 2147483648, bigger than snaplen of 65535'
damaged bad-caplen-over-record 1452 'captured length 182 larger than the packet length 142'
damaged bad-pcapng-oversized-block 1676 'pcapng block size 2147483648 > maximum [0-9]+'
size=$(stat -c %s "$P/bad-ends-mid-packet.pcap")
check "bad-ends-mid-packet: the offset is where the last record starts (size $size - 16 - 20)" \
	[ $((size - 36)) -eq 1452 ]

# The file header itself: nothing can be read, so no report; one line, offset 0, exit 2.
for cap in bad-magic bad-global-header; do
	run "$cap" "$P/$cap.pcap"
	check "$cap: exit 2" status_is "$cap" 2
	check "$cap: one line naming the file and the header at byte 0" one_line "$cap" \
		"^flowaudit: cannot read .*$cap\.pcap: .*\(the file header, at byte 0\)\$"
	check "$cap: no flows in the conn log" test ! -s "$TMP/$cap.conn"
done
check "bad-magic: libpcap's reason" grep -q 'unknown file format' "$TMP/bad-magic.err"
check "bad-global-header: libpcap's reason" grep -q 'truncated dump file' "$TMP/bad-global-header.err"

# Read fine by libpcap: exit 0, everything audited.
for cap in bad-caplen-zero bad-time-backwards bad-pcapng-unknown-block bad-pcapng-linktype-change \
	bad-caplen-over-snaplen; do
	file=$P/$cap.pcap
	[ -f "$file" ] || file=$P/$cap.pcapng
	run "$cap" "$file"
	check "$cap: exit 0" status_is "$cap" 0
	check "$cap: the report comes out" report_out "$cap"
	check "$cap: all three flows in the conn log" eval '[ "$(ports "$cap")" = "$ALL" ]'
done
check "bad-caplen-zero: nothing on stderr" test ! -s "$TMP/bad-caplen-zero.err"
check "bad-caplen-zero: the empty record is a link-truncated decode error, the other 14 are read" json bad-caplen-zero \
	'.capture.packets == 15 and .capture.decode["link-truncated"] == 1 and .summary.flows == 3'
check "bad-time-backwards: two packets older than one before them, counted" json bad-time-backwards \
	'.capture.packets == 14 and .capture.ts_backwards == 2'
check "bad-time-backwards: said in the text report" grep -q '2 packets older than one before them' \
	"$TMP/bad-time-backwards.txt"
check "bad-pcapng-unknown-block: the unknown blocks are skipped, 14 packets" json bad-pcapng-unknown-block \
	'.capture.packets == 14 and .summary.flows == 3'
check "bad-pcapng-unknown-block: nothing on stderr" test ! -s "$TMP/bad-pcapng-unknown-block.err"
check "bad-pcapng-unknown-block: the two blocks counted as skipped" json bad-pcapng-unknown-block \
	'.capture.inputs[0].skipped_blocks == 2'
check "bad-pcapng-linktype-change: the raw IP interface is read too, 14 packets, both link types listed" json \
	bad-pcapng-linktype-change '.capture.packets == 14 and .summary.flows == 3 and
	.capture.inputs[0].link_types == ["Ethernet", "Raw IP"]'
check "bad-pcapng-linktype-change: the text report lists both link types" grep -q '(Ethernet + Raw IP, 14 packets)' \
	"$TMP/bad-pcapng-linktype-change.txt"
check "bad-caplen-over-snaplen: a warning naming the 2 records and the first one's offset" one_line \
	bad-caplen-over-snaplen "^flowaudit: warning: .*bad-caplen-over-snaplen\.pcap: 2 records longer than the \
file's snaplen of 96 \(the first at byte 1080\) were read cut to it"
check "bad-caplen-over-snaplen: the cut datagrams count in full (from the UDP length)" eval '[ "$(jq -r \
	"select(.\"id.orig_p\" == 41052) | [.orig_bytes, .resp_bytes] | @tsv" "$TMP/bad-caplen-over-snaplen.conn")" = \
	"$(printf "100\t100")" ]'

# Standard input: a pipe cannot be read again, so the offset comes from the record lengths (pcap) or from
# the block lengths flowaudit's pcapng reader summed. piped NAME FILE: FILE through cat into -r -; status in $st.
piped() {
	timeout 20 sh -c "cat '$2' | '$FLOWAUDIT' -q --fail-on none -r - -o '$TMP/$1.txt'" 2>"$TMP/$1.err"
	st=$?
}
piped pipe "$P/bad-ends-mid-packet.pcap"
check "a pipe: exit 2, the offset from the record lengths" eval '[ $st -eq 2 ] && report_out pipe &&
	one_line pipe "^flowaudit: standard input: damaged at byte 1452, after 12 packets: truncated dump file"'
piped ngpipe "$P/bad-pcapng-oversized-block.pcapng"
check "a pcapng pipe: exit 2, the offset, the packets before" eval '[ $st -eq 2 ] && report_out ngpipe &&
	one_line ngpipe "^flowaudit: standard input: damaged at byte 1676, after 12 packets: pcapng block size"'
gzip -c "$P/bad-pcapng-oversized-block.pcapng" >"$TMP/ng.pcapng.gz"
run nggz "$TMP/ng.pcapng.gz"
check "a gzip'd pcapng: the offset in the decompressed stream" eval 'status_is nggz 2 && one_line nggz \
	"damaged at byte 1676 of the decompressed stream, after 12 packets: pcapng block size"'

# A filter does not move the offset; later inputs are still read.
run filtered "$P/bad-ends-mid-packet.pcap" udp
check "with a filter: the same offset, the filter's packets counted" eval 'status_is filtered 2 &&
	one_line filtered "damaged at byte 1452, after 12 packets" &&
	json filtered ".capture.packets == 2 and .summary.flows == 1"'
run two "$P/bad-caplen-2g.pcap" -r "$P/udp-exchange.pcap"
check "a damaged first input: the second is still read, exit 2" eval 'status_is two 2 &&
	one_line two "bad-caplen-2g\.pcap: damaged at byte 1452" && [ "$(ports two)" = "40006 41050 41051" ]'

# Nothing hangs (every run above had 20 s), crashes, reads out of bounds or leaks.
# valgrind cannot run a binary built with AddressSanitizer (that build checks the same itself).
if ldd "$FLOWAUDIT" 2>/dev/null | grep -q libasan; then
	echo "# skipped: valgrind, the binary is built with AddressSanitizer"
elif command -v valgrind >/dev/null; then
	for file in "$P"/bad-*.pcap "$P"/bad-*.pcapng; do
		cap=$(basename "$file")
		timeout 120 valgrind -q --error-exitcode=99 --leak-check=full "${FA[@]}" -r "$file" -o "$TMP/vg.txt" \
			--conn-log "$TMP/vg.conn" >/dev/null 2>"$TMP/vg.err"
		status=$?
		if [ "$status" -eq 0 ] || [ "$status" -eq 2 ]; then
			ok "$cap: valgrind finds no error and no leak"
		else
			not_ok "$cap: valgrind: exit $status"
			sed 's/^/#   /' "$TMP/vg.err"
		fi
	done
else
	echo "# skipped: valgrind is not installed"
fi

finish
