#!/usr/bin/env bash
# evidence: --evidence DIR writes one pcapng per finding and DIR/index.json. Read back with tshark and
# capinfos: every finding of the JSON report has exactly one file, which opens and whose section comment
# names it; a flow finding's file holds exactly the packets of the conn log's flows of that finding
# (uids, packet counts, 5-tuples, the innermost ones for tunnels), plus the ICMP errors quoting them;
# the packet comments on the deciding packets; the bounds (--evidence-flows, --evidence-packets, the
# ICMP errors per flow); the same bytes for --workers 1 and 2; standard input (the live buffers) keeps
# the same packets as the offline second pass; a pcapng with two link types gives one IDB per link
# type; the errors; no temporary left behind.
#
# Needs tshark, capinfos, editcap and mergecap (Debian's tshark and wireshark-common): skipped without
# them, failed without them when $CI is set.
set -u
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
P=$SRCDIR/pcaps
GOLD=$SRCDIR/tests/golden
JOBS=$(nproc 2>/dev/null || echo 2)

for tool in tshark capinfos editcap mergecap; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		if [ -n "${CI:-}" ]; then
			echo "not ok - $tool is not installed (CI installs Debian's tshark package)"
			exit 1
		fi
		echo "# skipped: $tool is not installed (apt-get install tshark)"
		exit 77
	fi
done

# The binary may be rebuilt while this runs: wait a little for it to come back.
for _ in $(seq 30); do
	[ -x "$FLOWAUDIT" ] && break
	sleep 1
done

mkdir -p "$TMP/ev" "$TMP/ts"

# evrun LABEL OUTDIR ARGS...: an audit with --evidence OUTDIR/LABEL, the conn log and the JSON report
# beside it (OUTDIR/LABEL.conn, .json, .err, .status).
evrun() {
	local label=$1 out=$2
	shift 2
	rm -rf "${out:?}/$label"
	"$FLOWAUDIT" -q --fail-on none "$@" --evidence "$out/$label" --conn-log "$out/$label.conn" \
		--format json -o "$out/$label.json" >/dev/null 2>"$out/$label.err"
	echo $? >"$out/$label.status"
}

# dissect PCAPNG OUT [TSHARK-ARGS]: tshark's view of every packet into OUT.fields (tab-separated; the
# comment last), its stderr (without the warning about root) into OUT.err, its status into OUT.rc.
# Exported for xargs.
dissect() {
	# shellcheck disable=SC2086 # $3: extra tshark words (a decode-as), or -n again
	tshark -n ${3:--n} -o frame.generate_md5_hash:TRUE -r "$1" -T fields -E separator=/t \
		-e frame.number -e frame.time_epoch -e frame.len -e frame.protocols \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
		-e icmp.type -e icmpv6.type -e frame.interface_id -e frame.md5_hash -e tcp.flags.syn -e tcp.flags.reset \
		-e ip.ttl -e ip.flags.mf -e ip.frag_offset -e frame.comment >"$2.fields" 2>"$2.err.raw"
	echo $? >"$2.rc"
	grep -v 'Running as user' "$2.err.raw" >"$2.err"
}
export -f dissect

# tshark's heuristics take mpls.pcap's Ethernet pseudowires the wrong way round (with and without the
# control word; tcpdump decodes neither): tell it, per file (each holds one of the two).
decode_as() {
	case "$1:$2" in
	mpls:*-tcp-2598.pcapng) echo "-d mpls.label==1001,pwethcw" ;;
	mpls:*-tcp-443.pcapng) echo "-d mpls.label==1001,pwethnocw" ;;
	*) echo "-n" ;;
	esac
}

# tshark's fields to rows: CLASS KEY TIME LEN IFID MD5 SYN RST TTL COMMENT, CLASS being ERR for an
# ICMP error (by its outer type: v4 3, 4, 5, 11, 12; v6 1-4), FRAG for an IP fragment tshark holds
# for reassembly (no transport: the conn log counts the datagram once, at its last fragment here),
# PKT otherwise, KEY the innermost
# 5-tuple either way round ("tcp [a]:p [b]:q", ends sorted; "icmp a b" for ICMP): the innermost IP
# layer and transport are the last in frame.protocols, their fields the last of tshark's lists.
ROWS='BEGIN { FS = OFS = "\t" }
function last(s,   a, n) { n = split(s, a, ","); return n ? a[n] : "" }
function first(s,   a, n) { n = split(s, a, ","); return n ? a[1] : "" }
{
	t4 = first($13); t6 = first($14)
	err = (t4 ~ /^(3|4|5|11|12)$/) || (t6 ~ /^(1|2|3|4)$/)
	n = split($4, pr, ":"); l3 = ""; l4 = ""
	for (i = 1; i <= n; i++) {
		if (pr[i] == "ip" || pr[i] == "ipv6") l3 = pr[i]
		if (pr[i] == "tcp" || pr[i] == "udp" || pr[i] == "icmp" || pr[i] == "icmpv6") l4 = pr[i]
	}
	if (l3 == "ip") { s = last($5); d = last($6) } else if (l3 == "ipv6") { s = last($7); d = last($8) } else { s = "?"; d = "?" }
	if (l4 == "tcp") { p = "tcp"; a = "[" s "]:" last($9); b = "[" d "]:" last($10) }
	else if (l4 == "udp") { p = "udp"; a = "[" s "]:" last($11); b = "[" d "]:" last($12) }
	else if (l4 ~ /^icmp/) { p = "icmp"; a = s; b = d }
	else { p = "?"; a = s; b = d }
	frag = l4 == "" && ($4 ~ /:ipv6\.fraghdr(:|$)/ || last($20) == 1 || last($21) > 0)
	if (a > b) { x = a; a = b; b = x }
	print (err ? "ERR" : frag ? "FRAG" : "PKT"), p " " a " " b, $2, $3, $15, $16, last($17), last($18), last($19), $22
}'

