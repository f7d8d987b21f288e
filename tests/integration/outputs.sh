#!/usr/bin/env bash
# outputs: what flowaudit writes, and what it must never destroy: devices and FIFOs as targets,
# failed runs leaving old files byte for byte, two options naming one file, '-' as stdout,
# write errors, and the command line's one grammar (options anywhere, no silently ignored option).
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
SITE=$P/site-demo.yaml
DEMO=$P/audit-demo.pcap
FA=("$FLOWAUDIT" -q --fail-on none)
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1

# gen_udp FILE N: a raw-IP capture of N one-packet UDP flows (198.18.0.1 -> 198.18.0.2, ports
# 10000+i -> 5000), for outputs bigger than a pipe's buffer or a tiny file system.
gen_udp() {
	local i sum
	{
		printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x65\0\0\0'
		for ((i = 0; i < $2; i++)); do
			# IPv4 header checksum over 4500 0020 0001 0000 4011 c612 0001 c612 0002
			sum=$((0x4500 + 0x20 + 0x1 + 0x4011 + 0xc612 + 0x1 + 0xc612 + 0x2))
			sum=$(((sum & 0xffff) + (sum >> 16)))
			sum=$((~sum & 0xffff))
			printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((i & 255)) $((i >> 8 & 255)) 0 $((0x6a)))"
			printf '\0\0\0\0\x20\0\0\0\x20\0\0\0'
			printf "\\x45\\x00\\x00\\x20\\x00\\x01\\x00\\x00\\x40\\x11\\x$(printf %02x $((sum >> 8)))\\x$(printf %02x $((sum & 255)))"
			printf '\xc6\x12\x00\x01\xc6\x12\x00\x02'
			printf "\\x$(printf %02x $(((10000 + i) >> 8)))\\x$(printf %02x $(((10000 + i) & 255)))\\x13\\x88\\x00\\x0c\\x00\\x00"
			printf 'ping'
		done
	} >"$1"
}
# no temporary left beside the outputs in a folder
no_temporary() { ! find "$1" -name '.*flowaudit-*' | grep -q .; }

# --- A failed run leaves every existing output as it was ----------------------------------
D=$TMP/keep
mkdir -p "$D"
printf 'site: [\n' >"$TMP/bad-site.yaml"
printf 'matrix: m\nrules: [\n' >"$TMP/bad-rules.yaml"
reset_old() {
	printf 'old report\n' >"$D/report.txt"
	printf '{"old":"conn log"}\n' >"$D/conn.json"
	printf '{"old":"baseline"}\n' >"$D/base.json"
	printf 'old diff\n' >"$D/diff.txt"
	cp "$D/report.txt" "$D/report.orig"
	cp "$D/conn.json" "$D/conn.orig"
	cp "$D/base.json" "$D/base.orig"
	cp "$D/diff.txt" "$D/diff.orig"
}
unchanged() { cmp -s "$D/report.txt" "$D/report.orig" && cmp -s "$D/conn.json" "$D/conn.orig" &&
	cmp -s "$D/base.json" "$D/base.orig" && cmp -s "$D/diff.txt" "$D/diff.orig" && no_temporary "$D"; }
for c in "missing input:-r $TMP/nope.pcap" \
	"bad filter:-r $DEMO port nonsense and" \
	"bad site:-r $DEMO --site $TMP/bad-site.yaml" \
	"bad rules:-r $DEMO --rules $TMP/bad-rules.yaml" \
	"second input missing:-r $DEMO -r $TMP/nope.pcap"; do
	what=${c%%:*}
	read -r -a args <<<"${c#*:}"
	reset_old
	run "fail-audit" "${FA[@]}" "${args[@]}" -o "$D/report.txt" --conn-log "$D/conn.json"
	check "audit, $what: exit 2, -o and --conn-log files left byte for byte" eval \
		'status_is fail-audit 2 && unchanged'
	reset_old
	run "fail-save" "$FLOWAUDIT" -q baseline save "${args[@]}" -o "$D/base.json" --conn-log "$D/conn.json"
	check "baseline save, $what: exit 2, the old baseline and conn log left byte for byte" eval \
		'status_is fail-save 2 && unchanged'
