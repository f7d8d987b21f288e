#!/usr/bin/env bash
# inputs: several captures are one stream in time order (as mergecap), whatever their order on
# the command line; -r FOLDER reads every capture in it; gzip'd captures are read through zlib.
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
SITE=$P/site-demo.yaml
DEMO=$P/audit-demo.pcap
FA=("$FLOWAUDIT" -q --fail-on none --site "$SITE")

# split_pcap IN N PREFIX: cut a pcap file (little-endian, 16-byte record headers) into files of N
# records named PREFIX, PREFIX1, PREFIX2 ..., as 'tcpdump -C' names its rotated files.
split_pcap() {
	local in=$1 per=$2 prefix=$3 size off=24 k=0 n=0 caplen out
	size=$(stat -c %s "$in")
	while [ "$off" -lt "$size" ]; do
		if [ $((n % per)) -eq 0 ]; then
			out=$prefix
			[ "$k" -gt 0 ] && out=$prefix$k
			head -c 24 "$in" >"$out"
			k=$((k + 1))
		fi
		caplen=$(od -An -tu4 -j $((off + 8)) -N4 "$in" | tr -d ' ')
		tail -c +$((off + 1)) "$in" | head -c $((16 + caplen)) >>"$out"
		off=$((off + 16 + caplen))
		n=$((n + 1))
	done
}
# The conn log without uid and sorted: the flows, whatever order they were written in.
flows() { jq -cS 'del(.uid)' "$1" | sort; }
kinds() { jq -c '[.findings[] | [.kind, .rule, .reason, .count]]' "$1"; }

mkdir -p "$TMP/rot"
split_pcap "$DEMO" 6 "$TMP/rot/cap"
check "the demo capture cut into 11 files named as tcpdump -C names them" \
	eval '[ "$(ls "$TMP/rot" | wc -l)" -eq 11 ] && [ -s "$TMP/rot/cap10" ]'
"${FA[@]}" -r "$DEMO" --conn-log "$TMP/whole.json" --format json -o "$TMP/whole.rep"
# The shell's order: cap cap1 cap10 cap2 ... cap9, out of time order.
args=()
for f in "$TMP"/rot/cap*; do args+=(-r "$f"); done
"${FA[@]}" "${args[@]}" --conn-log "$TMP/glob.json" --format json -o "$TMP/glob.rep" 2>"$TMP/glob.err"
check "rotated files given in the shell's glob order: the same flows as the one capture" \
	eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/glob.json")'
check "rotated files in glob order: the same findings as the one capture" \
	eval '[ "$(kinds "$TMP/whole.rep")" = "$(kinds "$TMP/glob.rep")" ]'
check "rotated files in glob order: no packet counted as older than one before it" \
	eval '[ "$(jq .capture.ts_backwards "$TMP/glob.rep")" = 0 ] || ! jq -e .capture.ts_backwards "$TMP/glob.rep" >/dev/null'
# Reversed: the worst order.
rargs=()
for ((i = ${#args[@]} - 1; i > 0; i -= 2)); do rargs+=(-r "${args[i]}"); done
"${FA[@]}" "${rargs[@]}" --conn-log "$TMP/rev.json" -o /dev/null 2>/dev/null
check "rotated files given newest first: the same flows" eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/rev.json")'

"${FA[@]}" -r "$TMP/rot" --conn-log "$TMP/dir.json" --format json -o "$TMP/dir.rep"
check "-r FOLDER reads every capture in it, in time order: the same flows" \
	eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/dir.json")'
check "-r FOLDER: the report names each of the 11 files" eval '[ "$(jq ".capture.inputs | length" "$TMP/dir.rep")" -eq 11 ]'

# gzip'd files, named or in the folder, and a gzip'd standard input.
gzip "$TMP/rot/cap3" "$TMP/rot/cap7"
echo "not a capture" >"$TMP/rot/notes.txt"
"${FA[@]}" -r "$TMP/rot" --conn-log "$TMP/gz.json" -o /dev/null 2>"$TMP/gz.err"
check "a folder with gzip'd captures: the same flows" eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/gz.json")'
check "a folder with a file that is no capture: skipped with a warning naming the count" \
	grep -q "1 file.*not a capture" "$TMP/gz.err"
gzip -c "$DEMO" >"$TMP/demo.pcap.gz"
"${FA[@]}" -r "$TMP/demo.pcap.gz" --conn-log "$TMP/onegz.json" -o /dev/null
check "-r FILE.gz: the same flows" eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/onegz.json")'
"${FA[@]}" -r - --conn-log "$TMP/stdingz.json" -o /dev/null <"$TMP/demo.pcap.gz"
check "a gzip'd capture on standard input: the same flows" \
	eval 'cmp -s <(flows "$TMP/whole.json") <(flows "$TMP/stdingz.json")'
head -c 1500 "$TMP/demo.pcap.gz" >"$TMP/cut.pcap.gz"
"${FA[@]}" -r "$TMP/cut.pcap.gz" -o /dev/null 2>"$TMP/cutgz.err"
rc=$?
check "a cut gzip'd capture: exit 2, damage named in the decompressed stream" \
	eval '[ "$rc" -eq 2 ] && grep -q "cut.pcap.gz: damaged" "$TMP/cutgz.err"'

mkdir -p "$TMP/empty"
echo x >"$TMP/empty/readme"
"${FA[@]}" -r "$TMP/empty" -o /dev/null 2>"$TMP/empty.err"
rc=$?
check "-r FOLDER without a capture: exit 2, one line saying so" \
	eval '[ "$rc" -eq 2 ] && grep -q "no pcap, pcapng or gzip" "$TMP/empty.err"'

# Two captures taken hours apart: the covered time is their two spans, not the hours between.
split_pcap "$DEMO" 31 "$TMP/half"
# shift the second half by 3 hours: rewrite its record timestamps (seconds, little-endian) with od/printf
shift_pcap() {
	local in=$1 out=$2 add=$3 size off=24 caplen sec
	size=$(stat -c %s "$in")
	head -c 24 "$in" >"$out"
	while [ "$off" -lt "$size" ]; do
		sec=$(od -An -tu4 -j "$off" -N4 "$in" | tr -d ' ')
		caplen=$(od -An -tu4 -j $((off + 8)) -N4 "$in" | tr -d ' ')
		sec=$((sec + add))
		printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((sec & 255)) $((sec >> 8 & 255)) $((sec >> 16 & 255)) $((sec >> 24 & 255)))" >>"$out"
		tail -c +$((off + 5)) "$in" | head -c $((12 + caplen)) >>"$out"
		off=$((off + 16 + caplen))
	done
}
shift_pcap "$TMP/half1" "$TMP/later.pcap" 10800
"${FA[@]}" -r "$TMP/half" -r "$TMP/later.pcap" --format json -o "$TMP/apart.rep"
"${FA[@]}" -r "$TMP/half" -r "$TMP/later.pcap" -o "$TMP/apart.txt"
check "two files 3 hours apart: the text report says what they cover" grep -q "^covered .* s: the inputs' own spans" "$TMP/apart.txt"
check "two files 3 hours apart: covered time is the sum of their spans, well under a minute" \
	eval 'jq -e "(.capture.covered | type == \"number\") and .capture.covered > 5 and .capture.covered < 60 and (.capture.last_ts - .capture.first_ts) > 10000" "$TMP/apart.rep" >/dev/null'

finish
