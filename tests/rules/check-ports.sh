#!/usr/bin/env bash
# check-ports.sh - an independent check of the shipped port matrices.
#
# For every rules/*.yaml it extracts the matrix name and each rule's proto and
# ports, expands them to "proto port-or-range" lines (an ICMP rule gives
# "icmp -"), sorts them uniquely and compares them with
# tests/rules/expected/<matrix>.ports, which was written from the vendors' documents,
# not from the YAML. It also checks that matrix names are unique across files,
# rule ids unique within a matrix, every rule has category/from/to/proto,
# categories and other enumerated values are the contract's, and every role
# used is described in rules/README.md; and that every .ports file belongs to
# a matrix.
#
# Uses bash, awk, sed, grep, sort, diff only: no YAML library. It therefore
# relies on the regular block style the rule files keep (see rules/README.md):
#   - top-level keys at column 0: matrix, title, source, rules (one each);
#   - each rule starts with "  - id: ..." (2 spaces, dash, space), its other
#     keys follow one per line indented by 4 spaces;
#   - list values (from, to, proto, ports) are a scalar or a flow sequence
#     "[a, b]" on one line - no block sequences, no multi-line flows;
#   - a value is plain or double-quoted on one line (no block scalars "|"/">"),
#     no anchors, aliases, tags or "---" document markers;
#   - comment lines (first non-blank character "#") and blank lines anywhere;
#     no trailing comments after a quoted value.
# A line that does not fit is reported as a parse failure, with its number.
#
# Env: SRCDIR = top of the source tree (default: two levels above this script).
# Output: "ok - ..." / "not ok - ..." per check, diagnostics as "# ...", then
# "N passed, N failed". Exit status 1 when a check failed, 0 otherwise.

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
rules_dir=$SRCDIR/rules
expect_dir=$SRCDIR/tests/rules/expected
readme=$rules_dir/README.md

passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
diag() { sed 's/^/#   /'; }