# dissect_dirs DIR TSDIR...: every pcapng of each DIR through its own tshark (in parallel), into
# TSDIR/FILE.{fields,err,rc,rows}
dissect_dirs() {
	local list=$TMP/dissect.list f d ts
	: >"$list"
	while [ $# -gt 0 ]; do
		d=$1 ts=$2
		shift 2
		mkdir -p "$ts"
		for f in "$d"/*.pcapng; do
			printf '%s\n%s\n%s\n' "$f" "$ts/$(basename "$f")" "$(decode_as "$(basename "$ts")" "$f")" >>"$list"
		done
	done
	xargs -r -d '\n' -n 3 -P "$JOBS" bash -c 'dissect "$1" "$2" "$3"' _ <"$list"
	while IFS= read -r f && IFS= read -r ts && IFS= read -r _; do
		awk "$ROWS" "$ts.fields" >"$ts.rows"
	done <"$list"
}

# dissect_merged DIR TSDIR: the same rows (TSDIR/FILE.rows) from one tshark over all the files of DIR
# concatenated (mergecap -a), cut back by their packet counts: for the sets only compared by packets.
dissect_merged() {
	local d=$1 ts=$2 f start=0 n files=()
	mkdir -p "$ts"
	for f in "$d"/*.pcapng; do files+=("$f"); done
	[ ${#files[@]} -gt 0 ] || return 0
	mergecap -a -F pcapng -w "$ts/all.pcapng" "${files[@]}" 2>"$ts/all.merge-err"
	dissect "$ts/all.pcapng" "$ts/all"
	awk "$ROWS" "$ts/all.fields" >"$ts/all.rows"
	for f in "${files[@]}"; do
		n=$(capinfos -c -M "$f" 2>/dev/null | awk '/^Number of packets/ { print $NF }')
		awk -v a="$start" -v b="$((start + ${n:-0}))" 'NR > a && NR <= b' "$ts/all.rows" >"$ts/$(basename "$f").rows"
		start=$((start + ${n:-0}))
	done
	[ "$start" -eq "$(wc -l <"$ts/all.rows")" ] && [ "$(cat "$ts/all.rc")" = 0 ] && [ ! -s "$ts/all.err" ] ||
		not_ok "$d: the files concatenated: $start packets by capinfos, $(wc -l <"$ts/all.rows") by tshark: $(head -c 200 "$ts/all.err")"
}

# One jq over the report ($r), index.json ($i) and conn log ($c): BAD lines for what is wrong with the
# index as a whole, FILE lines (the files listed), F lines (per finding of the report: ID KIND COUNT FILE
# PACKETS ICMP CUT FLOWS FLOWS_TOTAL WRITTEN RELATED UIDS, lists comma-joined, '-' when empty) and C
# lines (per finding id and conn-log flow: ID UID KEY PACKETS TS, KEY as in ROWS).
VERIFY_JQ='($r[0]) as $rep | ($i[0]) as $idx |
	($rep.findings | map({key: .id, value: .}) | from_entries) as $k |
	($idx.files | map({key: .id, value: .}) | from_entries) as $f |
	(([$rep.findings[].id] | sort) as $a | ([$idx.files[].id] | sort) as $b |
	 if $a != $b then "BAD\tindex ids \($b) != report ids \($a)" else empty end),
	([$idx.files[].id] | group_by(.) | map(select(length > 1)[0]) | if length > 0 then "BAD\tlisted twice: \(.)" else empty end),
	(if $idx.source != "second-pass" then "BAD\tsource \($idx.source)" else empty end),
	($idx.files[] | select(.file != "\(.id)-\(.kind)-\(.port | sub("/"; "-")).pcapng" or (.id | test("^F-[0-9a-f]{6}$") | not)
	  or .kind != $k[.id].kind or .port != "\($k[.id].proto)/\($k[.id].port)") | "BAD\tname, kind or port not as in the report: \(.file)"),
	($rep.findings[] | select(.evidence_file == null or $f[.id] == null or
	  .evidence_file != ($f[.id] | {file, written, flows, flows_total, packets, icmp_errors, packets_cut})) |
	 "BAD\t\(.id): evidence_file in the report \(.evidence_file | tojson) differs from index.json"),
	(if $rep.evidence.files != ([$idx.files[] | select(.written)] | length) or $rep.evidence.not_written != 0
	 then "BAD\tevidence in the report \($rep.evidence | tojson)" else empty end),
	($idx.files[] | "FILE\t\(.file)"),
	($rep.findings[] | $f[.id] as $e |
	 ["F", .id, .kind, .count, ($e.file // "-"), ($e.packets // -1), ($e.icmp_errors // -1), ($e.packets_cut // -1),
	  ($e.flows // -1), ($e.flows_total // -1), ($e.written // false),
	  ((.related // []) | if length == 0 then "-" else join(",") end),
	  (($e.uids // []) | sort | if length == 0 then "-" else join(",") end)] | @tsv),
	($c[] | select(.findings != null) | . as $x | .findings[] |
	 ["C", ., $x.uid,
	  (if $x.proto == "icmp" then "icmp " + ([$x."id.orig_h", $x."id.resp_h"] | sort | join(" "))
	   else $x.proto + " " + (["[\($x."id.orig_h")]:\($x."id.orig_p")", "[\($x."id.resp_h")]:\($x."id.resp_p")"] | sort | join(" ")) end),
	  ($x.orig_pkts + $x.resp_pkts), $x.ts] | @tsv)'

# verify LABEL OUTDIR TSDIR: checks 1 and 2 on one audit (its report, conn log and index)
verify() {
	local label=$1 out=$2 ts=$3 ev=$2/$1 bad="" bad2="" nflow=0 f id kind count file pk icmp cut flows ftot written
	local related uids want got rows
	if [ ! -s "$out/$label.json" ]; then
		# no report: the run failed before it had findings; then no evidence either
		check "$label: no report (exit $(cat "$out/$label.status")), so no evidence file" \
			eval '[ -z "$(find "$ev" -type f 2>/dev/null)" ]'
		return
	fi
	if ! jq -n -r --slurpfile r "$out/$label.json" --slurpfile i "$ev/index.json" --slurpfile c "$out/$label.conn" \
		"$VERIFY_JQ" >"$ts.all" 2>"$ts.jqerr"; then
		not_ok "$label: report, index.json or conn log unreadable: $(head -c 300 "$ts.jqerr")"
		return
	fi
	bad=$(awk -F'\t' '$1 == "BAD" { printf "; %s", $2 }' "$ts.all")
	awk -F'\t' '$1 == "FILE" { print $2 }' "$ts.all" | sort >"$ts.want-files"
	find "$ev" -mindepth 1 -maxdepth 1 ! -name index.json -printf '%f\n' | sort >"$ts.got-files"
	cmp -s "$ts.want-files" "$ts.got-files" ||
		bad="$bad; the folder holds [$(paste -sd' ' "$ts.got-files")], index lists [$(paste -sd' ' "$ts.want-files")]"
	awk -F'\t' '$1 == "F"' "$ts.all" | cut -f2- >"$ts.findings"
	awk -F'\t' '$1 == "C"' "$ts.all" | cut -f2- >"$ts.conn"
	while IFS=$'\t' read -r id kind count file pk icmp cut flows ftot written related uids; do
		f=$ev/$file
		if [ "$file" = - ] || [ ! -f "$f" ]; then
			bad="$bad; $id: no file"
			continue
		fi
		[ "$written" = true ] || bad="$bad; $file: written false"
		[ "$flows" -eq "$(tr ',' '\n' <<<"$uids" | grep -vc '^-$')" ] || bad="$bad; $file: flows $flows, uids [$uids]"
		if [ "$(cat "$ts/$file.rc")" != 0 ] || [ -s "$ts/$file.err" ]; then
			bad="$bad; $file: tshark -r fails: $(head -c 200 "$ts/$file.err")"
			continue
		fi
		capinfos "$f" >"$ts/$file.capinfos" 2>&1 || bad="$bad; $file: capinfos fails"
		grep -Eq "^Capture comment: +flowaudit evidence for finding $id: $kind " "$ts/$file.capinfos" ||
			bad="$bad; $file: no section comment naming $id"
		# one IDB per link type: as many interfaces as distinct encapsulations
		if [ "$(grep -c '^ *Encapsulation = ' "$ts/$file.capinfos")" -ne \
			"$(grep '^ *Encapsulation = ' "$ts/$file.capinfos" | sort -u | wc -l)" ]; then
			bad="$bad; $file: two IDBs with one link type"
		fi
		rows=$ts/$file.rows
		[ "$(wc -l <"$rows")" -eq "$pk" ] || bad="$bad; $file: $(wc -l <"$rows") packets, index says $pk"
		[ "$(grep -c '^ERR' "$rows")" -eq "$icmp" ] ||
			bad="$bad; $file: $(grep -c '^ERR' "$rows") ICMP errors, index says $icmp"
		[ "$ftot" -eq "$count" ] || bad="$bad; $file: flows_total $ftot, the report's count $count"
		case $kind in
		missing | not-visible)
			[ "$pk" -eq 0 ] && [ "$uids" = - ] || bad="$bad; $file: a $kind file with packets or flows"
			continue
			;;
		fallback | incomplete)
			# the flows of the blocked findings it explains
			want=$(for r in ${related//,/ }; do awk -F'\t' -v id="$r" '$1 == id { print $2 }' "$ts.conn"; done | sort -u)
			got=$(tr ',' '\n' <<<"$uids" | grep -v '^-$' | sort)
			[ -n "$got" ] && [ -z "$(comm -13 <(echo "$want") <(echo "$got"))" ] ||
				bad="$bad; $file: uids [$uids] not among the related findings' ($related)"
			continue
			;;
		esac
		[ "$count" -le 20 ] || continue
		nflow=$((nflow + 1))
		# check 2: exactly the conn log's flows of this finding
		want=$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$ts.conn" | sort | paste -sd,)
		[ "$want" = "$uids" ] || bad2="$bad2; $file: uids [$uids], conn log [$want]"
		want=$(awk -F'\t' -v id="$id" '$1 == id { s += ($4 < 200 ? $4 : 200); c += ($4 > 200 ? $4 - 200 : 0) }
			END { print s + 0, c + 0 }' "$ts.conn")
		got="$(grep -c '^PKT' "$rows") $cut"
		[ "$want" = "$got" ] ||
			bad2="$bad2; $file: packets (not ICMP errors) and packets_cut [$got], conn log [$want]"
		[ "$((pk - icmp - $(grep -c '^FRAG' "$rows")))" -eq "${want% *}" ] ||
			bad2="$bad2; $file: index packets-icmp_errors-fragments $((pk - icmp)), conn log ${want% *}"
		want=$(awk -F'\t' -v id="$id" '$1 == id { print $3 }' "$ts.conn" | sort -u)
		got=$(awk -F'\t' '$1 == "PKT" { print $2 }' "$rows" | sort -u)
		[ "$want" = "$got" ] ||
			bad2="$bad2; $file: 5-tuples [$(echo "$got" | paste -sd,)], conn log [$(echo "$want" | paste -sd,)]"
	done <"$ts.findings"
	if [ -z "$bad" ]; then
		ok "$label: $(wc -l <"$ts.findings") findings, one file each, opening, named in the section comment"
	else
		not_ok "$label: files vs findings${bad}"
	fi
	if [ "$nflow" -gt 0 ]; then
		if [ -z "$bad2" ]; then
			ok "$label: $nflow flow findings hold exactly their conn-log flows (uids, packets, 5-tuples)"
		else
			not_ok "$label: flow findings vs conn log${bad2}"
		fi
	fi
}

# comment LABEL EVDIR TSDIR GLOB PATTERN [COND]: each file matching GLOB (at least one) has a packet
# whose comment matches PATTERN (ERE); COND an awk condition on that row too ($1 class, $7 SYN, $8 RST,
# $9 TTL)
comment() {
	local label=$1 ev=$2 ts=$3 glob=$4 pat=$5 cond=${6:-1} f m good=0 bad=0
	# shellcheck disable=SC2206 # the glob, in the folder (nullglob: nothing when no file matches)
	m=("$ev"/$glob)
	for f in "${m[@]}"; do
		if awk -F'\t' -v pat="$pat" "\$10 ~ pat && ($cond) { found = 1 } END { exit !found }" "$ts/$(basename "$f").rows"; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
		fi
	done
	check "$label: $glob ($good) has a comment /$pat/${6:+ on a packet with $6}" eval '[ "$good" -gt 0 ] && [ "$bad" -eq 0 ]'
}

# headtail H T ROWS: per 5-tuple of the PKT rows, the first H and last T as KEY TIME LEN, sorted
headtail() {
	awk -F'\t' -v H="$1" -v T="$2" 'BEGIN { OFS = "\t" } $1 == "PKT" { k = $2; n[k]++; r[k, n[k]] = $2 OFS $3 OFS $4 }
		END { for (k in n) for (i = 1; i <= n[k]; i++) if (i <= H || i > n[k] - T) print r[k, i] }' "$3" | sort
}
errs() { awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "ERR" { print $3, $4 }' "$1" | sort; }

########################################################################################################
# 1, 2: every capture with a golden answer, with its args, as golden.sh runs it; --workers 2 here and
# --workers 1 again below (5).
shopt -s nullglob
GOLDEN=()
for expect in "$GOLD"/*.expect; do
	name=$(basename "$expect" .expect)
	pcap=""
	for ext in pcap pcapng; do
		[ -f "$P/$name.$ext" ] && pcap="$P/$name.$ext"
	done
	if [ -z "$pcap" ]; then
		not_ok "$name: no capture pcaps/$name.pcap(ng)"
		continue
	fi
	args=()
	[ -f "$GOLD/$name.args" ] && read -ra args <"$GOLD/$name.args"
	GOLDEN+=("$name")
	evrun "$name" "$TMP/ev" --workers 2 -r "$pcap" "${args[@]}"
	want_status=0
	[ -f "$GOLD/$name.status" ] && want_status=$(cat "$GOLD/$name.status")
	[ "$(cat "$TMP/ev/$name.status")" -eq "$want_status" ] ||
		not_ok "$name: exit status $(cat "$TMP/ev/$name.status"), expected $want_status: $(head -c 300 "$TMP/ev/$name.err")"
done

# The site captures (not in tests/golden/*.expect) for the comments, the bounds and the rest.
evrun demo "$TMP/ev" --workers 2 -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml"
evrun rst-origin "$TMP/ev" --workers 2 -r "$P/verdict-rst-origin.pcap" --site "$P/site-verdicts.yaml"
evrun pending "$TMP/ev" --workers 2 -r "$P/verdict-pending.pcap" --site "$P/site-verdicts.yaml"
evrun edt "$TMP/ev" --workers 2 -r "$P/verdict-edt-clients.pcap" --site "$P/site-edt-clients.yaml"
# A site with the licensing matrix only: the ICA stream of verdict-rotated-whole (3290 packets) is
# unexpected, a flow longer than the default 200 packets.
cat >"$TMP/site-big.yaml" <<'EOF'
site: big-flow
roles:
  workspace-app: 198.18.1.1
  vda: 198.18.2.10
scope: [198.18.0.0/15]
matrices: [citrix-licensing]
EOF
evrun big "$TMP/ev" --workers 2 -r "$P/verdict-rotated-whole.pcap" --site "$TMP/site-big.yaml"
# Crafted from the committed captures: udp-port-unreachable five times, 1 s apart (one flow of 10
# datagrams and 10 ICMP errors quoting it: 8 kept); tcp-complete again 30 s later and tcp-syn-dropped
# again 5000 s later (the same 5-tuple twice: two flows of one finding).
for i in 0 1 2 3 4; do editcap -t "$i" "$P/udp-port-unreachable.pcap" "$TMP/u$i.pcap"; done
mergecap -F pcap -w "$TMP/icmp10.pcap" "$TMP"/u[0-4].pcap
editcap -t 30 "$P/tcp-complete.pcap" "$TMP/tc30.pcap"
mergecap -F pcap -w "$TMP/reuse.pcap" "$P/tcp-complete.pcap" "$TMP/tc30.pcap"
editcap -t 5000 "$P/tcp-syn-dropped.pcap" "$TMP/sd5000.pcap"
mergecap -F pcap -w "$TMP/reuse-syn.pcap" "$P/tcp-syn-dropped.pcap" "$TMP/sd5000.pcap"
evrun icmp10 "$TMP/ev" --workers 2 -r "$TMP/icmp10.pcap"
evrun reuse "$TMP/ev" --workers 2 -r "$TMP/reuse.pcap"
evrun reuse-syn "$TMP/ev" --workers 2 -r "$TMP/reuse-syn.pcap"
# Options the second pass must apply as the audit did: a BPF filter (no ICMP error for TCP flows),
# no duplicate removal (every mirrored copy), the VLAN in the key.
evrun mixed-tcp "$TMP/ev" --workers 2 -r "$P/mixed.pcap" tcp
evrun mirror-nodedup "$TMP/ev" --workers 2 -r "$P/mirror-duplicates.pcap" --dedup-window 0
evrun qinq-vlankey "$TMP/ev" --workers 2 -r "$P/qinq.pcap" --vlan-key
# Fragmented datagrams as findings (no golden capture has one): a site whose only matrix is
# licensing makes the UDP flows unexpected; the orphan fragment of ipv4-fragments is no flow's.
cat >"$TMP/site-frag.yaml" <<'EOF'
site: fragments
roles:
  workspace-app: [198.18.2.1, 2001:db8:2::1]
  vda: [198.18.2.2, 2001:db8:2::2]
scope: [198.18.0.0/15, 2001:db8::/32]
matrices: [citrix-licensing]
EOF
evrun frag4 "$TMP/ev" --workers 2 -r "$P/ipv4-fragments.pcap" --site "$TMP/site-frag.yaml"
evrun frag6 "$TMP/ev" --workers 2 -r "$P/ipv6-fragments.pcap" --site "$TMP/site-frag.yaml"
EXTRA=(demo rst-origin pending edt big icmp10 reuse reuse-syn mixed-tcp mirror-nodedup qinq-vlankey frag4 frag6)
for label in "${EXTRA[@]}"; do
	[ "$(cat "$TMP/ev/$label.status")" -eq 0 ] || not_ok "$label: exit $(cat "$TMP/ev/$label.status"): $(head -c 300 "$TMP/ev/$label.err")"
done

# The bounds (4): the same inputs with smaller bounds.
evrun edt-f1 "$TMP/ev" -r "$P/verdict-edt-clients.pcap" --site "$P/site-edt-clients.yaml" --evidence-flows 1
evrun reuse-f1 "$TMP/ev" -r "$TMP/reuse.pcap" --evidence-flows 1
evrun reuse-syn-f1 "$TMP/ev" -r "$TMP/reuse-syn.pcap" --evidence-flows 1
evrun mixed-p8 "$TMP/ev" -r "$P/mixed.pcap" --evidence-packets 8
evrun wrong-p8 "$TMP/ev" -r "$P/wrong-protocol.pcap" --evidence-packets 8
evrun demo-f1 "$TMP/ev" -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml" --evidence-flows 1

# Standard input (6): the live buffers instead of the second pass.
mkdir -p "$TMP/evs"
stdin_run() {
	local label=$1 pcap=$2
	shift 2
	evrun "$label" "$TMP/evs" -r - "$@" <"$pcap"
}
stdin_run demo "$P/audit-demo.pcap" --site "$P/site-demo.yaml"
stdin_run mixed "$P/mixed.pcap"
stdin_run wrong-protocol "$P/wrong-protocol.pcap"
stdin_run icmp10 "$TMP/icmp10.pcap"
stdin_run edt "$P/verdict-edt-clients.pcap" --site "$P/site-edt-clients.yaml"
stdin_run big "$P/verdict-rotated-whole.pcap" --site "$TMP/site-big.yaml"
stdin_run multi-link "$P/multi-link.pcapng"
stdin_run tunnel-vxlan-linux "$P/tunnel-vxlan-linux.pcap"
STDIN=(demo mixed wrong-protocol icmp10 edt big multi-link tunnel-vxlan-linux)

# Everything through tshark: each file of the audits checked file by file on its own (does it open?),
# the sets that are only compared by their packets concatenated, one tshark each.
set --
for label in "${GOLDEN[@]}" "${EXTRA[@]}"; do
	set -- "$@" "$TMP/ev/$label" "$TMP/ts/$label"
done
dissect_dirs "$@"
for label in edt-f1 reuse-f1 reuse-syn-f1 mixed-p8 wrong-p8 demo-f1; do
	dissect_merged "$TMP/ev/$label" "$TMP/ts/$label"
done
for label in "${STDIN[@]}"; do
	dissect_merged "$TMP/evs/$label" "$TMP/ts/stdin-$label"
done

for label in "${GOLDEN[@]}" "${EXTRA[@]}"; do
	verify "$label" "$TMP/ev" "$TMP/ts/$label"
done

########################################################################################################
# 3: the comments on the deciding packets
E=$TMP/ev/demo T=$TMP/ts/demo
comment demo "$E" "$T" 'F-*-blocked-tcp-2598.pcapng' '^SYN, no answer' '$7 == 1'
comment demo "$E" "$T" 'F-*-blocked-tcp-2598.pcapng' '^SYN retransmitted \([0-9]+\), no answer' '$7 == 1'
comment demo "$E" "$T" 'F-*-blocked-tcp-7279.pcapng' '^RST from the host, nothing listening: TTL 64, the host.s own' '$8 == 1 && $9 == 64'
comment demo "$E" "$T" 'F-*-blocked-tcp-443.pcapng' '^ICMP admin prohibited from 198\.18\.3\.30 quoting this flow' '$1 == "ERR"'
comment demo "$E" "$T" 'F-*-interrupted-tcp-80.pcapng' '^RST from the responder ends the established session' '$8 == 1'
comment demo "$E" "$T" 'F-*-blocked-udp-1494.pcapng' '^datagram, no answer'
comment demo "$E" "$T" 'F-*-unexpected-tcp-8080.pcapng' '^first packet of a flow no rule of the matrix allows \(unexpected\)' '$7 == 1'
comment demo "$E" "$T" 'F-*-unexpected-udp-9999.pcapng' '^ICMP destination-unreachable \(code 3\) from 198\.18\.3\.10 quoting this flow' '$1 == "ERR"'
check "demo: the section comments give the reason and the rule" eval \
	'capinfos "$E"/F-*-blocked-tcp-7279.pcapng 2>/dev/null | grep -q "Capture comment: *reason: rst-from-host" &&
	 capinfos "$E"/F-*-blocked-tcp-7279.pcapng 2>/dev/null | grep -q "Capture comment: *rule: citrix-licensing/component-to-vendor-daemon" &&
	 capinfos "$E"/F-*-not-visible-tcp-443.pcapng 2>/dev/null | grep -q "Capture comment: *no packets: .*the evidence is the absence"'
# verdict-rst-origin (pcaps/README.md): the router's RST for TCP 2598 has TTL 64, the VDA's packets 63
E=$TMP/ev/rst-origin T=$TMP/ts/rst-origin
comment rst-origin "$E" "$T" 'F-*-blocked-tcp-2598.pcapng' "^RST from path: TTL 64, host.s 63" '$8 == 1 && $9 == 64'
comment rst-origin "$E" "$T" 'F-*-blocked-tcp-7279.pcapng' '^RST from the host, nothing listening: TTL 63, the host.s own' '$8 == 1 && $9 == 63'
comment rst-origin "$E" "$T" 'F-*-blocked-tcp-27000.pcapng' '^RST answering the SYN' '$8 == 1'
check "rst-origin: the rst-from-path file says so in its section comment" eval \
	'capinfos "$E"/F-*-blocked-tcp-2598.pcapng 2>/dev/null | grep -q "Capture comment: *reason: rst-from-path"'
comment tcp-rejected "$TMP/ev/tcp-rejected" "$TMP/ts/tcp-rejected" 'F-*-blocked-tcp-27000.pcapng' '^RST answering the SYN' '$8 == 1'
comment middlebox-reset "$TMP/ev/middlebox-reset" "$TMP/ts/middlebox-reset" 'F-*-middlebox-reset-tcp-1494.pcapng' \
	'^RST forged by a device in the path: TTL 64 where this side.s packets have 63' '$8 == 1 && $9 == 64'
comment tcp-syn-dropped "$TMP/ev/tcp-syn-dropped" "$TMP/ts/tcp-syn-dropped" 'F-*-blocked-tcp-2598.pcapng' '^SYN retransmitted \(3\), no answer' '$7 == 1'
comment icmp-admin-prohibited "$TMP/ev/icmp-admin-prohibited" "$TMP/ts/icmp-admin-prohibited" 'F-*-blocked-tcp-8080.pcapng' \
	'^ICMP admin prohibited from (198\.18\.1\.2|2001:db8:1::2) quoting this flow' '$1 == "ERR"'
comment tcp-reset-midway "$TMP/ev/tcp-reset-midway" "$TMP/ts/tcp-reset-midway" 'F-*-interrupted-tcp-7279.pcapng' \
	'^RST from the responder ends the established session before the FIN exchange' '$8 == 1'
comment wrong-protocol "$TMP/ev/wrong-protocol" "$TMP/ts/wrong-protocol" 'F-*-wrong-protocol-tcp-2598.pcapng' \
	"^payload: the port.s rule expects another protocol"
comment udp-one-way "$TMP/ev/udp-one-way" "$TMP/ts/udp-one-way" 'F-*-blocked-udp-2598.pcapng' '^datagram, no answer'

########################################################################################################
# 4: the bounds
ix() { jq -r "$2" "$TMP/ev/$1/index.json" 2>/dev/null; }
# verdict-edt-clients: 32 blocked UDP 1494 flows; the file has the first 20 by time, or 1
check "edt: the blocked finding's file has 20 of its 32 flows, the first 20 by time" eval \
	'[ "$(ix edt ".files[] | select(.kind == \"blocked\") | \"\(.flows) \(.flows_total) \(.uids | length)\"")" = "20 32 20" ] &&
	 [ "$(ix edt ".files[] | select(.kind == \"blocked\") | .uids[]" | sort)" = \
	   "$(awk -F"\t" -v id="$(ix edt ".files[] | select(.kind == \"blocked\") | .id")" "\$1 == id { print \$5, \$2 }" "$TMP/ts/edt.conn" |
	      sort -n | head -20 | cut -d" " -f2 | sort)" ]'
check "edt: the blocked file holds 60 datagrams (20 flows of 3)" eval \
	'[ "$(grep -c ^PKT "$TMP/ts/edt/$(ix edt ".files[] | select(.kind == \"blocked\") | .file").rows")" -eq 60 ]'
check "edt --evidence-flows 1: every flow finding has 1 flow, the first by time; flows_total the count" eval \
	'[ "$(ix edt-f1 ".bounds.flows_per_finding")" = 1 ] &&
	 [ "$(ix edt-f1 "[.files[] | select(.kind == \"blocked\" or .kind == \"fallback\") | .flows == 1 and (.uids | length) == 1 and .flows_total == 32] | all")" = true ] &&
	 [ "$(ix edt-f1 ".files[] | select(.kind == \"blocked\") | .uids[0]")" = \
	   "$(awk -F"\t" -v id="$(ix edt-f1 ".files[] | select(.kind == \"blocked\") | .id")" "\$1 == id { print \$5, \$2 }" "$TMP/ts/edt.conn" | sort -n | head -1 | cut -d" " -f2)" ] &&
	 [ "$(grep -c ^PKT "$TMP/ts/edt-f1/$(ix edt-f1 ".files[] | select(.kind == \"blocked\") | .file").rows")" -eq 3 ]'
check "demo --evidence-flows 1: the same files, each with its one flow" eval \
	'[ "$(ix demo-f1 "[.files[].file] | sort")" = "$(ix demo "[.files[].file] | sort")" ] &&
	 [ "$(ix demo-f1 "[.files[] | select(.flows_total > 0) | .flows == 1] | all")" = true ]'
# the same 5-tuple twice: --evidence-flows 1 keeps the first flow's packets only (by time, not by tuple)
check "reuse (tcp-complete twice, 30 s apart): 2 flows, 24 packets; --evidence-flows 1: the first flow, 12 packets" eval \
	'[ "$(ix reuse "[.files[] | .flows, .flows_total, .packets] | join(\" \")")" = "2 2 24" ] &&
	 [ "$(ix reuse-f1 "[.files[] | .flows, .flows_total, .packets] | join(\" \")")" = "1 2 12" ] &&
	 f=$(ix reuse-f1 ".files[0].file") && [ "$(awk -F"\t" "{ print \$3 }" "$TMP/ts/reuse-f1/$f.rows")" = \
	   "$(awk -F"\t" "{ print \$3 }" "$TMP/ts/reuse/$f.rows" | head -12)" ] &&
	 [ "$(ix reuse-f1 ".files[0].uids[0]")" = "$(awk -F"\t" "{ print \$5, \$2 }" "$TMP/ts/reuse.conn" | sort -n | head -1 | cut -d" " -f2)" ]'
check "reuse-syn (tcp-syn-dropped twice, 5000 s apart): 2 flows, 6 SYNs; --evidence-flows 1: the first 3" eval \
	'[ "$(ix reuse-syn "[.files[] | .flows, .flows_total, .packets] | join(\" \")")" = "2 2 6" ] &&
	 [ "$(ix reuse-syn-f1 "[.files[] | .flows, .flows_total, .packets] | join(\" \")")" = "1 2 3" ] &&
	 f=$(ix reuse-syn-f1 ".files[0].file") && [ "$(awk -F"\t" "{ print \$3 }" "$TMP/ts/reuse-syn-f1/$f.rows")" = \
	   "$(awk -F"\t" "{ print \$3 }" "$TMP/ts/reuse-syn/$f.rows" | head -3)" ]'
# --evidence-packets 8: per flow the first 4 and the last 4 of the full file's packets, ICMP errors as
# they were; packets_cut the rest
packets8() {
	local label=$1 full=$2 f bad="" cut n
	for f in $(ix "$label" '.files[].file'); do
		cmp -s <(headtail 1000000 0 "$TMP/ts/$label/$f.rows") <(headtail 4 4 "$TMP/ts/$full/$f.rows") ||
			bad="$bad $f"
		cmp -s <(errs "$TMP/ts/$label/$f.rows") <(errs "$TMP/ts/$full/$f.rows") || bad="$bad $f(icmp)"
		cut=$(awk -F'\t' '$1 == "PKT" { n[$2]++ } END { for (k in n) if (n[k] > 8) c += n[k] - 8; print c + 0 }' "$TMP/ts/$full/$f.rows")
		[ "$(ix "$label" ".files[] | select(.file == \"$f\") | .packets_cut")" = "$cut" ] || bad="$bad $f(packets_cut)"
	done
	n=$(ix "$label" '[.files[] | select(.packets_cut > 0)] | length')
	check "$label: --evidence-packets 8 keeps the first 4 and last 4 of each flow, packets_cut the rest ($n files cut)" \
		eval '[ -z "$bad" ] && [ "$n" -gt 0 ] && [ "$(ix "$label" .bounds.packets_per_flow)" = 8 ]'
	[ -z "$bad" ] || echo "#   differ:$bad"
}
packets8 mixed-p8 mixed
packets8 wrong-p8 wrong-protocol
# the default 200 on the 3290-packet flow: its first 196 and last 4, as the input has them
# shellcheck disable=SC2034 # used in the checks' eval
BIGF=$(ix big '.files[] | select(.port == "tcp/1494") | .file')
tshark -n -r "$P/verdict-rotated-whole.pcap" -Y 'tcp.port == 46201' -T fields -e frame.time_epoch -e frame.len \
	2>/dev/null >"$TMP/big-flow.txt"
check "big: the 3290-packet flow keeps its first 196 and last 4 packets (default 200), packets_cut 3090" eval \
	'[ "$(wc -l <"$TMP/big-flow.txt")" -eq 3290 ] &&
	 [ "$(ix big ".files[] | select(.port == \"tcp/1494\") | \"\(.packets) \(.packets_cut)\"")" = "200 3090" ] &&
	 cmp -s <(awk -F"\t" "{ print \$3 \"\t\" \$4 }" "$TMP/ts/big/$BIGF.rows") \
	        <(awk "NR <= 196 || NR > 3286" "$TMP/big-flow.txt")'
check "icmp10: 10 datagrams, of the 10 ICMP errors quoting them the first 8" eval \
	'[ "$(ix icmp10 ".files[] | \"\(.packets) \(.icmp_errors)\"")" = "18 8" ] &&
	 f=$(ix icmp10 ".files[0].file") && [ "$(grep -c ^PKT "$TMP/ts/icmp10/$f.rows")" -eq 10 ] &&
	 [ "$(errs "$TMP/ts/icmp10/$f.rows" | cut -f1)" = \
	   "$(tshark -n -r "$TMP/icmp10.pcap" -Y icmp -T fields -e frame.time_epoch 2>/dev/null | sort | head -8)" ]'

########################################################################################################
# 5: --workers 1 gives the same bytes as --workers 2
mkdir -p "$TMP/ev1"
bad=""
n=0
for name in "${GOLDEN[@]}"; do
	pcap=$P/$name.pcap
	[ -f "$pcap" ] || pcap=$P/$name.pcapng
	args=()
	[ -f "$GOLD/$name.args" ] && read -ra args <"$GOLD/$name.args"
	evrun "$name" "$TMP/ev1" --workers 1 -r "$pcap" "${args[@]}"
	if [ -d "$TMP/ev/$name" ] || [ -d "$TMP/ev1/$name" ]; then
		diff -r "$TMP/ev/$name" "$TMP/ev1/$name" >/dev/null 2>&1 || bad="$bad $name"
		n=$((n + 1))
	fi
done
check "--workers 1 and 2: byte-identical evidence folders for the $n golden captures that have one" eval '[ -z "$bad" ]'
[ -z "$bad" ] || echo "#   differ:$bad"
evrun demo "$TMP/ev1" --workers 1 -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml"
evrun edt "$TMP/ev1" --workers 1 -r "$P/verdict-edt-clients.pcap" --site "$P/site-edt-clients.yaml"
evrun big "$TMP/ev1" --workers 1 -r "$P/verdict-rotated-whole.pcap" --site "$TMP/site-big.yaml"
evrun demo-w4 "$TMP/ev1" --workers 4 -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml"
for label in demo edt big; do
	check "$label: --workers 1 and 2 give byte-identical files and index.json" \
		eval '[ -s "$TMP/ev1/$label/index.json" ] && diff -r "$TMP/ev/$label" "$TMP/ev1/$label" >/dev/null'
done
check "demo: --workers 4 too" eval 'diff -r "$TMP/ev/demo" "$TMP/ev1/demo-w4" >/dev/null'

# The rotated files in reverse order: the same packets, in time order (the second pass over 5 inputs)
evrun rot "$TMP/ev1" -r "$P/verdict-rotated" --site "$TMP/site-big.yaml"
rargs=()
for f in $(ls "$P/verdict-rotated" | sort -r); do rargs+=(-r "$P/verdict-rotated/$f"); done
evrun rot-rev "$TMP/ev1" "${rargs[@]}" --site "$TMP/site-big.yaml"
dissect_merged "$TMP/ev1/rot" "$TMP/ts/rot"
dissect_merged "$TMP/ev1/rot-rev" "$TMP/ts/rot-rev"
bad=""
for f in $(jq -r '.files[].file' "$TMP/ev1/rot/index.json" 2>/dev/null); do
	cmp -s <(cut -f3,4 "$TMP/ts/rot/$f.rows") <(cut -f3,4 "$TMP/ts/rot-rev/$f.rows" 2>/dev/null) || bad="$bad $f"
	cmp -s <(cut -f3 "$TMP/ts/rot-rev/$f.rows" 2>/dev/null) <(cut -f3 "$TMP/ts/rot-rev/$f.rows" 2>/dev/null | sort -n) || bad="$bad $f(order)"
done
check "verdict-rotated in reverse order: the same packets as in glob order, in time order" eval \
	'[ -z "$bad" ] && [ "$(jq ".files | length" "$TMP/ev1/rot/index.json")" -gt 0 ] &&
	 [ "$(jq -c "[.files[].file]" "$TMP/ev1/rot/index.json")" = "$(jq -c "[.files[].file]" "$TMP/ev1/rot-rev/index.json")" ]'
[ -z "$bad" ] || echo "#   differ:$bad"

# A gzip-compressed input is read twice as well: the files of the plain capture
gzip -c "$P/mixed.pcap" >"$TMP/mixed.pcap.gz"
evrun mixed-gz "$TMP/ev1" -r "$TMP/mixed.pcap.gz"
dissect_merged "$TMP/ev1/mixed-gz" "$TMP/ts/mixed-gz"
bad=""
for f in $(jq -r '.files[].file' "$TMP/ev/mixed/index.json" 2>/dev/null); do
	cmp -s <(cut -f1-4,10 "$TMP/ts/mixed/$f.rows") <(cut -f1-4,10 "$TMP/ts/mixed-gz/$f.rows" 2>/dev/null) || bad="$bad $f"
done
check "mixed.pcap.gz: the files, packets and comments of mixed.pcap" eval \
	'[ -z "$bad" ] && [ "$(jq -c "[.files[] | del(.rule)]" "$TMP/ev1/mixed-gz/index.json")" = "$(jq -c "[.files[] | del(.rule)]" "$TMP/ev/mixed/index.json")" ]'
[ -z "$bad" ] || echo "#   differ:$bad"

########################################################################################################
# 6: standard input: "source": "buffers"; a flow of at most 20 packets whole, a longer one its first 16
# and last 4 (EVIDENCE_HEAD_LIVE, EVIDENCE_TAIL), against the second pass's file (which has at least
# the first 196 and last 4 of each flow); the same ICMP errors.
for label in "${STDIN[@]}"; do
	full=$label
	bad=""
	[ "$(jq -r .source "$TMP/evs/$label/index.json" 2>/dev/null)" = buffers ] || bad="$bad source"
	[ "$(jq -c '[.files[].file]' "$TMP/evs/$label/index.json" 2>/dev/null)" = \
		"$(jq -c '[.files[].file]' "$TMP/ev/$full/index.json" 2>/dev/null)" ] || bad="$bad file-list"
	[ "$(jq -c '[.files[].uids]' "$TMP/evs/$label/index.json" 2>/dev/null)" = \
		"$(jq -c '[.files[].uids]' "$TMP/ev/$full/index.json" 2>/dev/null)" ] || bad="$bad uids"
	for f in $(jq -r '.files[].file' "$TMP/ev/$full/index.json" 2>/dev/null); do
		cmp -s <(headtail 1000000 0 "$TMP/ts/stdin-$label/$f.rows") <(headtail 16 4 "$TMP/ts/$full/$f.rows") ||
			bad="$bad $f"
		cmp -s <(errs "$TMP/ts/stdin-$label/$f.rows") <(errs "$TMP/ts/$full/$f.rows") || bad="$bad $f(icmp)"
		# the comments: the same on the packets both files have
		awk -F'\t' 'NR == FNR { c[$2 FS $3 FS $4] = $10; next } ($2 FS $3 FS $4) in c && c[$2 FS $3 FS $4] != $10 { bad = 1 }
			END { exit bad }' "$TMP/ts/$full/$f.rows" "$TMP/ts/stdin-$label/$f.rows" || bad="$bad $f(comments)"
	done
	check "-r - < $label: source buffers, the files and flows of the second pass, the same packets (16 + 4 per long flow) and comments" \
		eval '[ -z "$bad" ]'
	[ -z "$bad" ] || echo "#   differ:$bad"
done
check "-r - < verdict-rotated-whole: the 3290-packet flow keeps 20 packets, the first 16 and the last 4" eval \
	'cmp -s <(awk -F"\t" "{ print \$3 \"\t\" \$4 }" "$TMP/ts/stdin-big/$BIGF.rows") <(awk "NR <= 16 || NR > 3286" "$TMP/big-flow.txt")'

# Every golden capture through standard input: each file holds, of each of its flows (the conn log's
# packet counts), the packets up to 20 (16 + 4 of a longer one), plus its ICMP errors.
STDIN_JQ='($c | map({key: .uid, value: (.orig_pkts + .resp_pkts)}) | from_entries) as $n | $i[0] |
	(if .source != "buffers" then "source \(.source)" else empty end),
	(.files[] | ([.uids[] | $n[.] | if . > 20 then 20 else . end] | add // 0) as $want |
	 select(.packets != $want + .icmp_errors) |
	 "\(.file): \(.packets) packets (\(.icmp_errors) ICMP errors), its flows \([.uids[] | $n[.]]) packets"),
	(.files[] | ([.uids[] | $n[.] | if . > 20 then . - 20 else 0 end] | add // 0) as $cut | select(.packets_cut != $cut) |
	 "\(.file): packets_cut \(.packets_cut), its flows \([.uids[] | $n[.]]) packets")'
bad=""
n=0
for name in "${GOLDEN[@]}"; do
	[ -s "$TMP/ev/$name.json" ] || continue
	pcap=$P/$name.pcap
	[ -f "$pcap" ] || pcap=$P/$name.pcapng
	args=()
	[ -f "$GOLD/$name.args" ] && read -ra args <"$GOLD/$name.args"
	evrun "$name" "$TMP/evs" -r - "${args[@]}" <"$pcap"
	got=$(jq -n -r --slurpfile i "$TMP/evs/$name/index.json" --slurpfile c "$TMP/ev/$name.conn" "$STDIN_JQ" 2>&1)
	[ -z "$got" ] || bad="$bad
#   $name: $(echo "$got" | head -3 | paste -sd' ')"
	n=$((n + 1))
done
check "-r - on the $n golden captures with a report: every file holds min(20, packets) of each of its flows" eval '[ -z "$bad" ]'
[ -z "$bad" ] || echo "${bad#?}"

# multi-link.pcapng: two link types, one IDB each, the packets on the IDB of their link type
ML=$(jq -r '.files[0].file' "$TMP/ev/multi-link/index.json" 2>/dev/null)
for where in ev evs; do
	f=$TMP/$where/multi-link/$ML
	capinfos "$f" >"$TMP/ml-$where.capinfos" 2>&1
	tshark -n -r "$f" -T fields -e frame.interface_id -e frame.encap_type 2>/dev/null | sort | uniq -c |
		awk '{ print $2, $3, $1 }' >"$TMP/ml-$where.ifaces"
	check "multi-link ($where): 2 IDBs, Ethernet and Linux cooked v2, 10 and 9 packets on them" eval \
		'grep -q "^Number of interfaces in file: 2" "$TMP/ml-$where.capinfos" &&
		 [ "$(grep -c "Encapsulation = Ethernet (1 - ether)" "$TMP/ml-$where.capinfos")" -eq 1 ] &&
		 [ "$(grep -c "Encapsulation = Linux cooked-mode capture v2 (210 - linux-sll2)" "$TMP/ml-$where.capinfos")" -eq 1 ] &&
		 [ "$(cat "$TMP/ml-$where.ifaces")" = "$(printf "0 1 10\n1 210 9")" ]'
done

# The packets are the input's, byte for byte (MD5 of each frame), with its time stamps (flowaudit reads
# time stamps in microseconds: a finer input is compared truncated to the microsecond).
fidelity() {
	local label=$1 pcap=$2 f
	tshark -n -o frame.generate_md5_hash:TRUE -r "$pcap" -T fields -e frame.time_epoch -e frame.md5_hash 2>/dev/null |
		awk -F'\t' '{ split($1, t, "."); printf "%s.%s000\t%s\n", t[1], substr(t[2], 1, 6), $2 }' | sort -u >"$TMP/fid-$label.in"
	for f in "$TMP/ts/$label"/*.rows; do
		awk -F'\t' 'BEGIN { OFS = "\t" } { print $3, $6 }' "$f"
	done | sort -u >"$TMP/fid-$label.ev"
	check "$label: every evidence packet is a packet of the input, bytes and time stamp ($(wc -l <"$TMP/fid-$label.ev"))" \
		eval '[ -s "$TMP/fid-$label.ev" ] && [ -z "$(comm -23 "$TMP/fid-$label.ev" "$TMP/fid-$label.in")" ]'
}
fidelity demo "$P/audit-demo.pcap"
fidelity mixed "$P/mixed.pcap"
fidelity multi-link "$P/multi-link.pcapng"
fidelity stdin-multi-link "$P/multi-link.pcapng"
fidelity tunnel-vxlan-linux "$P/tunnel-vxlan-linux.pcap"
fidelity middlebox-reset "$P/middlebox-reset.pcap"
fidelity link-sll2 "$P/link-sll2.pcap"

########################################################################################################
# 7: errors
touch "$TMP/a-file"
run notdir "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --evidence "$TMP/a-file" -o /dev/null
check "--evidence on a regular file: exit 2, one line 'not a folder'" eval 'status_is notdir 2 && one_line_error notdir "not a folder"'
run flowsalone "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --evidence-flows 3 -o /dev/null
check "--evidence-flows without --evidence: exit 2, one usage line" eval 'status_is flowsalone 2 && one_line_error flowsalone "--evidence DIR"'
run pktsalone "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --evidence-packets 8 -o /dev/null
check "--evidence-packets without --evidence: exit 2, one usage line" eval 'status_is pktsalone 2 && one_line_error pktsalone "--evidence DIR"'
run flows0 "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --evidence "$TMP/f0" --evidence-flows 0 -o /dev/null
check "--evidence-flows 0: exit 2, one line, no evidence" eval 'status_is flows0 2 && one_line_error flows0 "evidence-flows" && [ -z "$(find "$TMP/f0" -type f 2>/dev/null)" ]'
run missing "$FLOWAUDIT" -q -r "$TMP/no-such.pcap" --evidence "$TMP/failed1" -o /dev/null
check "a missing input: exit 2, no evidence file" eval 'status_is missing 2 && [ -z "$(find "$TMP/failed1" -type f 2>/dev/null)" ]'
mkdir "$TMP/failed2"
run missing2 "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" -r "$TMP/no-such.pcap" --site "$P/site-demo.yaml" --evidence "$TMP/failed2" -o /dev/null
check "a good input then a missing one: exit 2, nothing in the existing folder" eval 'status_is missing2 2 && [ -z "$(ls -A "$TMP/failed2")" ]'
run badsite "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$P/README.md" --evidence "$TMP/failed3" -o /dev/null
check "a bad site file: exit 2, no evidence file" eval 'status_is badsite 2 && [ -z "$(find "$TMP/failed3" -type f 2>/dev/null)" ]'

# A file that cannot be written (a folder in its place): the others are, index.json says which was
# not (written false), one error line, exit 2, and no temporary is left
mkdir -p "$TMP/blocked-target/$(jq -r '.files[] | select(.kind == "blocked" and .port == "tcp/2598") | .file' "$TMP/ev/demo/index.json")"
run unwritable "$FLOWAUDIT" -q --fail-on none -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml" --evidence "$TMP/blocked-target" -o /dev/null
check "a folder in the place of one file: exit 2, one line naming it, written false there only, the rest written" eval \
	'status_is unwritable 2 && one_line_error unwritable "F-[0-9a-f]*-blocked-tcp-2598.pcapng: " &&
	 [ "$(jq -c "[.files[] | select(.written | not) | .kind + \" \" + .port]" "$TMP/blocked-target/index.json")" = "[\"blocked tcp/2598\"]" ] &&
	 [ "$(ls "$TMP/blocked-target" | grep -c "pcapng$")" -eq "$(jq ".files | length" "$TMP/ev/demo/index.json")" ] &&
	 [ -z "$(find "$TMP/blocked-target" -name ".*.flowaudit-*")" ]'

########################################################################################################
# The HTML report links the files relative to its own folder: -o out/r.html --evidence ev gives ../ev/
mkdir -p "$TMP/href/out"
(cd "$TMP/href" && "$FLOWAUDIT" -q --fail-on none -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml" \
	--evidence ev --format html -o out/r.html)
check "HTML: the links are relative to the report's folder (../ev/F-...pcapng, ../ev/index.json)" eval \
	'grep -q "href=\"../ev/index.json\"" "$TMP/href/out/r.html" &&
	 [ "$(grep -o "href=\"../ev/F-[0-9a-f]*-[a-z-]*-[a-z0-9-]*\.pcapng\"" "$TMP/href/out/r.html" | sort -u | wc -l)" -eq \
	   "$(jq ".files | length" "$TMP/href/ev/index.json")" ]'

########################################################################################################
# 8: no temporary left in any evidence folder
check "no temporary (.*.flowaudit-*) left in any evidence folder" eval \
	'[ -z "$(find "$TMP/ev" "$TMP/ev1" "$TMP/evs" -name ".*.flowaudit-*" 2>/dev/null)" ]'

finish
