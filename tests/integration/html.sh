#!/usr/bin/env bash
# html: the HTML report in a real browser (headless Chromium): no console errors, nothing loaded from
# elsewhere, the matrix's known cells read back from the DOM, escaping, A4 landscape print; a screenshot
# is left in the build tree (tests/html/)
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	if [ -n "${CI:-}" ]; then
		echo "not ok - chromium is not installed (CI installs Debian's chromium package)"
		exit 1
	fi
	echo "# skipped: chromium is not installed (apt-get install chromium)"
	exit 77
fi
SHOTS=$PWD/tests/html
mkdir -p "$SHOTS"

# browse WHAT ARGS...: headless Chromium on a local file, bounded, no network, its log on stderr.
browse() {
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--disable-extensions --disable-sync --no-default-browser-check --user-data-dir="$TMP/profile" \
		--enable-logging=stderr --v=0 "$@"
}
# dom FILE: the DOM after parsing, one document
dom() { browse --dump-dom "file://$1" 2>"$1.log"; }
# cell DOMFILE FROM TO: the data-status of the role matrix's cell
cell() { grep -o "data-from=\"$2\" data-to=\"$3\" data-status=\"[a-z-]*\"" "$1" | sed 's/.*data-status="//; s/"$//'; }
console_clean() { ! grep -q ':CONSOLE' "$1"; }

# --- the audit demo, with its site
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$P/site-demo.yaml" --format html -o "$TMP/demo.html"
check "demo: --format html -o writes the page, exit 1 (findings)" test $? -eq 1 -a -s "$TMP/demo.html"
check "demo: self-contained: no src= or href= to anything, no script" \
	eval '! grep -Eiq "(src|href)=|<script|@import|url\(" "$TMP/demo.html"'
dom "$TMP/demo.html" >"$TMP/demo.dom"
check "demo: Chromium parses it with no console message" eval 'test -s "$TMP/demo.dom" && console_clean "$TMP/demo.html.log"'
check "demo: workspace-app -> vda is blocked (CGP dropped, EDT dropped; ICA ok)" \
	test "$(cell "$TMP/demo.dom" workspace-app vda)" = blocked
check "demo: vda -> ddc is ok (registration)" test "$(cell "$TMP/demo.dom" vda ddc)" = ok
check "demo: ddc -> license-server is blocked (7279 reset, 27000 ok)" \
	test "$(cell "$TMP/demo.dom" ddc license-server)" = blocked
check "demo: cloud-connector -> citrix-cloud, neither end in the capture, is not visible (not missing)" \
	test "$(cell "$TMP/demo.dom" cloud-connector citrix-cloud)" = not-visible
check "demo: workspace-app -> ddc is unexpected (UDP 9999)" \
	test "$(cell "$TMP/demo.dom" workspace-app ddc)" = unexpected
check "demo: storefront -> ddc has a rule and no flow: not exercised" \
	test "$(cell "$TMP/demo.dom" storefront ddc)" = not-exercised
check "demo: a pair no rule covers shows no rule" test "$(cell "$TMP/demo.dom" citrix-cloud vda)" = none
check "demo: every matrix cell says its status in words" \
	eval '[ "$(grep -o "class=\"cell st-[a-z-]*\"" "$TMP/demo.dom" | wc -l)" -eq 49 ] &&
		[ "$(grep -o "<td class=\"cell [^>]*><details><summary><span class=\"word\">[a-z ]*</span>" "$TMP/demo.dom" | wc -l)" -eq \
		  "$(grep -o "class=\"cell st-[a-z-]*\"" "$TMP/demo.dom" | grep -vc "st-none")" ]'
check "demo: 11 findings, most serious first, blocked ones first, each with its id" \
	eval '[ "$(grep -o "<li class=\"finding\" id=\"F-[0-9a-f]\{6\}\" data-kind=\"[a-z-]*\"" "$TMP/demo.dom" | wc -l)" -eq 11 ] &&
		grep -o "data-kind=\"[a-z-]*\"" "$TMP/demo.dom" | head -1 | grep -q blocked'
check "demo: fallback and incomplete are told under the blocked findings they explain" \
	eval '[ "$(grep -o "<ul class=\"related\"><li class=\"finding\" id=\"F-[0-9a-f]*\" data-kind=\"\(fallback\|incomplete\)\"" "$TMP/demo.dom" | wc -l)" -eq 3 ]'
browse --hide-scrollbars --window-size=1400,1000 --screenshot="$SHOTS/audit-demo.png" "file://$TMP/demo.html" \
	2>"$TMP/shot.log" >/dev/null
