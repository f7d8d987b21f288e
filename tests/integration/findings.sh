#!/usr/bin/env bash
# findings: grouped findings people act on: one finding for many clients with the same problem,
# stable ids that the conn log carries, related findings, and CSV for a spreadsheet.
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
PY=/usr/bin/python3
EDT=(-r "$P/verdict-edt-clients.pcap" --site "$P/site-edt-clients.yaml")
DEMO=(-r "$P/audit-demo.pcap" --site "$P/site-demo.yaml")
FA=("$FLOWAUDIT" -q --fail-on none)
jqe() { jq -e "$@" >/dev/null; }

# --- 32 clients whose EDT (UDP 1494) is dropped while TCP 1494 works: one finding, not 64
"${FA[@]}" "${EDT[@]}" --format json -o "$TMP/edt.json"
"${FA[@]}" "${EDT[@]}" --conn-log "$TMP/edt.conn" -o "$TMP/edt.txt"
check "32 clients, one dropped EDT port: one blocked finding with 32 flows and 32 host pairs" \
	jqe '[.findings[] | select(.kind == "blocked")] | length == 1 and .[0].flows == 32 and .[0].count == 32 and
		.[0].hosts == 32 and .[0].reason == "no-reply" and .[0].orig_role == "workspace-app"' "$TMP/edt.json"
check "the blocked finding lists its top host pairs (at most 20), each with a uid from the conn log" eval \
	'jq -e "[.findings[] | select(.kind == \"blocked\")][0].pairs | length == 20" "$TMP/edt.json" >/dev/null &&
	for u in $(jq -r "[.findings[] | select(.kind == \"blocked\")][0].pairs[].uid" "$TMP/edt.json"); do
		grep -q "\"uid\":\"$u\"" "$TMP/edt.conn" || exit 1; done'
check "one fallback finding over the 32 host pairs, naming the blocked finding it explains (related)" \
	jqe '([.findings[] | select(.kind == "blocked")][0].id) as $b | [.findings[] | select(.kind == "fallback")] |
		length == 1 and .[0].hosts == 32 and .[0].flows == 32 and .[0].related == [$b]' "$TMP/edt.json"
check "two findings in all (before: 64)" jqe '.findings | length == 2' "$TMP/edt.json"
check "the text report tells the fallback under the blocked finding: the findings fit in one screen" eval \
	'[ "$(sed -n "/^FINDINGS/,/^TRAFFIC/p" "$TMP/edt.txt" | wc -l)" -le 12 ] &&
	grep -q "^ *+ fallback: EDT over UDP 1494 failed" "$TMP/edt.txt" && grep -q "32 flows, 32 host pairs, no-reply" "$TMP/edt.txt"'

# --- ids: stable across runs, in the conn log, and they list every flow behind a finding
"${FA[@]}" "${EDT[@]}" --format json -o "$TMP/edt2.json"
check "finding ids are the same in two runs" \
	test "$(jq -c '[.findings[].id]' "$TMP/edt.json")" = "$(jq -c '[.findings[].id]' "$TMP/edt2.json")"
check "ids look like F-3a9c1e and are unique in the report" \
	jqe '[.findings[].id] | all(test("^F-[0-9a-f]{6}$")) and (unique | length) == length' "$TMP/edt.json"
