#!/usr/bin/env bash
# cli: the command line as a user meets it: help, errors, exit status, inputs, filters, outputs
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
FA=("$FLOWAUDIT" -q --fail-on none)


run help "$FLOWAUDIT" --help
check "--help exits 0 and shows usage" eval 'status_is help 0 && grep -q "^usage: flowaudit" "$TMP/help.out"'
run version "$FLOWAUDIT" --version
check "--version names the version" eval 'status_is version 0 && grep -Eq "^flowaudit [0-9]+\.[0-9]+" "$TMP/version.out"'

run noargs "$FLOWAUDIT"
check "no input: one line, exit 2" eval 'status_is noargs 2 && one_line_error noargs "nothing to read"'
run badopt "$FLOWAUDIT" --no-such-option -r "$P/tcp-complete.pcap"
check "unknown option: one line, exit 2" eval 'status_is badopt 2 && one_line_error badopt "unknown option"'
run badfmt "$FLOWAUDIT" --format xml -r "$P/tcp-complete.pcap"
check "bad --format value: one line, exit 2" eval 'status_is badfmt 2 && one_line_error badfmt "format"'

run missing "${FA[@]}" -r "$TMP/nope.pcap"
check "missing file: one line naming it, exit 2" eval 'status_is missing 2 && one_line_error missing "nope.pcap"'

echo "this is not a capture, just text long enough to fill a header" >"$TMP/text.pcap"
run notpcap "${FA[@]}" -r "$TMP/text.pcap"
check "not a capture: one line naming it, exit 2" eval 'status_is notpcap 2 && one_line_error notpcap "text.pcap"'

# A pcap header (little-endian, v2.4, snaplen 65535) with link type 6 (IEEE 802.5 Token Ring).
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x06\x00\x00\x00' >"$TMP/tokenring.pcap"
run linktype "${FA[@]}" -r "$TMP/tokenring.pcap"
check "unsupported link type: named, exit 2" eval 'status_is linktype 2 && one_line_error linktype "unsupported link type"'

run badfilter "${FA[@]}" -r "$P/tcp-complete.pcap" 'port nonsense and'
check "bad BPF filter: one line, exit 2" eval 'status_is badfilter 2 && one_line_error badfilter "bad filter"'

# A file cut in the middle of a record: what came before is still reported.
size=$(stat -c %s "$P/mixed.pcap")
head -c $((size - 30)) "$P/mixed.pcap" >"$TMP/cut.pcap"
run cut "${FA[@]}" -r "$TMP/cut.pcap" --conn-log "$TMP/cut.json"
check "truncated file: exit 2 with one line naming it" eval 'status_is cut 2 && one_line_error cut "cut.pcap"'
check "truncated file: the report still comes out" grep -q '^flows' "$TMP/cut.out"
check "truncated file: the conn log has the flows before the damage" test -s "$TMP/cut.json"

# Several inputs are read in order; stdin works; the filter applies.
run whole "${FA[@]}" -r "$P/mixed.pcap" --conn-log "$TMP/whole.json"
check "mixed.pcap: exit 0" status_is whole 0
run stdin sh -c "'$FLOWAUDIT' -q --fail-on none -r - --conn-log '$TMP/stdin.json' <'$P/mixed.pcap'"
# (the same lines: with several workers they come in another order)
check "-r - reads stdin: same conn log as the file" eval 'status_is stdin 0 && cmp -s <(sort "$TMP/stdin.json") <(sort "$TMP/whole.json")'
run two "${FA[@]}" -r "$P/tcp-complete.pcap" -r "$P/udp-exchange.pcap" --conn-log "$TMP/two.json"
check "two -r files: both read" eval 'status_is two 0 && [ "$(jq -s "length" "$TMP/two.json")" -eq \
	$(( $(grep -vc "^#" "$SRCDIR/tests/golden/tcp-complete.expect") + $(grep -vc "^#" "$SRCDIR/tests/golden/udp-exchange.expect") )) ]'
