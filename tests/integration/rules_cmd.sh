#!/usr/bin/env bash
# rules_cmd: 'rules list' and 'rules check' write to -o as a whole file; 'rules list' as JSON, and with
# --site as the firewall request's table (the matrices the site applies, the rules that can match, addresses)
set -u
. "$(dirname "$0")/lib.sh"

# The rules of a text listing as matrix/id, one a line, sorted: the row's last column under its "Title (matrix)" line.
text_rule_ids() {
	awk -F ' [|] ' '/ [|] / { if ($0 !~ /^Source [|] /) print m "/" $NF; next }
		/\([a-z0-9-]+\)$/ { m = $0; sub(/.*\(/, "", m); sub(/\)$/, "", m) }' "$1" | sort
}
# The row of rule ID (its last column) in a text listing.
row_of() { grep " | $2\$" "$1"; }

# A site applying two matrices; roles with addresses in 198.18.0.0/15 and 2001:db8::/32 only.
SITE=$TMP/lab.yaml
cat >"$SITE" <<'YAML'
site: lab
roles:
  workspace-app: 198.19.0.0/16
  vda: [198.18.10.0/24, 198.18.11.5, "2001:db8:10::/48"]
  license-server: 198.18.0.20
scope: [198.18.0.0/15, "2001:db8::/32"]
matrices: [citrix-cvad, citrix-licensing]
YAML

# --format json: one document, every matrix and rule of the shipped set.
run check "$FLOWAUDIT" rules check
run text "$FLOWAUDIT" rules list
run json "$FLOWAUDIT" rules list --format json
nmatrices=$(sed -n '1s/^\([0-9]*\) matri.*/\1/p' "$TMP/check.out")
nrules=$(sed -n '1s/^[0-9]* matri[a-z]*, \([0-9]*\) rule.*/\1/p' "$TMP/check.out")
check "rules list --format json: parses, with as many matrices and rules as rules check counts" eval 'status_is json 0 &&
	[ -n "$nmatrices" ] && [ -n "$nrules" ] &&
	jq -e --argjson m "$nmatrices" --argjson r "$nrules" \
		"(.matrices | length) == \$m and ([.matrices[].rules[]] | length) == \$r" "$TMP/json.out" >/dev/null'
check "rules list --format json: every rule id of the text listing, as matrix/id" eval 'status_is text 0 &&
	[ "$(text_rule_ids "$TMP/text.out" | wc -l)" -eq "$nrules" ] &&
	[ "$(jq -r ".matrices[].rules[].id" "$TMP/json.out" | sort)" = "$(text_rule_ids "$TMP/text.out")" ]'
