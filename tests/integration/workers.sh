#!/usr/bin/env bash
# workers: the report, the JSON, the CSV, the baseline and the conn log (as a set of lines) are the same
# for --workers 1, 2 and 4, on every capture in pcaps/ and on a bench mix.
set -u
. "$(dirname "$0")/lib.sh"

# The one figure that may differ: the peak of live flows is each worker's peak, summed.
NORM_JSON='del(.summary.flow_table.peak_live)'
norm_text() { sed -E 's/peak [0-9]+ live/peak N live/'; }

# audit NAME N PCAP ARGS...: every output of one run into $TMP/NAME.N.*
audit() {
	local name=$1 n=$2 pcap=$3
	shift 3
	"$FLOWAUDIT" -q --fail-on none --workers "$n" -r "$pcap" "$@" --format json -o "$TMP/$name.$n.json" \
		--conn-log "$TMP/$name.$n.conn" 2>"$TMP/$name.$n.err"
	echo $? >"$TMP/$name.$n.status"
	"$FLOWAUDIT" -q --fail-on none --workers "$n" -r "$pcap" "$@" 2>/dev/null | norm_text >"$TMP/$name.$n.txt"
	"$FLOWAUDIT" -q --fail-on none --workers "$n" -r "$pcap" "$@" --format csv 2>/dev/null >"$TMP/$name.$n.csv"
	jq -S "$NORM_JSON" "$TMP/$name.$n.json" >"$TMP/$name.$n.jsonn" 2>/dev/null
	sort "$TMP/$name.$n.conn" >"$TMP/$name.$n.conns" 2>/dev/null
}

# same NAME N: N's outputs equal --workers 1's
same() {
	local name=$1 n=$2 what bad=""
	for what in status jsonn conns txt csv; do
		cmp -s "$TMP/$name.1.$what" "$TMP/$name.$n.$what" || bad="$bad $what"
	done
	if [ -z "$bad" ]; then
		ok "$name: --workers $n gives what --workers 1 gives ($(wc -l <"$TMP/$name.1.conns") flows)"
	else
		not_ok "$name: --workers $n differs from --workers 1 in:$bad"
		diff "$TMP/$name.1.jsonn" "$TMP/$name.$n.jsonn" | head -20 | sed 's/^/#   /'
		diff "$TMP/$name.1.conns" "$TMP/$name.$n.conns" | head -6 | sed 's/^/#   /'
	fi
}

shopt -s nullglob
for pcap in "$SRCDIR"/pcaps/*.pcap "$SRCDIR"/pcaps/*.pcapng; do
	name=$(basename "$pcap")
	name=${name%.*}
	args=()
	[ -f "$SRCDIR/tests/golden/$name.args" ] && read -ra args <"$SRCDIR/tests/golden/$name.args"
	for n in 1 2 4; do
		audit "$name" "$n" "$pcap" "${args[@]}"
	done
	same "$name" 2
	same "$name" 4
done

# The demo with its site: findings, roles, the matrix, and the baseline file.
for n in 1 2 4; do
	audit demo-site "$n" "$SRCDIR/pcaps/audit-demo.pcap" --site "$SRCDIR/pcaps/site-demo.yaml"
	"$FLOWAUDIT" baseline save -q --workers "$n" --by role --site "$SRCDIR/pcaps/site-demo.yaml" \
		-r "$SRCDIR/pcaps/audit-demo.pcap" -o "$TMP/demo.$n.baseline" 2>/dev/null
	jq -S 'del(.created?)' "$TMP/demo.$n.baseline" >"$TMP/demo.$n.baselinen" 2>/dev/null
done
same demo-site 2
same demo-site 4
check "baseline save: the same file for --workers 1, 2 and 4" \
	eval 'cmp -s "$TMP/demo.1.baselinen" "$TMP/demo.2.baselinen" && cmp -s "$TMP/demo.1.baselinen" "$TMP/demo.4.baselinen" && [ -s "$TMP/demo.1.baselinen" ]'

# The bench's mix, small: thousands of interleaved flows of every kind, IPv4 and IPv6, VLANs.
if command -v gcc >/dev/null && gcc -O1 -o "$TMP/gen" "$SRCDIR/bench/gen.c" \
	$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap) 2>"$TMP/gen.err"; then
	"$TMP/gen" "$TMP/mix.pcap" --seed 7 --packets 120000 --flows 9000 >/dev/null
	for n in 1 2 4; do
		audit mix "$n" "$TMP/mix.pcap" --site "$SRCDIR/pcaps/site-demo.yaml"
	done
	same mix 2
	same mix 4
	check "mix: the conn log has the flows ($(wc -l <"$TMP/mix.1.conns"))" [ "$(wc -l <"$TMP/mix.1.conns")" -gt 8000 ]
else
	not_ok "bench/gen.c does not build: $(head -c 300 "$TMP/gen.err")"
fi

# The uids: fixed by default (the same input gives the same uids), new ones with --uid-seed random.
"$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/audit-demo.pcap" --conn-log "$TMP/u1" -o /dev/null
"$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/audit-demo.pcap" --conn-log "$TMP/u2" -o /dev/null
"$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/audit-demo.pcap" --conn-log "$TMP/u3" -o /dev/null --uid-seed random
check "uids: the same for two runs of the same input" eval 'cmp -s <(sort "$TMP/u1") <(sort "$TMP/u2") && [ -s "$TMP/u1" ]'
check "uids: --uid-seed random draws others" eval '! cmp -s <(jq -r .uid "$TMP/u1") <(jq -r .uid "$TMP/u3")'
run badseed "$FLOWAUDIT" -r "$SRCDIR/pcaps/audit-demo.pcap" --uid-seed twelve
check "--uid-seed twelve: one error line, exit 2" eval 'status_is badseed 2 && one_line_error badseed "uid-seed"'
run badworkers "$FLOWAUDIT" -r "$SRCDIR/pcaps/audit-demo.pcap" --workers 0
check "--workers 0: one error line, exit 2" eval 'status_is badworkers 2 && one_line_error badworkers "workers"'

finish