check "two -r files: both named in the report" eval 'grep -q tcp-complete "$TMP/two.out" && grep -q udp-exchange "$TMP/two.out"'
run filt "${FA[@]}" -r "$P/mixed.pcap" --conn-log "$TMP/filt.json" udp
check "a BPF filter keeps only what it matches" eval 'status_is filt 0 && [ -s "$TMP/filt.json" ] &&
	[ "$(jq -r .proto "$TMP/filt.json" | sort -u)" = udp ]'
run filt2 "${FA[@]}" -r "$P/mixed.pcap" --conn-log "$TMP/filt2.json" not net 198.18.0.0/15 and not net 2001:db8::/32
check "a filter matching nothing: no flows, exit 0" eval 'status_is filt2 0 && [ ! -s "$TMP/filt2.json" ]'

# Outputs: JSON report, conn log on stdout, -o.
run json "${FA[@]}" -r "$P/mixed.pcap" --format json
check "--format json is one JSON document with summary and capture" eval 'status_is json 0 &&
	jq -e ".summary.flows > 0 and .capture.packets > 0 and (.capture.decode | has(\"ok\"))" "$TMP/json.out" >/dev/null'
check "JSON report agrees with the conn log on the number of flows" eval \
	'[ "$(jq .summary.flows "$TMP/json.out")" -eq "$(wc -l <"$TMP/whole.json")" ]'
run stdout "${FA[@]}" -r "$P/mixed.pcap" --conn-log -
check "--conn-log - writes JSON Lines to stdout, the report to stderr" eval 'status_is stdout 0 &&
	jq -e -s "length > 0" "$TMP/stdout.out" >/dev/null && grep -q "^flows" "$TMP/stdout.err"'
run ofile "${FA[@]}" -r "$P/mixed.pcap" -o "$TMP/report.txt"
check "-o FILE: the report goes there, stdout stays empty" eval 'status_is ofile 0 && [ ! -s "$TMP/ofile.out" ] &&
	grep -q "^flows" "$TMP/report.txt"'