check "rules list --format json: ICA as a rule with its roles, protocol and port" eval '[ -s "$TMP/json.out" ] && jq -e "[.matrices[] |
	select(.name == \"citrix-cvad\") | .rules[] | select(.id == \"citrix-cvad/ws-app-to-vda-ica\")] | length == 1 and
	(.[0] | .from == [\"workspace-app\"] and .to == [\"vda\"] and .protocols == [\"tcp\"] and
	 .ports == [{\"lo\": 1494, \"hi\": 1494}] and .action == \"allow\" and (.bidirectional | type) == \"boolean\")" \
	"$TMP/json.out" >/dev/null'
check "rules list --format json: one line of ASCII" eval 'jq -e . "$TMP/json.out" >/dev/null &&
	[ "$(wc -l <"$TMP/json.out")" -eq 1 ] && ! LC_ALL=C grep -q "[^ -~]" "$TMP/json.out"'

# -o FILE: the listing goes there, nothing on stdout.
run textto "$FLOWAUDIT" rules list --format text -o "$TMP/text.txt"
check "rules list --format text -o FILE: the same as rules list on stdout" eval 'status_is textto 0 &&
	[ ! -s "$TMP/textto.out" ] && cmp -s "$TMP/text.txt" "$TMP/text.out"'
run listo "$FLOWAUDIT" rules list -o "$TMP/list.txt"
check "rules list -o FILE: the listing in the file, stdout empty" eval 'status_is listo 0 && [ ! -s "$TMP/listo.out" ] &&
	cmp -s "$TMP/list.txt" "$TMP/text.out"'
run checko "$FLOWAUDIT" rules check -o "$TMP/check.txt"
check "rules check -o FILE: the summary in the file, stdout empty" eval 'status_is checko 0 && [ ! -s "$TMP/checko.out" ] &&
	cmp -s "$TMP/check.txt" "$TMP/check.out"'
run jsono "$FLOWAUDIT" rules list --format json -o "$TMP/list.json"
check "rules list --format json -o FILE: the document in the file, stdout empty" eval 'status_is jsono 0 &&
	[ ! -s "$TMP/jsono.out" ] && cmp -s "$TMP/list.json" "$TMP/json.out"'
run full "$FLOWAUDIT" rules check -o /dev/full
check "rules check -o /dev/full: one line naming it, exit 2" eval 'status_is full 2 && [ "$(wc -l <"$TMP/full.err")" -eq 1 ] &&
	grep -q "^flowaudit: /dev/full: " "$TMP/full.err"'

# A bad site or rule file: the -o file written before stays as it was.
printf 'site: lab\nroles:\n  vda: [198.18.10.0/24\n' >"$TMP/broken.yaml"
printf 'matrix: m\nrules:\n  - id: a\n    category: ica-hdx\n    from: vda\n    to: ddc\n    proto: tcp\n    ports: [70000]\n' \
	>"$TMP/badrules.yaml"
cp "$TMP/list.txt" "$TMP/list.before" 2>/dev/null
run badsite "$FLOWAUDIT" rules list --site "$TMP/broken.yaml" -o "$TMP/list.txt"
check "-o with a site file in error: exit 2, the file written before byte-identical" eval 'status_is badsite 2 &&
	grep -q "broken.yaml" "$TMP/badsite.err" && [ ! -s "$TMP/badsite.out" ] &&
	grep -q "^Source | Destination" "$TMP/list.txt" && cmp -s "$TMP/list.txt" "$TMP/list.before"'
cp "$TMP/check.txt" "$TMP/check.before" 2>/dev/null
run badrules "$FLOWAUDIT" rules check --rules "$TMP/badrules.yaml" -o "$TMP/check.txt"
check "-o with a rule file in error: exit 2, the file written before byte-identical" eval 'status_is badrules 2 &&
	grep -q "port 70000" "$TMP/badrules.err" && [ ! -s "$TMP/badrules.out" ] &&
	grep -q "^[0-9]* matrices" "$TMP/check.txt" && cmp -s "$TMP/check.txt" "$TMP/check.before"'

# --site: the matrices it applies, the rules that can match, the addresses beside the roles.
run site "$FLOWAUDIT" rules list --site "$SITE"
run sitecheck "$FLOWAUDIT" rules check --site "$SITE"
check "rules list --site: only the two matrices the site applies" eval 'status_is site 0 &&
	[ "$(grep -E "^[^|]* \([a-z0-9-]+\)$" "$TMP/site.out" | sed "s/.*(//; s/)$//" | tr "\n" " ")" = \
		"citrix-cvad citrix-licensing " ]'
check "rules list --site: rules whose roles the site defines, not the others" eval 'row_of "$TMP/site.out" ws-app-to-vda-ica >/dev/null &&
	row_of "$TMP/site.out" component-to-license-server >/dev/null && ! row_of "$TMP/site.out" ws-app-to-storefront >/dev/null &&
	! row_of "$TMP/site.out" admin-to-lmadmin >/dev/null && ! row_of "$TMP/site.out" ddc-to-vda >/dev/null'
check "rules list --site: the addresses beside the roles (ws-app-to-vda-ica)" eval '[ "$(row_of "$TMP/site.out" ws-app-to-vda-ica |
	cut -d"|" -f1-4)" = "workspace-app (198.19.0.0/16) | vda (198.18.10.0/24, 198.18.11.5, 2001:db8:10::/48) | TCP | 1494 " ]'
check "rules list --site: roles the site does not define are left out of the row" eval 'row_of "$TMP/site.out" component-to-license-server |
	grep -q "^vda (198.18.10.0/24, 198.18.11.5, 2001:db8:10::/48) | license-server (198.18.0.20) | TCP | 27000 |"'
check "rules list --site: says how many rules are left out, as many as rules check warns cannot match" eval '
	n=$(grep -c "cannot match" "$TMP/sitecheck.err") && [ "$n" -gt 0 ] &&
	grep -q "^left out: $n rules that cannot match" "$TMP/site.out" && ! grep -q "cannot match" "$TMP/site.err"'
run sitejson "$FLOWAUDIT" rules list --site "$SITE" --format json
check "rules list --site --format json: the site, its matrices, the same rules as the text" eval 'status_is sitejson 0 &&
	jq -e --arg f "$SITE" ".site.name == \"lab\" and .site.file == \$f and
		[.matrices[].name] == [\"citrix-cvad\", \"citrix-licensing\"]" "$TMP/sitejson.out" >/dev/null &&
	[ "$(jq -r ".matrices[].rules[].id" "$TMP/sitejson.out" | sort)" = "$(text_rule_ids "$TMP/site.out")" ]'
check "rules list --site --format json: addresses of each side in prefix notation" eval 'status_is sitejson 0 && jq -e "[.matrices[].rules[] |
	select(.id == \"citrix-licensing/component-to-license-server\")][0] | .from == [\"vda\"] and
	.from_addresses == [\"198.18.10.0/24\", \"198.18.11.5/32\", \"2001:db8:10::/48\"] and
	.to_addresses == [\"198.18.0.20/32\"]" "$TMP/sitejson.out" >/dev/null'
run siteo "$FLOWAUDIT" rules list --site "$SITE" -o "$TMP/site.txt"
check "rules list --site -o FILE: the same listing in the file" eval 'status_is siteo 0 && [ ! -s "$TMP/siteo.out" ] &&
	cmp -s "$TMP/site.txt" "$TMP/site.out"'

# Counts agree in number.
printf 'matrix: one\nrules:\n  - {id: a, category: ica-hdx, from: workspace-app, to: vda, proto: tcp, ports: 1494}\n' \
	>"$TMP/one.yaml"
printf 'site: one\nroles:\n  vda: 198.18.1.2\n  workspace-app: 198.18.1.1\nscope: 198.18.0.0/15\n' >"$TMP/one-site.yaml"
run one "$FLOWAUDIT" rules check --rules "$TMP/one.yaml" --site "$TMP/one-site.yaml"
check "rules check: singular for one (matrix, rule, file, scope prefix)" eval 'status_is one 0 &&
	grep -q "^1 matrix, 1 rule, 2 roles, from 1 file$" "$TMP/one.out" &&
	grep -Eq "^  one +1 rule  " "$TMP/one.out" && grep -q "2 role addresses, 1 scope prefix$" "$TMP/one.out" &&
	grep -q "applies 1 of 1 matrix$" "$TMP/one.out"'

finish