check "demo: a screenshot (tests/html/audit-demo.png in the build tree)" test -s "$SHOTS/audit-demo.png"
browse --print-to-pdf="$SHOTS/audit-demo.pdf" --no-pdf-header-footer "file://$TMP/demo.html" 2>"$TMP/pdf.log" >/dev/null
check "demo: prints on A4 landscape (842 x 595 points)" \
	eval 'grep -a -o "MediaBox \[0 0 84[12][.0-9]* 59[45][.0-9]*\]" "$SHOTS/audit-demo.pdf" | head -1 | grep -q .'

# --- the payload evidence in the findings (SNI, issuer), escaped
"$FLOWAUDIT" -q -r "$P/tls12-intercepted.pcap" --format html -o "$TMP/tls.html"
dom "$TMP/tls.html" >"$TMP/tls.dom"
check "tls12-intercepted, port-only: the rule's status is tls-intercepted (a wire finding), the finding with SNI and issuer" \
	eval 'console_clean "$TMP/tls.html.log" && grep -q "data-rule=\"citrix-cvad/ws-app-to-vda-ssl\" data-status=\"tls-intercepted\"" "$TMP/tls.dom" &&
		grep -q "data-kind=\"tls-intercepted\"" "$TMP/tls.dom" && grep -q "SNI connector.cloud.com" "$TMP/tls.dom" &&
		grep -q "issuer CN=Zscaler Intermediate Root CA" "$TMP/tls.dom"'

# --- text from a file is escaped: a site named like markup stays text
cat >"$TMP/site-evil.yaml" <<'EOF'
site: "<img src=x onerror=alert(1)> & <b>bold</b>"
roles:
  vda: 198.18.2.10
  workspace-app: 198.18.1.1
EOF
"$FLOWAUDIT" -q -r "$P/audit-demo.pcap" --site "$TMP/site-evil.yaml" --format html -o "$TMP/evil.html" 2>/dev/null
dom "$TMP/evil.html" >"$TMP/evil.dom"
check "a site name with markup is escaped: no element made from it, no console message" \
	eval 'console_clean "$TMP/evil.html.log" && ! grep -q "<img" "$TMP/evil.dom" && ! grep -q "<b>" "$TMP/evil.dom" &&
		grep -q "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" "$TMP/evil.dom"'

# --- baseline diff: the same page, before -> after per cell (pcaps/README.md: CGP closed, EDT opened)
"$FLOWAUDIT" baseline save -q --site "$P/site-baseline.yaml" -r "$P/baseline-before.pcap" -o "$TMP/before.json"
"$FLOWAUDIT" baseline diff "$TMP/before.json" -q --site "$P/site-baseline-after.yaml" -r "$P/baseline-after.pcap" \
	--format html >"$TMP/diff.html" 2>/dev/null
echo $? >"$TMP/diff.status"
dom "$TMP/diff.html" >"$TMP/diff.dom"
check "baseline diff --format html: exit 1 (a path got worse), no console message" \
	eval '[ "$(cat "$TMP/diff.status")" -eq 1 ] && test -s "$TMP/diff.dom" && console_clean "$TMP/diff.html.log"'
check "baseline diff: workspace-app -> vda blocked -> blocked, 2 paths changed, one worse" \
	grep -q 'data-from="workspace-app" data-to="vda" data-before="blocked" data-after="blocked"><span class="word">blocked → blocked</span><span class="n">2 paths changed, worse</span>' \
	"$TMP/diff.dom"
check "baseline diff: ddc -> license-server ok -> ok" \
	grep -q 'data-from="ddc" data-to="license-server" data-before="ok" data-after="ok"' "$TMP/diff.dom"
check "baseline diff: the two changes listed, the worse one first" \
	eval '[ "$(grep -o "data-change=\"[a-z]*\"" "$TMP/diff.dom" | wc -l)" -eq 2 ] &&
		grep -o "<tr class=\"change\"[^>]*><td[^>]*><span class=\"word\">[a-z: ]*" "$TMP/diff.dom" | head -1 | grep -q "worse: changed"'
browse --hide-scrollbars --window-size=1400,900 --screenshot="$SHOTS/baseline-diff.png" "file://$TMP/diff.html" \
	2>"$TMP/shot2.log" >/dev/null
check "baseline diff: a screenshot (tests/html/baseline-diff.png)" test -s "$SHOTS/baseline-diff.png"

finish