bid=$(jq -r '[.findings[] | select(.kind == "blocked")][0].id' "$TMP/edt.json")
check "jq 'select(.findings|index(ID))' on the conn log lists the 32 flows behind the blocked finding" \
	test "$(jq -c "select(.findings|index(\"$bid\"))" "$TMP/edt.conn" | wc -l)" -eq 32
check "flows in no finding carry no 'findings' field (the 32 ok ICA sessions)" \
	test "$(jq -c 'select(.verdict == "ok" and has("findings"))' "$TMP/edt.conn" | wc -l)" -eq 0
"${FA[@]}" "${DEMO[@]}" --format json -o "$TMP/demo.json"
"${FA[@]}" "${DEMO[@]}" --conn-log "$TMP/demo.conn" -o /dev/null
check "demo: every flow finding's id is on exactly 'count' conn-log flows" eval \
	'jq -r ".findings[] | select(.kind != \"missing\" and .kind != \"not-visible\" and .kind != \"fallback\" and
		.kind != \"incomplete\") | \"\(.id) \(.count)\"" "$TMP/demo.json" | while read -r id n; do
		[ "$(jq -c "select(.findings // [] | index(\"$id\"))" "$TMP/demo.conn" | wc -l)" -eq "$n" ] || exit 1; done'

# --- CSV: parsed back with Python's csv module and compared with the JSON report
"${FA[@]}" "${DEMO[@]}" --format csv -o "$TMP/demo.csv"
"${FA[@]}" "${DEMO[@]}" --format csv --table matrix -o "$TMP/matrix.csv"
if [ -x "$PY" ]; then
	check "CSV findings: the header names the columns a change board needs" \
		eval 'head -1 "$TMP/demo.csv" | grep -q "^id,kind,proto,port,orig_role,resp_role,rule,reason,hosts,flows,first_seen,last_seen,confidence,example_orig_h,example_resp_h"'
	check "CSV findings: parsed by Python's csv module, one row per JSON finding, the same ids, kinds, flows, hosts" \
		"$PY" - "$TMP/demo.csv" "$TMP/demo.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
js = json.load(open(sys.argv[2]))["findings"]
assert len(rows) == len(js), (len(rows), len(js))
for r, f in zip(rows, js):
    assert r["id"] == f["id"] and r["kind"] == f["kind"], (r, f["id"])
    assert int(r["flows"]) == f["count"], r
    assert int(r["hosts"]) == f.get("hosts", 0), r
    assert r["rule"] == (f["rule"] or ""), r
    assert r["related"] == " ".join(f.get("related", [])), r
EOF
	check "CSV matrix: parsed back; the cells' blocked flows add up to the JSON matrix's" \
		"$PY" - "$TMP/matrix.csv" "$TMP/demo.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
js = json.load(open(sys.argv[2]))["matrix"]
assert rows and set(rows[0]) >= {"from", "to", "rule", "status", "ok", "blocked", "pending"}
assert sum(int(r["blocked"]) for r in rows) == sum(m["flows"]["blocked"] for m in js)
assert any(r["status"] == "not-visible" for r in rows)
EOF
else
	echo "# skip: $PY not found for the CSV parse checks"
fi
check "CSV: RFC 4180 line ends (CRLF) and a field with a comma quoted" eval \
	'[ "$(grep -c $'"'"'\r$'"'"' "$TMP/demo.csv")" -eq "$(wc -l <"$TMP/demo.csv")" ] &&
	grep -q "\"group ica-session: ws-app-to-vda-ica worked, ws-app-to-vda-cgp blocked\"" "$TMP/demo.csv"'
run tablenocsv "$FLOWAUDIT" -q "${DEMO[@]}" --table matrix
check "--table without --format csv: a usage error" eval 'status_is tablenocsv 2 && one_line_error tablenocsv "give --format csv"'
run diffcsv "$FLOWAUDIT" -q baseline diff "$TMP/x.json" "$TMP/y.json" --format csv
check "baseline diff --format csv: a usage error naming the formats it has" \
	eval 'status_is diffcsv 2 && one_line_error diffcsv "text, json or html"'

# --- local rules: the site file's own (site/<id>) and --add-rules, on top of the shipped matrices
cat >"$TMP/site-local.yaml" <<'YAML'
site: local
roles:
  workspace-app: 198.18.1.1
  vda: [198.18.2.10, 198.18.2.11]
  ddc: 198.18.3.10
  license-server: 198.18.3.20
  storefront: 198.18.3.30
  backup-server: 198.18.3.99
scope: [198.18.0.0/15]
matrices: [citrix-cvad, citrix-licensing, citrix-storefront]
rules:
  - id: sf-test-site
    category: other
    from: workspace-app
    to: storefront
    proto: tcp
    ports: [8080]
    description: the StoreFront test site
  - id: backup
    category: other
    from: vda
    to: backup-server
    proto: tcp
    ports: [10000]
YAML
"${FA[@]}" -r "$P/audit-demo.pcap" --site "$TMP/site-local.yaml" --conn-log "$TMP/local.conn" --format json -o "$TMP/local.json"
check "a site's own rule (site/sf-test-site) allows TCP 8080: the flow is ok, no longer unexpected" eval \
	'jq -se "[.[] | select(.\"id.resp_p\" == 8080)][0] | .verdict == \"ok\" and .rule == \"site/sf-test-site\"" \
		"$TMP/local.conn" >/dev/null && ! jq -e ".findings[] | select(.port == 8080)" "$TMP/local.json" >/dev/null'
check "the shipped matrices still apply next to the site's rules" \
	jqe '[.findings[] | select(.rule == "citrix-cvad/ws-app-to-vda-cgp")] | length >= 1' "$TMP/local.json"
run localcheck "$FLOWAUDIT" rules list --site "$TMP/site-local.yaml"
check "rules list --site shows the site's rules with their addresses" eval \
	'status_is localcheck 0 && grep -q "^vda (198.18.2.10, 198.18.2.11) | backup-server (198.18.3.99) | TCP | 10000 |" "$TMP/localcheck.out"'
sed 's/    to: storefront$/    to: storefrnt/' "$TMP/site-local.yaml" >"$TMP/site-typo.yaml"
run typo "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-typo.yaml"
check "a local rule naming a role the site does not define: file, line, column and a did-you-mean" eval \
	'status_is typo 2 && one_line_error typo "site-typo.yaml:15:9: local rule names role .storefrnt., which the site does not define .*did you mean .storefront.?"'
printf 'matrix: extra\nrules:\n  - {id: probe, category: other, from: workspace-app, to: ddc, proto: udp, ports: [9999]}\n' \
	>"$TMP/extra.yaml"
"${FA[@]}" "${DEMO[@]}" --add-rules "$TMP/extra.yaml" --conn-log "$TMP/add.conn" -o /dev/null
check "--add-rules adds a matrix to the shipped ones (and applies although the site lists its matrices)" \
	eval 'jq -se "[.[] | select(.\"id.resp_p\" == 9999)][0] | .rule == \"extra/probe\" and .verdict == \"blocked\"" \
		"$TMP/add.conn" >/dev/null && jq -se "[.[] | select(.rule == \"citrix-cvad/ws-app-to-vda-ica\")] | length == 1" "$TMP/add.conn" >/dev/null'
run addcount "$FLOWAUDIT" rules check --add-rules "$TMP/extra.yaml"
check "rules check --add-rules: the shipped matrices and one more" \
	eval 'status_is addcount 0 && [ "$(awk "{print \$1}" <<<"$(head -1 "$TMP/addcount.out")")" -eq \
		$(( $("$FLOWAUDIT" rules check | head -1 | awk "{print \$1}") + 1 )) ]'

# --- accepted exceptions: valid, expired, unused; they leave the findings and --fail-on
cp "$P/site-demo.yaml" "$TMP/site-accept.yaml"
cat >>"$TMP/site-accept.yaml" <<'YAML'
accept:
  - from: workspace-app
    to: vda
    proto: udp
    ports: [1494]
    reason: "EDT is off on this site until the new firewall (CHG-1234)"
    until: 2099-12-31
  - from: 198.18.1.1
    to: 198.18.3.30
    proto: tcp
    ports: 8080
    kind: unexpected
    reason: the StoreFront test site, approved
  - from: ddc
    to: license-server
    proto: tcp
    ports: [7279]
    reason: an old exception
    until: 2020-01-01
  - from: vda
    to: ddc
    proto: tcp
    ports: [443]
    reason: a stale one
YAML
run acc "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml" --format json -o "$TMP/acc.json"
check "accepted: EDT blocked and its fallback, and the approved 8080 flow, are marked accepted with the reason" \
	jqe '[.findings[] | select(.accepted) | [.kind, .port]] == [["blocked", 1494], ["fallback", 1494], ["unexpected", 8080]]
		and ([.findings[] | select(.accepted)][0].accept_reason | test("CHG-1234"))' "$TMP/acc.json"
check "accept entries report their status: used, used, expired (2020-01-01 accepts nothing), unused" \
	jqe '[.accept[] | .status] == ["used", "used", "expired", "unused"] and .accept[0].findings == 2' "$TMP/acc.json"
check "the expired entry accepted nothing: the 7279 reset is still a finding" \
	jqe '[.findings[] | select(.port == 7279 and .kind == "blocked" and (.accepted | not))] | length == 1' "$TMP/acc.json"
run accfail "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml" --fail-on fallback,unexpected -o /dev/null
check "--fail-on does not count accepted findings (fallback accepted; unexpected 9999 still counts: exit 1)" status_is accfail 1
run accfail2 "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml" --fail-on fallback -o /dev/null
check "--fail-on fallback with the fallback accepted: exit 0" status_is accfail2 0
"${FA[@]}" -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml" -o "$TMP/acc.txt"
check "text: an ACCEPTED section with the reason; expired and unused entries named with their line" eval \
	'grep -q "^ACCEPTED (3," "$TMP/acc.txt" && grep -q "accepted: EDT is off on this site" "$TMP/acc.txt" &&
	grep -q "^expired: accept entry at .*site-accept.yaml:[0-9]* (an old exception) ended on 2020-01-01" "$TMP/acc.txt" &&
	grep -q "^unused:  accept entry at .*site-accept.yaml:[0-9]* (a stale one) matched no finding" "$TMP/acc.txt"'
"${FA[@]}" -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml" --format csv -o "$TMP/acc.csv"
check "CSV: the accepted column" eval 'grep -c ",true," "$TMP/acc.csv" | grep -qx 3'
sed 's/  - from: ddc$/  - from: dcc/' "$TMP/site-accept.yaml" >"$TMP/site-accept-typo.yaml"
run acctypo "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-accept-typo.yaml"
check "an accept entry naming an undefined role: file, line, column, did you mean" eval \
	'status_is acctypo 2 && one_line_error acctypo "site-accept-typo.yaml:[0-9]*:[0-9]*: accept: .dcc. is neither a role the site defines nor an address or prefix; did you mean .ddc.?"'
printf '  - {from: vda, to: ddc, reason: x, until: 31.12.2026}\n' >>"$TMP/site-accept.yaml"
run accdate "$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-accept.yaml"
check "a bad 'until' date: one line saying the form" eval 'status_is accdate 2 && one_line_error accdate "until. is a date, YYYY-MM-DD"'

# --- common infrastructure (rules/common/): DNS to the site's DNS server, only where the site defines it
# dns_pcap FILE: a raw-IP capture of one DNS query 198.18.0.1:10053 -> 198.18.0.2:53 and its answer.
dns_pcap() {
	local sum
	sum=$((0x4500 + 0x24 + 0x4011 + 0xc612 + 0x0001 + 0xc612 + 0x0002))
	sum=$((~((sum & 0xffff) + (sum >> 16)) & 0xffff))
	{
		printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x65\0\0\0'
		printf '\x00\x00\x00\x6a\0\0\0\0\x24\0\0\0\x24\0\0\0'
		printf "\\x45\\x00\\x00\\x24\\x00\\x00\\x00\\x00\\x40\\x11\\x$(printf %02x $((sum >> 8)))\\x$(printf %02x $((sum & 255)))"
		printf '\xc6\x12\x00\x01\xc6\x12\x00\x02\x27\x45\x00\x35\x00\x10\x00\x00abcdefgh'
		printf '\x00\x00\x00\x6a\x10\x27\0\0\x24\0\0\0\x24\0\0\0'
		printf "\\x45\\x00\\x00\\x24\\x00\\x00\\x00\\x00\\x40\\x11\\x$(printf %02x $((sum >> 8)))\\x$(printf %02x $((sum & 255)))"
		printf '\xc6\x12\x00\x02\xc6\x12\x00\x01\x00\x35\x27\x45\x00\x10\x00\x00ijklmnop'
	} >"$1"
}
dns_pcap "$TMP/dns.pcap"
printf 'site: dns\nroles:\n  vda: 198.18.0.1\n  dns-server: 198.18.0.2\nscope: [198.18.0.0/15]\nmatrices: [citrix-cvad]\n' \
	>"$TMP/site-dns.yaml"
printf 'site: nodns\nroles:\n  vda: 198.18.0.1\nscope: [198.18.0.0/15]\nmatrices: [citrix-cvad]\n' >"$TMP/site-nodns.yaml"
"${FA[@]}" -r "$TMP/dns.pcap" --site "$TMP/site-dns.yaml" --conn-log "$TMP/dns.conn" -o "$TMP/dns.txt"
check "common practice: a VDA's DNS query to the site's DNS server is ok by common-active-directory/member-to-dns" \
	jqe 'select(.proto == "udp") | .verdict == "ok" and .rule == "common-active-directory/member-to-dns"' "$TMP/dns.conn"
check "common practice: the mode line counts the common matrix that applies (citrix-cvad and common-active-directory)" \
	grep -q "^mode .* 2 of [0-9]* matrices apply" "$TMP/dns.txt"
"${FA[@]}" -r "$TMP/dns.pcap" --site "$TMP/site-nodns.yaml" --conn-log "$TMP/nodns.conn" -o /dev/null
check "a site without a DNS server role: the common rules do not apply (the query is unexpected)" \
	jqe 'select(.proto == "udp") | .verdict == "unexpected" and .rule == null' "$TMP/nodns.conn"

# --- words: the reports end with what their words mean
"${FA[@]}" "${DEMO[@]}" -o "$TMP/words.txt"
"${FA[@]}" "${DEMO[@]}" --format html -o "$TMP/words.html"
check "text: a WORDS section with each word the report uses (and not the others)" eval \
	'sed -n "/^WORDS/,\$p" "$TMP/words.txt" >"$TMP/words.only" &&
	grep -q "blocked: a path the matrix allows that was not answered" "$TMP/words.only" &&
	grep -q "not-visible: an expected path neither of whose roles appears" "$TMP/words.only" &&
	grep -q "fallback: EDT (UDP) failed" "$TMP/words.only" && ! grep -q "tls-intercepted:" "$TMP/words.only"'
check "HTML: a Words section saying what the legend's statuses mean" eval \
	'grep -q "<section id=\"glossary\"><h2>Words</h2>" "$TMP/words.html" &&
	grep -q "<dt>incomplete</dt><dd>some but not all ports of a group" "$TMP/words.html"'

finish