check "every conn log line has Zeek's fields" eval 'jq -e -s "all(.[]; has(\"ts\") and has(\"uid\") and
	has(\"id.orig_h\") and has(\"id.orig_p\") and has(\"id.resp_h\") and has(\"id.resp_p\") and has(\"proto\") and
	has(\"conn_state\") and has(\"orig_pkts\") and has(\"orig_ip_bytes\") and has(\"resp_pkts\") and
	has(\"resp_ip_bytes\") and (.community_id | startswith(\"1:\")))" "$TMP/whole.json" >/dev/null'
check "uids are unique" eval '[ "$(jq -r .uid "$TMP/whole.json" | sort | uniq -d | wc -l)" -eq 0 ]'

# Exit status follows --fail-on: mixed.pcap has blocked flows (port-only mode).
run failon "$FLOWAUDIT" -q -r "$P/mixed.pcap"
check "findings in the default --fail-on: exit 1" status_is failon 1
run failon2 "$FLOWAUDIT" -q -r "$P/mixed.pcap" --fail-on pending
check "--fail-on a kind that is absent: exit 0" status_is failon2 0
run failon3 "$FLOWAUDIT" -q -r "$P/mixed.pcap" --fail-on blocked,nonsense
check "--fail-on with an unknown kind: one line, exit 2" eval 'status_is failon3 2 && one_line_error failon3 "nonsense"'
run clean "$FLOWAUDIT" -q -r "$P/udp-exchange.pcap"
check "a capture with no finding: exit 0" status_is clean 0
# tcp-complete.pcap's session on 1494 carries netpeer's bytes, not ICA: the payload says so.
run notica "$FLOWAUDIT" -q -r "$P/tcp-complete.pcap"
check "TCP 1494 without the ICA banner: wrong-protocol, exit 1" eval 'status_is notica 1 && grep -q "^wrong-protocol tcp/1494 .*1 flow" "$TMP/notica.out" && grep -q "not the ICA banner" "$TMP/notica.out"'
run notica2 "$FLOWAUDIT" -q --no-inspect -r "$P/tcp-complete.pcap"
check "--no-inspect: no payload finding, exit 0" status_is notica2 0
run blnoo "$FLOWAUDIT" baseline save -r "$P/mixed.pcap"
check "baseline save without -o: one line, exit 2" eval 'status_is blnoo 2 && one_line_error blnoo "needs -o"'
run blsub "$FLOWAUDIT" baseline compare x.json
check "baseline with an unknown subcommand: one line, exit 2" eval 'status_is blsub 2 && one_line_error blsub "baseline save"'
run blmiss "$FLOWAUDIT" baseline diff "$TMP/nope.json" -r "$P/mixed.pcap"
check "baseline diff of a missing file: one line naming it, exit 2" eval 'status_is blmiss 2 &&
	one_line_error blmiss "nope.json"'

# Rules and site errors: one line naming file, line and column; exit 2.
printf 'matrix: m\nrules:\n  - id: a\n    category: ica-hdx\n    from: vda\n    to: ddc\n    proto: tcp\n    ports: [70000]\n' >"$TMP/bad.yaml"
run badrule "$FLOWAUDIT" -q -r "$P/mixed.pcap" --rules "$TMP/bad.yaml"
check "a bad rule file: file:line:col and what, exit 2" eval 'status_is badrule 2 &&
	one_line_error badrule "bad.yaml:8:[0-9]*: port 70000 is out of range"'
printf 'site: s\nroles:\n  vdaa: 198.18.1.2\n' >"$TMP/badsite.yaml"
run badsite "$FLOWAUDIT" -q -r "$P/mixed.pcap" --site "$TMP/badsite.yaml"
check "a site with an unknown role: file:line:col, suggestion, exit 2" eval 'status_is badsite 2 &&
	one_line_error badsite "badsite.yaml:3:3: unknown role .vdaa.*did you mean .vda."'
run rcheck "$FLOWAUDIT" rules check
check "rules check: loads the shipped matrices" eval 'status_is rcheck 0 && grep -q "^[0-9]* matrices, [0-9]* rules" "$TMP/rcheck.out"'
run rlist "$FLOWAUDIT" rules list
check "rules list: the seeds' table shape with ICA on 1494" eval 'status_is rlist 0 &&
	grep -q "^Source | Destination | Type | Port | Details" "$TMP/rlist.out" && grep -q "workspace-app.* | vda | TCP | 1494 |" "$TMP/rlist.out"'
run rbad "$FLOWAUDIT" rules check --rules "$TMP/bad.yaml"
check "rules check on a bad file: one line, exit 2" eval 'status_is rbad 2 && one_line_error rbad "port 70000"'

# Hostile packets: every malformed frame counted by its kind, none a flow; the good session and the ICMP
# error (an error about an error: attached to nothing) are the only flows.
run hostile "${FA[@]}" -r "$P/hostile-packets.pcap" --format json
check "hostile-packets.pcap: decode problems counted per kind" eval 'status_is hostile 0 && jq -e ".capture.decode |
	.ok == 11 and .\"link-truncated\" == 1 and .\"ipv4-bad-ihl\" == 1 and .\"ipv4-bad-length\" == 1 and
	.\"ipv6-bad-length\" == 1 and .\"ipv6-ext-too-many\" == 1 and .\"ipv6-ext-truncated\" == 1 and
	.\"tcp-bad-offset\" == 2 and .\"udp-bad-length\" == 1 and .\"icmp-quote-invalid\" == 1 and
	([to_entries[] | select(.value > 0)] | length) == 10" "$TMP/hostile.out" >/dev/null'
check "hostile-packets.pcap: 20 packets, 2 flows, no ICMP error matched to a flow" eval 'jq -e ".capture.packets == 20 and
	.summary.flows == 2 and .summary.flow_table.icmp_errors_matched == 0" "$TMP/hostile.out" >/dev/null'

# Hostile rule and site files: each one line naming file, line and column, exit 2, at once (no hang, no
# expansion). The big ones are made here, never checked in; big.yaml is sparse.
H=$TMP/hostile
mkdir -p "$H"
# clean_error NAME PATTERN: exit 2, one line on stderr matching PATTERN, nothing on stdout, no control bytes.
clean_error() {
	status_is "$1" 2 && one_line_error "$1" "$2" && [ ! -s "$TMP/$1.out" ] &&
		! LC_ALL=C grep -q '[[:cntrl:]]' "$TMP/$1.err"
}
printf 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' >"$H/lol.yaml"
prev=a
for l in b c d e f g h i; do
	printf '%s: &%s [%s*%s]\n' "$l" "$l" "$(printf "*$prev,%.0s" 1 2 3 4 5 6 7 8)" "$prev" >>"$H/lol.yaml"
	prev=$l
done
head -c 1000000 /dev/zero | tr '\0' '[' >"$H/deep.yaml"
{ printf 'matrix: m\ntitle: '; head -c 1048576 /dev/zero | tr '\0' x; printf '\nrules: []\n'; } >"$H/scalar.yaml"
printf 'matrix: m\nrules: []\n' >"$H/big.yaml"
truncate -s 100M "$H/big.yaml"
printf 'matrix: m\ntitle: Z\374rich\nrules: []\n' >"$H/latin1.yaml"
printf 'matrix: m\000\nrules: []\n' >"$H/nul.yaml"
printf 'matrix: m\nrules: []\nmatrix: n\n' >"$H/dup.yaml"
printf 'matrix: m\nrules:\n  - {id: a, category: other, from: x, to: y, proto: icmp,\n%s\n' \
	'     description: "ok\e[2J\e]0;pwned\a\nrm -rf"}' >"$H/esc.yaml"
printf 'matrix: m\n"\\e[31mred": 1\n"\\e[31mred": 2\n' >"$H/esckey.yaml"
mkfifo "$H/fifo.yaml"
for c in "lol:lol.yaml:1:4: anchors and aliases are not supported: '&a'" \
	"deep:deep.yaml:1:33: nesting deeper than 32 levels" \
	"scalar:scalar.yaml:2:8: scalar longer than 65536 bytes (1048576)" \
	"big:big.yaml: file is 104857600 bytes, more than the limit of 16 MiB" \
	"latin1:latin1.yaml:2:9: invalid leading UTF-8 octet: byte 0xFC" \
	"nul:nul.yaml:1:10: control characters are not allowed" \
	"dup:dup.yaml:3:1: duplicate key 'matrix' (first at line 1, column 1)" \
	"esc:esc.yaml:4:19: 'description' holds the control character U+001B" \
	"esckey:esckey.yaml:3:1: duplicate key '.x1b\[31mred'" \
	"fifo:fifo.yaml: not a file or a folder"; do
	name=${c%%:*}
	run "h$name" timeout 60 "$FLOWAUDIT" rules check --rules "$H/${name}.yaml"
	check "rules check on a hostile rule file ($name): one clean line, exit 2" clean_error "h$name" "${c#*:}"
done
printf 'site: s\nroles:\n  vda: 198.18.10.0/24\n' >"$H/site.yaml"
cp "$H/site.yaml" "$H/bigsite.yaml"
truncate -s 100M "$H/bigsite.yaml"
mkfifo "$H/site.fifo"
for c in "sfifo:site.fifo: is a FIFO, not a regular file" "szero:/dev/zero: is a character device, not a regular file" \
	"sbig:bigsite.yaml: file is 104857600 bytes, more than the limit of 16 MiB" \
	"sdeep:deep.yaml:1:33: nesting deeper than 32 levels"; do
	name=${c%%:*} file=${c#*:}
	file=${file%%:*}
	case $file in /*) ;; *) file=$H/$file ;; esac
	run "$name" timeout 60 "$FLOWAUDIT" rules check --site "$file"
	check "rules check --site on a hostile site file ($name): one clean line, exit 2" clean_error "$name" "${c#*:}"
done

# Output safety: names from files and paths from the command line never reach a terminal or JSON raw.
W=$TMP/evil$'\033[31m\n'.yaml
printf 'matrix: m\ntitle: "Z\303\274rich \342\200\223 matrix"\nrules:\n%s\n%b\n' \
	'  - {id: a, category: ica-hdx, from: workspace-app, to: vda, proto: tcp, ports: 1494,' \
	'     description: "\342\200\234ICA\342\200\235 with UTF-8"}' >"$W"
S=$TMP/site$'\033]0;x\a'.yaml
printf 'site: "Z\303\274rich"\nroles:\n  vda: 198.18.1.2\n  workspace-app: 198.18.1.1\n' >"$S"
C=$TMP/cap$'\033[2J'.pcap
cp "$P/tcp-complete.pcap" "$C"
no_control() { ! LC_ALL=C grep -q '[[:cntrl:]]' "$TMP/$1.out" && ! LC_ALL=C grep -q '[[:cntrl:]]' "$TMP/$1.err"; }
run safecheck env LC_ALL=C "$FLOWAUDIT" rules check --rules "$W" --site "$S"
check "rules check: a file name with ESC and a newline is shown escaped" eval 'status_is safecheck 0 &&
	no_control safecheck && grep -q "evil\\\\x1b\[31m\\\\x0a\.yaml" "$TMP/safecheck.out" &&
	grep -q "site Z\\\\xc3\\\\xbcrich (.*site\\\\x1b\]0;x\\\\x07\.yaml)" "$TMP/safecheck.out"'
run safelist env LC_ALL=C "$FLOWAUDIT" rules list --rules "$W"
check "rules list (C locale): title and description shown escaped, no control bytes" eval 'status_is safelist 0 &&
	no_control safelist && grep -q "^Z\\\\xc3\\\\xbcrich" "$TMP/safelist.out" &&
	grep -q "| \\\\xe2\\\\x80\\\\x9cICA\\\\xe2\\\\x80\\\\x9d with UTF-8 |" "$TMP/safelist.out"'
# Under a UTF-8 locale, valid UTF-8 is shown as it is; control bytes are still escaped.
if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
	run utf8list env LC_ALL=C.UTF-8 "$FLOWAUDIT" rules list --rules "$W"
	check "rules list (UTF-8 locale): curly quotes and accents as they are, no control bytes" eval 'status_is utf8list 0 &&
		no_control utf8list && grep -q "^Zürich" "$TMP/utf8list.out" && grep -q "| “ICA” with UTF-8 |" "$TMP/utf8list.out"'
	run utf8check env LC_ALL=C.UTF-8 "$FLOWAUDIT" rules check --rules "$W" --site "$S"
	check "rules check (UTF-8 locale): a file name with ESC and a newline is still escaped" eval 'status_is utf8check 0 &&
		no_control utf8check && grep -q "evil\\\\x1b\[31m\\\\x0a\.yaml" "$TMP/utf8check.out"'
else
	echo "# skip: no C.UTF-8 locale"
fi
run safetext "${FA[@]}" --color=always -r "$C" --rules "$W" --site "$S"
check "text report: input and site names escaped; only the report's own colour codes" eval 'status_is safetext 0 &&
	grep -q "cap\\\\x1b\[2J\.pcap" "$TMP/safetext.out" && ! grep -q "$(printf "\033\\\\[2J")" "$TMP/safetext.out" &&
	! grep -q "$(printf "\033\\\\]")" "$TMP/safetext.out" && ! grep -q "$(printf "\033")" "$TMP/safetext.err"'
check "a site without scope: one warning naming the file (escaped) that nothing can be unexpected" eval \
	'[ "$(grep -c "no scope" "$TMP/safetext.err")" -eq 1 ] && grep -q "site\\\\x1b\]0;x\\\\x07\.yaml: the site has no scope" "$TMP/safetext.err" &&
	grep -q "the site file has no scope: nothing can be .unexpected." "$TMP/safetext.out"'
run safejson "${FA[@]}" -r "$C" --rules "$W" --site "$S" --format json
check "JSON report: valid, with the names intact" eval 'status_is safejson 0 &&
	jq -e --arg c "$C" ".capture.inputs[0].path == \$c and .summary.site == \"Z\u00fcrich\"" \
		"$TMP/safejson.out" >/dev/null &&
	no_control safejson'
run baddesc "$FLOWAUDIT" -q -r "$C" --rules "$H/esc.yaml" --format json
check "a description with ESC and a newline: refused in one clean line, no report" clean_error baddesc \
	"esc.yaml:4:19: 'description' holds the control character U+001B"

# Live mode's command line: one source at a time, live-only options only with -i.
run both "$FLOWAUDIT" -q -r "$P/mixed.pcap" -i lo
check "-r and -i together: one line, exit 2" eval 'status_is both 2 && one_line_error both "cannot be used together"'
run durfile "$FLOWAUDIT" -q -r "$P/mixed.pcap" --duration 5
check "--duration without -i: one line, exit 2" eval 'status_is durfile 2 && one_line_error durfile "live audits"'
if [ "$(id -u)" -eq 0 ]; then
	run noif "$FLOWAUDIT" -q -i fa-nosuch0
	check "-i on a missing interface: one line naming it, exit 2" eval 'status_is noif 2 &&
		one_line_error noif "fa-nosuch0: no such interface"'
else
	echo "# skipped: -i on a missing interface (needs root to reach the interface check)"
fi

# As root, no output is written through a symbolic link in a folder others can write (/tmp:
# someone there could point it at a file root should not overwrite); the file it points to stays
# as it was. A link in a folder only root can write (/dev/stdout) is root's own, and followed.
if [ "$(id -u)" -eq 0 ]; then
	echo "precious" >"$TMP/precious"
	mkdir -m 1777 "$TMP/shared"
	for what in "-o" "--conn-log"; do
		ln -sf "$TMP/precious" "$TMP/shared/link"
		"$FLOWAUDIT" -q --fail-on none -r "$P/mixed.pcap" "$what" "$TMP/shared/link" >"$TMP/link.out" 2>"$TMP/link.err"
		rc=$?
		check "as root, $what through a symbolic link in a world-writable folder: exit 2, one line naming it, the target untouched" \
			eval '[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/link.err")" -eq 1 ] &&
				grep -q "link.*symbolic link" "$TMP/link.err" && [ "$(cat "$TMP/precious")" = precious ]'
	done
	rm -f "$TMP/shared/link"
	mkdir -m 700 "$TMP/own"
	ln -sf "$TMP/precious" "$TMP/own/link"
	"$FLOWAUDIT" -q --fail-on none -r "$P/mixed.pcap" -o "$TMP/own/link" 2>"$TMP/own.err"
	check "as root, a link in a folder only root writes is followed: the file it points to is replaced, the link stays" \
		eval 'grep -q "^flows" "$TMP/precious" && [ -L "$TMP/own/link" ] && [ ! -s "$TMP/own.err" ]'
	echo "precious" >"$TMP/precious"
	"$FLOWAUDIT" -q --fail-on none -r "$P/mixed.pcap" -o "$TMP/real.txt" 2>/dev/null
	check "as root, a regular -o file is still written" test -s "$TMP/real.txt"
else
	echo "# skip: the symbolic-link checks need root"
fi

# No progress line unless stderr is a terminal.
run quiet "$FLOWAUDIT" -r "$P/mixed.pcap"
check "no progress output when stderr is not a terminal" eval '[ ! -s "$TMP/quiet.err" ]'

finish