done
reset_old
run fail-diff "$FLOWAUDIT" -q baseline diff "$TMP/nope.json" -r "$DEMO" --site "$SITE" -o "$D/diff.txt"
check "baseline diff with a missing baseline: exit 2, the old -o file left as it was" eval \
	'status_is fail-diff 2 && unchanged'
reset_old
run fail-merge "$FLOWAUDIT" -q baseline merge "$D/base.json" "$TMP/nope.json" -o "$D/base.json"
check "baseline merge with a missing input: exit 2, the old baseline left as it was" eval \
	'status_is fail-merge 2 && unchanged'

# A run that works replaces the file whole and keeps its mode; nothing is left beside it.
reset_old
chmod 600 "$D/report.txt"
run good "${FA[@]}" -r "$DEMO" --site "$SITE" -o "$D/report.txt" --conn-log "$D/conn.json"
check "a run that works replaces -o and --conn-log whole, keeps the file's mode, leaves no temporary" eval \
	'status_is good 0 && grep -q "^flows" "$D/report.txt" && jq -e -s "length == 12" "$D/conn.json" >/dev/null &&
	[ "$(stat -c %a "$D/report.txt")" = 600 ] && no_temporary "$D"'
rm -f "$D/new.txt"
run newfile "${FA[@]}" -r "$DEMO" -o "$D/new.txt"
check "a new -o file gets 0666 less the umask" eval \
	'status_is newfile 0 && [ "$(stat -c %a "$D/new.txt")" = "$(printf %o $((0666 & ~$(umask))))" ]'

# --- Devices and FIFOs are written, never replaced ----------------------------------------
if [ "$ROOT" -eq 1 ]; then
	mknod "$TMP/full" c 1 7	# a disk-full device of our own, never under /dev
	mknod "$TMP/null" c 1 3
	for c in "baseline save:baseline save -r $DEMO --site $SITE -o" \
		"audit -o:-r $DEMO --site $SITE --fail-on none -o" \
		"audit --conn-log:-r $DEMO --site $SITE --fail-on none --conn-log"; do
		what=${c%%:*}
		read -r -a args <<<"${c#*:}"
		run devfull "$FLOWAUDIT" -q "${args[@]}" "$TMP/full"
		check "$what to a disk-full device: exit 2, one line naming it, still a device" eval \
			'status_is devfull 2 && one_line_error devfull "full: cannot write: No space left on device" &&
			[ -c "$TMP/full" ]'
		run devnull "$FLOWAUDIT" -q "${args[@]}" "$TMP/null"
		check "$what to a null device: exit 0, still a device" eval 'status_is devnull 0 && [ -c "$TMP/null" ]'
	done
	run twonull "${FA[@]}" -r "$DEMO" -o "$TMP/null" --conn-log "$TMP/null"
	check "-o and --conn-log may both be a null device" status_is twonull 0
else
	echo "# skip: the device-node cases need root (mknod)"
