#!/usr/bin/env bash
# baseline: a site before and after a network change (pcaps/baseline-before.pcap with
# pcaps/site-baseline.yaml, pcaps/baseline-after.pcap with pcaps/site-baseline-after.yaml);
# `flowaudit baseline diff` must name exactly the three changes, as worked out from the two
# firewall rulesets and the port matrix (tests/golden/baseline-role.changes, .host.changes):
# TCP 2598 to the VDA newly dropped, UDP 1494 (EDT) newly allowed, and the license server
# moved from 198.18.3.20 to 198.18.3.21 (no change at role granularity: the role's paths
# still work; gone and new at host granularity). With root and ip netns, the two captures
# are made again (tests/netns/make-baseline-captures.sh) and checked the same way.
#
# The projection keeps the columns that do not depend on timing: change, orig, resp,
# proto, port, rule, before, after; a null (a path absent on one side) is '-'.
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
GOLD=$SRCDIR/tests/golden
SITE_A=$P/site-baseline.yaml
SITE_B=$P/site-baseline-after.yaml

# The diff's changes projected onto tests/golden/baseline-*.changes, sorted.
project_changes() {
	jq -r '.changes[] |
		[.change, (.orig // "-"), (.resp // "-"), .proto, .port, (.rule // "-"),
		 (.before // "-"), (.after // "-")] | map(tostring) | join("\t")' "$1" | LC_ALL=C sort
}

# compare NAME WANT GOT: diff, printing the difference on failure.
compare() {
	if diff -u "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$TMP/diff"
	fi
}

# json_ok NAME FILE ERRFILE: FILE is one JSON document with a 'changes' array.
json_ok() {
	if jq -e '.changes | type == "array"' "$2" >/dev/null 2>&1; then
		return 0
	fi
	not_ok "$1: the diff is JSON with a 'changes' array"
	sed 's/^/#   /' "$3" | head -5
	return 1
}

# save LABEL BY PCAP SITE OUT: baseline save; passes when it wrote a JSON baseline.
save() {
	local label=$1 by=$2 pcap=$3 site=$4 outf=$5 rc=0
	"$FLOWAUDIT" baseline save -q --by "$by" --site "$site" -r "$pcap" -o "$outf" \
		>"$outf.out" 2>"$outf.err" || rc=$?
	if [ "$rc" -le 1 ] && jq -e . "$outf" >/dev/null 2>&1; then
		ok "$label: baseline save --by $by writes a JSON baseline (exit $rc)"
		return 0
	fi
	not_ok "$label: baseline save --by $by writes a JSON baseline (exit $rc)"
	sed 's/^/#   /' "$outf.err" | head -5
	return 1
}

# diff_checks LABEL BY BEFORE.pcap AFTER.pcap: save before, diff the after capture against
# it (JSON), compare the changes with tests/golden/baseline-BY.changes; exit status 1.
diff_checks() {
	local label=$1 by=$2 before=$3 after=$4 d=$TMP/$1-$2 rc=0
	mkdir -p "$d"
	save "$label" "$by" "$before" "$SITE_A" "$d/before.json" || return 1
	"$FLOWAUDIT" baseline diff "$d/before.json" -q --by "$by" --site "$SITE_B" -r "$after" \
		--format json >"$d/diff.json" 2>"$d/diff.err" || rc=$?
	check "$label: diff --by $by: exit status 1 (a path got worse)" test "$rc" -eq 1
	json_ok "$label: diff --by $by" "$d/diff.json" "$d/diff.err" || return 1
	grep -v '^#' "$GOLD/baseline-$by.changes" >"$d/changes.want"
	project_changes "$d/diff.json" >"$d/changes.got"
	compare "$label: diff --by $by: exactly the changes worked out from the rulesets" \
		"$d/changes.want" "$d/changes.got"
}

diff_checks committed role "$P/baseline-before.pcap" "$P/baseline-after.pcap"
diff_checks committed host "$P/baseline-before.pcap" "$P/baseline-after.pcap"
R=$TMP/committed-role
H=$TMP/committed-host

# The diff is given another site file than the save: a warning, not an error.
if [ -f "$R/diff.err" ]; then
	check "diff with another --site than save: a warning on stderr" grep -qi warning "$R/diff.err"
fi

# Two saved baselines compare as a capture does: after.json against before.json.
if save "after.json" role "$P/baseline-after.pcap" "$SITE_B" "$TMP/after-role.json"; then
	rc=0
	"$FLOWAUDIT" baseline diff "$R/before.json" "$TMP/after-role.json" --format json \
		>"$TMP/bb.json" 2>"$TMP/bb.err" || rc=$?
	check "diff before.json after.json: exit status 1" test "$rc" -eq 1
	if json_ok "diff before.json after.json" "$TMP/bb.json" "$TMP/bb.err"; then
		project_changes "$TMP/bb.json" >"$TMP/bb.got"
		compare "diff before.json after.json: the same changes as against the capture" \
			"$R/changes.want" "$TMP/bb.got"
	fi
fi

# A baseline against itself: nothing changed, exit status 0.
for by in role host; do
	b=$TMP/committed-$by/before.json
	[ -s "$b" ] || continue
	rc=0
	"$FLOWAUDIT" baseline diff "$b" "$b" --format json >"$TMP/self-$by.json" 2>"$TMP/self-$by.err" || rc=$?
	check "--by $by: a baseline against itself: exit status 0" test "$rc" -eq 0
	check "--by $by: a baseline against itself: no change" test \
		"$(jq '.changes | length' "$TMP/self-$by.json" 2>/dev/null)" = 0
done

# The capture durations as the audit reports them (first to last packet).
duration() {
	"$FLOWAUDIT" -q -r "$1" --site "$2" --fail-on none --format json 2>/dev/null |
		jq -r '.capture.last_ts - .capture.first_ts'
}
# has_duration FILE SECONDS: the text shows SECONDS to 3, 2 or 1 decimals.
has_duration() {
	local p
	for p in 3 2 1; do
		grep -Eq -- "(^|[^0-9.])$(printf "%.${p}f" "$2" | sed 's/\./\\./')([^0-9]|$)" "$1" && return 0
	done
	return 1
}

# names_change FILE RULE BEFORE AFTER: a line of FILE names RULE and both verdicts.
names_change() {
	grep -F -- "$2" "$1" | grep -w -- "$3" | grep -qw -- "$4"
}

# The text diff (the default format) names each change and shows both capture durations.
if [ -s "$R/before.json" ]; then
	rc=0
	"$FLOWAUDIT" baseline diff "$R/before.json" -q --site "$SITE_B" -r "$P/baseline-after.pcap" \
		>"$TMP/text-role.out" 2>"$TMP/text-role.err" || rc=$?
	check "text diff --by role: exit status 1" test "$rc" -eq 1
	check "text diff --by role: names TCP 2598 ok -> blocked" \
		names_change "$TMP/text-role.out" 'citrix-cvad/ws-app-to-vda-cgp' ok blocked
	check "text diff --by role: names UDP 1494 blocked -> ok" \
		names_change "$TMP/text-role.out" 'citrix-cvad/ws-app-to-vda-ica-edt' blocked ok
	check "text diff --by role: says 'changed'" grep -qiw changed "$TMP/text-role.out"
	check "text diff --by role: nothing about the license server" \
		test "$(grep -c 'citrix-licensing/' "$TMP/text-role.out")" -eq 0
	d1=$(printf '%.3f' "$(duration "$P/baseline-before.pcap" "$SITE_A")")
	d2=$(printf '%.3f' "$(duration "$P/baseline-after.pcap" "$SITE_B")")
	check "text diff: shows the before capture's duration ($d1 s)" has_duration "$TMP/text-role.out" "$d1"
	check "text diff: shows the after capture's duration ($d2 s)" has_duration "$TMP/text-role.out" "$d2"

	# --evidence: one file for the one change that got worse (TCP 2598, now blocked), holding
	# the after capture's flow on that path (2 SYNs, commented); nothing for the better one.
	rc=0
	"$FLOWAUDIT" baseline diff "$R/before.json" --site "$SITE_B" -r "$P/baseline-after.pcap" \
		--evidence "$TMP/bev" >"$TMP/ev-role.out" 2>"$TMP/ev-role.err" || rc=$?
	check "diff --evidence: exit status 1, the diff as without it" \
		sh -c "test $rc -eq 1 && cmp -s '$TMP/ev-role.out' '$TMP/text-role.out'"
	check "diff --evidence: a note on stderr names the folder" \
		grep -q "evidence: 1 file for the changes that got worse in $TMP/bev" "$TMP/ev-role.err"
	evf=$(jq -r '.files[0].file' "$TMP/bev/index.json" 2>/dev/null)
	check "diff --evidence: index.json lists one file, the worse tcp/2598 path [$evf]" \
		jq -e '(.files | length) == 1 and .files[0].kind == "worse" and .files[0].port == "tcp/2598" and
			.files[0].rule == "citrix-cvad/ws-app-to-vda-cgp" and .files[0].packets == 2' "$TMP/bev/index.json"
	if command -v tshark >/dev/null 2>&1 && [ -n "$evf" ] && [ "$evf" != null ]; then
		check "diff --evidence: $evf holds the two SYNs to 198.18.2.10:2598, commented" \
			test "$(tshark -r "$TMP/bev/$evf" -T fields -e ip.dst -e tcp.dstport -e frame.comment 2>/dev/null |
				grep -c $'198.18.2.10\t2598\tSYN.*no answer')" -eq 2
		check "diff --evidence: its section comment names the change" \
			sh -c "capinfos '$TMP/bev/$evf' | grep -q 'ok before, blocked now (1 flow)'"
	fi
fi
if [ -s "$H/before.json" ]; then
	rc=0
	"$FLOWAUDIT" baseline diff "$H/before.json" -q --by host --site "$SITE_B" -r "$P/baseline-after.pcap" \
		>"$TMP/text-host.out" 2>"$TMP/text-host.err" || rc=$?
	check "text diff --by host: exit status 1" test "$rc" -eq 1
	for port in 27000 7279; do
		check "text diff --by host: TCP $port to the old license server address is gone" \
			names_change "$TMP/text-host.out" '198.18.3.20' gone "$port"
		check "text diff --by host: TCP $port to the new license server address is new" \
			names_change "$TMP/text-host.out" '198.18.3.21' new "$port"
	done
	check "text diff --by host: TCP 2598 ok -> blocked" \
		names_change "$TMP/text-host.out" 'citrix-cvad/ws-app-to-vda-cgp' ok blocked
	check "text diff --by host: UDP 1494 blocked -> ok" \
		names_change "$TMP/text-host.out" 'citrix-cvad/ws-app-to-vda-ica-edt' blocked ok
fi

# --min-flows: every path here had one flow, so with --min-flows 2 a disappearance does
# not count (no 'gone'); what is new or changed is still listed. 1 is the default.
if [ -s "$H/before.json" ]; then
	for n in 1 2; do
		rc=0
		"$FLOWAUDIT" baseline diff "$H/before.json" -q --by host --min-flows "$n" --site "$SITE_B" \
			-r "$P/baseline-after.pcap" --format json >"$TMP/min$n.json" 2>"$TMP/min$n.err" || rc=$?
		check "--min-flows $n: exit status 1 (TCP 2598 still got worse)" test "$rc" -eq 1
		json_ok "--min-flows $n" "$TMP/min$n.json" "$TMP/min$n.err" || continue
		project_changes "$TMP/min$n.json" >"$TMP/min$n.got"
		if [ "$n" = 1 ]; then
			cp "$H/changes.want" "$TMP/min$n.want"
		else
			grep -v '^gone' "$H/changes.want" >"$TMP/min$n.want"
		fi
		compare "--min-flows $n: the changes$([ "$n" = 2 ] && echo ' without the gone paths')" \
			"$TMP/min$n.want" "$TMP/min$n.got"
	done
fi

# The same change, made and captured again now (root and ip netns only).
rc=0
"$SRCDIR/tests/netns/make-baseline-captures.sh" "$TMP/regen" >"$TMP/make.log" 2>&1 || rc=$?
if [ "$rc" -eq 77 ]; then
	echo "# skipped the regenerated captures: $(grep -m1 SKIP "$TMP/make.log")"
elif [ "$rc" -ne 0 ]; then
	not_ok "make-baseline-captures.sh failed (exit $rc)"
	sed 's/^/#   /' "$TMP/make.log" | tail -30
else
	diff_checks regenerated role "$TMP/regen/baseline-before.pcap" "$TMP/regen/baseline-after.pcap"
	diff_checks regenerated host "$TMP/regen/baseline-before.pcap" "$TMP/regen/baseline-after.pcap"
fi
finish