# Parse one rule file; print records:
#   MATRIX <name>
#   ROLE <name>
#   PORT <proto> <port-or-range>
#   FAIL <check> <message>      check: parse ids required categories values
parse() {
	awk -v sq="'" '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	function fail(check, msg) { print "FAIL " check " line " NR ": " msg }
	# Failures found when a rule is complete are reported at the first line of the rule.
	function rfail(check, msg) { print "FAIL " check " line " rline ": rule \"" rid "\": " msg }
	# A scalar value: double-quoted (kept whole), or plain (trailing " #..." dropped).
	function scalar(v) {
		v = trim(v)
		if (v ~ /^"/) {
			if (v !~ /[^\\]"$/ || length(v) < 2) { fail("parse", "unterminated double-quoted value"); return v }
			return substr(v, 2, length(v) - 2)
		}
		if (substr(v, 1, 1) == sq) {
			if (substr(v, length(v), 1) != sq || length(v) < 2) { fail("parse", "unterminated single-quoted value"); return v }
			return substr(v, 2, length(v) - 2)
		}
		sub(/[ \t]+#.*$/, "", v)
		if (v ~ /: / || v ~ /:$/) fail("parse", "plain value contains \": \"; quote it")
		if (v ~ /^[&*!|>]/) fail("parse", "anchors, aliases, tags and block scalars are not used in rule files")
		return v
	}
	# A list value: "[a, b]" or a single scalar; items joined by one space.
	function list(v,    n, i, items, out, it) {
		v = trim(v)
		sub(/[ \t]+#[^\]]*$/, "", v)
		if (v ~ /^\[/) {
			if (v !~ /\]$/) { fail("parse", "flow sequence must close on the same line"); return "" }
			v = substr(v, 2, length(v) - 2)
			if (trim(v) == "") return ""
			n = split(v, items, ",")
			out = ""
			for (i = 1; i <= n; i++) {
				it = trim(items[i])
				if (length(it) >= 2 && (it ~ /^".*"$/ || (substr(it, 1, 1) == sq && substr(it, length(it), 1) == sq)))
					it = substr(it, 2, length(it) - 2)
				if (it == "") { fail("parse", "empty item in flow sequence"); continue }
				out = out (out == "" ? "" : " ") it
			}
			return out
		}
		if (v == "") { fail("parse", "list value on following lines (block sequence) is not supported; use [a, b]"); return "" }
		return scalar(v)
	}
	function endrule(    p, np, protos, q, nq, ports, k, r, nr, roles, lo, hi, a) {
		if (!inrule) return
		split("category from to proto", req, " ")
		for (k = 1; k <= 4; k++)
			if (!((req[k]) in val)) rfail("required", "no " req[k])
		if ("category" in val && !(val["category"] in CATS))
			rfail("categories", "category \"" val["category"] "\" is not one of the contract" sq "s")
		for (k = 1; k <= 2; k++) {
			key = (k == 1 ? "from" : "to")
			if (!(key in val)) continue
			nr = split(val[key], roles, " ")
			if (nr == 0) rfail("required", "empty " key)
			for (r = 1; r <= nr; r++) {
				if (roles[r] !~ /^[a-z0-9]+(-[a-z0-9]+)*$/)
					rfail("values", "role \"" roles[r] "\" is not lowercase-hyphen")
				print "ROLE " roles[r]
			}
		}
		if ("expect" in val && val["expect"] !~ /^(optional|any|each)$/)
			rfail("values", "expect \"" val["expect"] "\"")
		if ("action" in val && val["action"] !~ /^(allow|deny)$/)
			rfail("values", "action \"" val["action"] "\"")
		if ("exposure" in val && val["exposure"] !~ /^(external|internal|localhost)$/)
			rfail("values", "exposure \"" val["exposure"] "\"")
		if ("bidirectional" in val && val["bidirectional"] !~ /^(true|false)$/)
			rfail("values", "bidirectional \"" val["bidirectional"] "\"")
		if ("one-way" in val && val["one-way"] !~ /^(true|false)$/)
			rfail("values", "one-way \"" val["one-way"] "\"")
		if ("expect_service" in val && val["expect_service"] !~ /^\[?(ssl|dtls|ica|cgp|http|ssh|rdp|smb|dns)(, *(ssl|dtls|ica|cgp|http|ssh|rdp|smb|dns))*\]?$/)
			rfail("values", "expect_service \"" val["expect_service"] "\"")
		if ("group" in val && val["group"] !~ /^[a-z0-9]+(-[a-z0-9]+)*$/)
			rfail("values", "group \"" val["group"] "\" is not lowercase-hyphen")
		np = ("proto" in val) ? split(val["proto"], protos, " ") : 0
		nq = ("ports" in val) ? split(val["ports"], ports, " ") : 0
		if ("proto" in val && np == 0) rfail("required", "empty proto")
		tcpudp = 0
		for (p = 1; p <= np; p++) {
			if (protos[p] !~ /^(tcp|udp|icmp)$/) { rfail("values", "proto \"" protos[p] "\""); continue }
			if (protos[p] == "icmp") { print "PORT icmp -"; continue }
			tcpudp = 1
			for (q = 1; q <= nq; q++) print "PORT " protos[p] " " ports[q]
		}
		if (tcpudp && nq == 0) rfail("values", "tcp/udp without ports")
		if (np > 0 && !tcpudp && nq > 0) rfail("values", "ports on an icmp-only rule")
		for (q = 1; q <= nq; q++) {
			if (ports[q] ~ /^[0-9]+$/) { lo = hi = ports[q] + 0 }
			else if (ports[q] ~ /^[0-9]+-[0-9]+$/) { split(ports[q], a, "-"); lo = a[1] + 0; hi = a[2] + 0 }
			else { rfail("values", "port \"" ports[q] "\" is not a number or \"lo-hi\" range"); continue }
			if (lo < 1 || hi > 65535 || lo > hi)
				rfail("values", "port \"" ports[q] "\" out of range")
		}
		delete val
		inrule = 0
	}
	BEGIN {
		n = split("ica-hdx edt ras licensing broker gateway management directory database provisioning monitoring cloud other", c, " ")
		for (i = 1; i <= n; i++) CATS[c[i]] = 1
		n = split("id category from to proto ports description expect action bidirectional group exposure one-way expect_service expect_tls_issuer", c, " ")
		for (i = 1; i <= n; i++) RULEKEYS[c[i]] = 1
		n = split("matrix title source rules", c, " ")
		for (i = 1; i <= n; i++) TOPKEYS[c[i]] = 1
		LISTS["from"] = LISTS["to"] = LISTS["proto"] = LISTS["ports"] = 1
	}
	{ sub(/\r$/, "") }
	/^[ \t]*#/ || /^[ \t]*$/ { next }
	/\t/ { fail("parse", "tab character (indent with spaces)"); next }
	/^(---|\.\.\.)/ { fail("parse", "document markers: one document per file"); next }
	/^[a-z_]+:/ {
		endrule()
		key = $0; sub(/:.*/, "", key)
		v = $0; sub(/^[^:]*:/, "", v)
		if (!(key in TOPKEYS)) { fail("values", "unknown top-level key \"" key "\""); next }
		if (key in seentop) fail("parse", "top-level key \"" key "\" repeated")
		seentop[key] = 1
		if (key == "matrix") {
			m = scalar(v)
			if (m !~ /^[a-z0-9]+(-[a-z0-9]+)*$/) fail("values", "matrix name \"" m "\" is not lowercase-hyphen")
			print "MATRIX " m
		} else if (key == "rules") {
			if (trim(v) != "") fail("parse", "rules: must be followed by a block list")
			inrules = 1
		} else scalar(v)
		next
	}
	/^  - [a-z_]+:/ {
		if (!inrules) { fail("parse", "rule item outside rules:"); next }
		endrule()
		inrule = 1; rline = NR; nrules++
		line = $0; sub(/^  - /, "", line)
		key = line; sub(/:.*/, "", key)
		if (key != "id") fail("parse", "a rule must start with \"- id:\"")
	}
	/^    [a-z_-]+:/ {
		if (!inrule) { fail("parse", "rule key outside a rule"); next }
		line = $0; sub(/^    /, "", line)
		key = line; sub(/:.*/, "", key)
	}
	/^(  - |    )[a-z_-]+:/ {
		v = line; sub(/^[^:]*:/, "", v)
		if (!(key in RULEKEYS)) { fail("values", "unknown rule key \"" key "\""); next }
		if (key in val) { fail("parse", "key \"" key "\" repeated in a rule"); next }
		val[key] = (key in LISTS) ? list(v) : scalar(v)
		if (key == "id") {
			rid = val["id"]
			if (rid !~ /^[a-z0-9]+(-[a-z0-9]+)*$/) fail("ids", "id \"" rid "\" is not lowercase-hyphen")
			if (rid in ids) fail("ids", "id \"" rid "\" repeated (first on line " ids[rid] ")")
			else ids[rid] = NR
		}
		next
	}
	{ fail("parse", "line does not fit the rule-file layout: " $0) }
	END {
		endrule()
		if (!("matrix" in seentop)) fail("parse", "no matrix: key")
		if (!inrules || nrules == 0) fail("parse", "no rules")
	}
	' "$1"
}

shopt -s nullglob
files=("$rules_dir"/*.yaml "$rules_dir"/*.yml)
if [ ${#files[@]} -eq 0 ]; then
	not_ok "rule files found in $rules_dir"
else
	ok "rule files found in $rules_dir (${#files[@]})"
fi

declare -A matrix_file=()
for f in "${files[@]}"; do
	name=${f#"$SRCDIR"/}
	out=$(parse "$f")
	matrix=$(sed -n 's/^MATRIX //p' <<<"$out" | head -n 1)
	label=${matrix:-$name}

	msgs=$(sed -n 's/^FAIL parse //p' <<<"$out")
	if [ -z "$msgs" ]; then ok "$name: parses in the regular block layout"
	else not_ok "$name: parses in the regular block layout"; diag <<<"$msgs"; fi

	if [ -n "$matrix" ]; then
		if [ -n "${matrix_file[$matrix]:-}" ]; then
			not_ok "$label: matrix name unique across files"
			echo "#   also defined in ${matrix_file[$matrix]}"
		else
			ok "$label: matrix name unique across files"
			matrix_file[$matrix]=$name
		fi
	fi

	for check in ids:"rule ids unique and lowercase-hyphen" \
		required:"every rule has category/from/to/proto" \
		categories:"categories are the contract's" \
		values:"keys, proto, ports, expect, action, exposure, group valid"; do
		c=${check%%:*}
		msgs=$(sed -n "s/^FAIL $c //p" <<<"$out")
		if [ -z "$msgs" ]; then ok "$label: ${check#*:}"
		else not_ok "$label: ${check#*:}"; diag <<<"$msgs"; fi
	done

	missing=""
	if [ -f "$readme" ]; then
		for role in $(sed -n 's/^ROLE //p' <<<"$out" | sort -u); do
			[ "$role" = any ] && continue
			grep -qF "\`$role\`" "$readme" || missing="$missing $role"
		done
		if [ -z "$missing" ]; then ok "$label: every role is described in rules/README.md"
		else not_ok "$label: every role is described in rules/README.md"; echo "#   missing:$missing"; fi
	else
		not_ok "$label: every role is described in rules/README.md"; echo "#   no $readme"
	fi

	if [ -z "$matrix" ]; then
		not_ok "$name: ports match the document (no matrix name)"
		continue
	fi
	expected=$expect_dir/$matrix.ports
	if [ ! -f "$expected" ]; then
		not_ok "$matrix: ports match tests/rules/expected/$matrix.ports"
		echo "#   no file tests/rules/expected/$matrix.ports"
		continue
	fi
	d=$(diff -u --label "tests/rules/expected/$matrix.ports (document)" --label "$name (rules)" \
		<(grep -v '^[[:space:]]*\(#\|$\)' "$expected" | sed 's/[[:space:]]\{1,\}/ /g; s/ $//' | sort -u) \
		<(sed -n 's/^PORT //p' <<<"$out" | sort -u))
	if [ -z "$d" ]; then ok "$matrix: ports match tests/rules/expected/$matrix.ports"
	else not_ok "$matrix: ports match tests/rules/expected/$matrix.ports"; diag <<<"$d"; fi
done

orphans=""
for e in "$expect_dir"/*.ports; do
	m=$(basename "$e" .ports)
	[ -n "${matrix_file[$m]:-}" ] || orphans="$orphans $m"
done
if [ -z "$orphans" ]; then ok "every tests/rules/*.ports file has its matrix"
else not_ok "every tests/rules/*.ports file has its matrix"; echo "#   no matrix for:$orphans"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