fi
mkfifo "$TMP/fifo"
for c in "baseline save:baseline save -r $DEMO --site $SITE -o:jq -e .paths" \
	"audit --format json:-r $DEMO --site $SITE --fail-on none --format json -o:jq -e .findings" \
	"conn log:-r $DEMO --site $SITE --fail-on none --conn-log:jq -s -e length==12"; do
	what=${c%%:*} rest=${c#*:}
	read -r -a args <<<"${rest%%:*}"
	rm -f "$TMP/fifo.got"
	timeout 30 cat "$TMP/fifo" >"$TMP/fifo.got" &
	reader=$!
	run fifo timeout 30 "$FLOWAUDIT" -q "${args[@]}" "$TMP/fifo"
	wait "$reader"
	# shellcheck disable=SC2086
	check "$what to a FIFO: exit 0, the reader gets it whole, the FIFO stays a FIFO" eval \
		'status_is fifo 0 && [ -p "$TMP/fifo" ] && ${rest#*:} "$TMP/fifo.got" >/dev/null'
done

# --- A write error: disk full on a regular file (a 16 KiB tmpfs in a mount namespace of our own) --
gen_udp "$TMP/many.pcap" 400
run many "${FA[@]}" -r "$TMP/many.pcap" --conn-log "$TMP/many.json"
check "the generated capture: 400 UDP flows, a conn log over 64 KiB" eval \
	'status_is many 0 && [ "$(wc -l <"$TMP/many.json")" -eq 400 ] && [ "$(stat -c %s "$TMP/many.json")" -gt 65536 ]' 
if [ "$ROOT" -eq 1 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	mkdir -p "$TMP/small"
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs "$1" && printf "old\n" >"$1/conn.json" &&
		"$2" -q --fail-on none -r "$3" --conn-log "$1/conn.json" >"$4.out" 2>"$4.err"; echo $? >"$4.status"
		cat "$1/conn.json" >"$4.left"; ls -A "$1" >"$4.ls"' sh "$TMP/small" "$FLOWAUDIT" "$TMP/many.pcap" \
		"$TMP/small-run"
	check "disk full while writing a conn log: exit 2, one line naming the file" eval \
		'status_is small-run 2 && one_line_error small-run "conn.json: cannot write: No space left on device"'
	check "disk full: the old file is left as it was and the partial temporary removed" eval \
		'[ "$(cat "$TMP/small-run.left")" = old ] && [ "$(cat "$TMP/small-run.ls")" = conn.json ]'
else
	echo "# skip: the disk-full case needs root and mount namespaces (unshare -m)"
fi

# EPIPE: the reader of the pipe goes away ('| head'); with SIGPIPE ignored, no error line either.
run epipe bash -c 'trap "" PIPE; "$1" -q --fail-on none -r "$2" --conn-log - 2>"$3" | head -c 10 >/dev/null;
	exit "${PIPESTATUS[0]}"' sh "$FLOWAUDIT" "$TMP/many.pcap" "$TMP/epipe.stderr"
check "a closed pipe (EPIPE) is not an error: exit 0, no error line (the report still on stderr)" eval \
	'status_is epipe 0 && ! grep -q "^flowaudit:" "$TMP/epipe.stderr" && grep -q "^flows" "$TMP/epipe.stderr"'

# --- Two options naming one output; an output that is an input ----------------------------
cd "$TMP" || exit 1
for c in "same name:-o same.txt --conn-log same.txt:same file" \
	"./ and plain:-o same.txt --conn-log ./same.txt:same file" \
	"both stdout:-o - --conn-log -:standard output" \
	"-o is the capture:-o $DEMO:also a capture" \
	"--conn-log is the site:--site $SITE --conn-log $SITE:also the site file"; do
	what=${c%%:*} rest=${c#*:}
	read -r -a args <<<"${rest%%:*}"
	run dup "${FA[@]}" -r "$DEMO" "${args[@]}"
	check "$what: a usage error naming it, exit 2, nothing written" eval \
		'status_is dup 2 && one_line_error dup "${rest#*:}" && [ ! -e same.txt ]'
done
printf 'x\n' >"$TMP/a.txt"
ln -f "$TMP/a.txt" "$TMP/b.txt"
run hard "${FA[@]}" -r "$DEMO" -o "$TMP/a.txt" --conn-log "$TMP/b.txt"
check "two names of one file (a hard link): refused, the file left as it was" eval \
	'status_is hard 2 && one_line_error hard "same file" && [ "$(cat "$TMP/a.txt")" = x ]'
run stdoutlink "${FA[@]}" -r "$DEMO" -o /dev/stdout --conn-log -
check "-o /dev/stdout with --conn-log -: both standard output, refused" eval \
	'status_is stdoutlink 2 && one_line_error stdoutlink "both write to standard output"'

# --- '-' is standard output for every output ------------------------------------------------
run dash "${FA[@]}" -r "$DEMO" --site "$SITE" --format json -o -
check "audit -o -: the report on stdout, no file named '-'" eval \
	'status_is dash 0 && jq -e .findings "$TMP/dash.out" >/dev/null && [ ! -e "$TMP/-" ]'
run savedash "$FLOWAUDIT" -q baseline save -r "$DEMO" --site "$SITE" -o -
check "baseline save -o -: the baseline on stdout, no file named '-'" eval \
	'status_is savedash 0 && jq -e .paths "$TMP/savedash.out" >/dev/null && [ ! -e "$TMP/-" ]'
run connstd "${FA[@]}" -r "$DEMO" --conn-log - -o "$TMP/r.txt"
check "--conn-log - with -o FILE: the conn log on stdout, the report in the file" eval \
	'status_is connstd 0 && jq -e -s "length == 12" "$TMP/connstd.out" >/dev/null && grep -q "^flows" "$TMP/r.txt"'
cd "$SRCDIR" || exit 1

# --- One grammar ---------------------------------------------------------------------------
"$FLOWAUDIT" -q baseline save -r "$DEMO" --site "$SITE" -o "$TMP/before.json" 2>/dev/null
run globalfirst "$FLOWAUDIT" -q --site "$SITE" baseline diff "$TMP/before.json" -r "$DEMO"
check "global options before the command words: 'flowaudit -q --site S baseline diff ...' works" eval \
	'status_is globalfirst 0 && [ ! -s "$TMP/globalfirst.err" ]'
run globalrules "$FLOWAUDIT" --site "$SITE" rules check
check "'flowaudit --site S rules check' works" eval 'status_is globalrules 0 && grep -q "^site" "$TMP/globalrules.out"'
for c in "--by host on an audit:-r $DEMO --by host:--by does not apply to an audit" \
	"--min-flows on baseline save:baseline save -r $DEMO -o $TMP/x.json --min-flows 2:--min-flows does not apply to baseline save" \
	"--fail-on on rules list:rules list --fail-on none:--fail-on does not apply to rules list" \
	"--conn-log on rules check:rules check --conn-log $TMP/c.json:--conn-log does not apply to rules check" \
	"--format twice:-r $DEMO --format json --format html:--format given twice" \
	"--site twice:-r $DEMO --site $SITE --site $SITE:--site given twice" \
	"-o twice:-r $DEMO -o $TMP/1.txt -o $TMP/2.txt:-o given twice" \
	"--site on a diff of two baselines:baseline diff $TMP/before.json $TMP/before.json --site $SITE:--site does not apply to baseline diff of two baseline files" \
	"a filter on a diff of two baselines:baseline diff $TMP/before.json $TMP/before.json port 80:reads no capture"; do
	what=${c%%:*} rest=${c#*:}
	read -r -a args <<<"${rest%%:*}"
	run na "$FLOWAUDIT" -q "${args[@]}"
	check "$what: a usage error naming the option, exit 2" eval 'status_is na 2 && one_line_error na "${rest#*:}"'
done
run noR "$FLOWAUDIT" "$DEMO"
check "a capture given without -r: the error says to use -r" eval \
	'status_is noR 2 && one_line_error noR "is a file; give a capture with -r"'
run twoR "$FLOWAUDIT" -r "$DEMO" "$P/mixed.pcap"
check "a second capture after one -r: the error says each needs its own -r, not 'bad filter'" eval \
	'status_is twoR 2 && one_line_error twoR "give each capture its own -r" && ! grep -q "bad filter" "$TMP/twoR.err"'
run diffpcap "$FLOWAUDIT" baseline diff "$DEMO"
check "baseline diff CAPTURE: says it is a capture to give with -r" eval \
	'status_is diffpcap 2 && one_line_error diffpcap "is a capture, not a baseline: give it with -r"'
run failon "$FLOWAUDIT" -r "$DEMO" --fail-on blockd
check "--fail-on's error lists every kind" eval 'status_is failon 2 && one_line_error failon "tls-intercepted" &&
	grep -q middlebox-reset "$TMP/failon.err" && grep -q wrong-protocol "$TMP/failon.err" &&
	grep -q incomplete "$TMP/failon.err"'
for d in 1h 90m 2d 45s 1.5h 500ms; do
	run dur "${FA[@]}" -r "$DEMO" --tcp-timeout "$d" --pending-window "$d" -o /dev/null
	check "a duration with a unit ($d) is taken" status_is dur 0
done
run durbad "${FA[@]}" -r "$DEMO" --tcp-timeout 1x
check "a duration with an unknown unit: one line naming the option" eval \
	'status_is durbad 2 && one_line_error durbad "--tcp-timeout: .1x. is not a duration"'
if [ "$ROOT" -eq 1 ]; then
	run duration "$FLOWAUDIT" -q -i flowaudit-no-such0 --duration 1h
	check "--duration 1h is accepted (the error is about the interface, not the duration)" eval \
		'status_is duration 2 && one_line_error duration "flowaudit-no-such0" && ! grep -q duration "$TMP/duration.err"'
fi
run dedup "${FA[@]}" -r "$DEMO" --dedup-window 2ms -o /dev/null
check "--dedup-window takes 2ms" status_is dedup 0

finish
