#!/usr/bin/env bash
# wire: what the first payload bytes say, on captures of real software (pcaps/README.md): services,
# TLS names and versions, and the findings wrong-protocol, tls-intercepted and middlebox-reset
set -u
. "$(dirname "$0")/lib.sh"

P=$SRCDIR/pcaps
command -v jq >/dev/null || { echo "# skipped: jq is not installed"; exit 77; }

# run NAME FILE [ARGS...]: text report, JSON report and conn log of FILE; status in $TMP/NAME.status
run() {
	local name=$1 file=$2
	shift 2
	timeout 30 "$FLOWAUDIT" -q -r "$P/$file" --conn-log "$TMP/$name.conn" -o "$TMP/$name.txt" "$@" \
		2>"$TMP/$name.err"
	echo $? >"$TMP/$name.status"
	timeout 30 "$FLOWAUDIT" -q -r "$P/$file" --format json "$@" >"$TMP/$name.json" 2>>"$TMP/$name.err"
}
# conn NAME PORT FILTER: the conn-log line of the flow to responder port PORT satisfies the jq filter
conn() { jq -se "[.[] | select(.\"id.resp_p\" == $2)] | length == 1 and (.[0] | $3)" "$TMP/$1.conn" >/dev/null; }
# conn_orig NAME ORIG_PORT FILTER: the same, by originator port
conn_orig() { jq -se "[.[] | select(.\"id.orig_p\" == $2)] | length == 1 and (.[0] | $3)" "$TMP/$1.conn" >/dev/null; }
# findings NAME: "kind port count" per finding, sorted
findings() { jq -r '.findings[] | "\(.kind) \(.port) \(.count)"' "$TMP/$1.json" | sort | tr '\n' ';'; }
json() { jq -e "$2" "$TMP/$1.json" >/dev/null; }
nothing_on_stderr() { [ ! -s "$TMP/$1.err" ]; }

ZS='CN=Zscaler Intermediate Root CA (zscaler.net),OU=Zscaler Inc.,O=Zscaler Inc.,C=US'
DC='CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US'

# --- TLS 1.2 through an inspection product: the substituted chain is on the wire
run zs tls12-intercepted.pcap
check "tls12-intercepted: exit 1 (tls-intercepted is in the default --fail-on)" status_is zs 1
check "tls12-intercepted: service ssl, SNI, TLSv12, the Zscaler-named issuer and root" \
	conn zs 443 ".service == \"ssl\" and .server_name == \"connector.cloud.com\" and .tls_version == \"TLSv12\"
		and .cert_visible == true and .cert_issuer == \"$ZS\" and (.cert_chain | startswith(\"CN=Zscaler Root CA\"))
		and (.cert_subject | startswith(\"CN=*.cloud.com,\"))"
check "tls12-intercepted: one tls-intercepted finding, nothing else" test "$(findings zs)" = "tls-intercepted 443 1;"
check "tls12-intercepted: the JSON evidence names SNI, issuer and the product" \
	json zs '.findings[0].evidence | test("server name connector.cloud.com, TLSv12; subject CN=\\*\\.cloud\\.com.*; issuer CN=Zscaler.*inspection product \\(Zscaler\\)")'
check "tls12-intercepted: the text report shows the evidence under the finding" \
	grep -q '^ *server name connector.cloud.com, TLSv12; subject CN=\*.cloud.com,O=Cloud Software Group\\, Inc.*(Zscaler)$' "$TMP/zs.txt"
check "tls12-intercepted: payload line counts the handshake and the certificate" \
	grep -q '1 TLS/DTLS client hello, 1 certificate message read, 0 broken' "$TMP/zs.txt"

# --- the same shape with a public CA: nothing to find
run dc tls12-public.pcap
check "tls12-public: exit 0, no finding" eval 'status_is dc 0 && test "$(findings dc)" = ""'
check "tls12-public: SNI under xendesktop.net, the DigiCert-named issuer" \
	conn dc 443 ".server_name == \"customer.xendesktop.net\" and .cert_issuer == \"$DC\" and .cert_visible == true"
# A site that watches nothing new but narrows nothing either leaves it alone; one that
# does not expect DigiCert cannot make a public CA suspicious (the public list stays).
cat >"$TMP/site-tls.yaml" <<EOF
site: wire-test
roles:
  vda: 198.18.3.2
tls:
  server_names: ['*.example.org']
  issuers: ['Example Corp Issuing CA']
EOF
run dcsite tls12-public.pcap --site "$TMP/site-tls.yaml"
check "tls12-public with a site tls: block: still no finding" eval 'status_is dcsite 0 && test "$(findings dcsite)" = ""'

# --- TLS 1.3: the certificate is encrypted; nothing is guessed, and the report says so
run t13 tls13-cloud.pcap
check "tls13-cloud: exit 0, no finding" eval 'status_is t13 0 && test "$(findings t13)" = ""'
check "tls13-cloud: IPv6, SNI, TLSv13, cert_visible false, no certificate names" \
	conn t13 443 '(."id.resp_h" | test(":")) and .server_name == "connector.cloud.com" and .tls_version == "TLSv13"
		and .cert_visible == false and .cert_issuer == null'
check "tls13-cloud: the report counts it as not judged" \
	eval 'grep -q "1 TLS 1.3 session to watched names was not judged" "$TMP/t13.txt" &&
		json t13 ".summary.payload.tls_not_judged_tls13 == 1"'

# --- DTLS 1.2 over UDP 443
run dtls dtls12.pcap
check "dtls12: service dtls, SNI, DTLSv12, the leaf's issuer" \
	conn dtls 443 ".proto == \"udp\" and .service == \"dtls\" and .server_name == \"customer.xendesktop.net\"
		and .tls_version == \"DTLSv12\" and .cert_issuer == \"$DC\""
check "dtls12: no finding" test "$(findings dtls)" = ""

# --- ICA and CGP where they belong
run ica ica-cgp.pcap
check "ica-cgp: exit 0, no finding" eval 'status_is ica 0 && test "$(findings ica)" = ""'
check "ica-cgp: both 1494 sessions (IPv4 and IPv6) are ica" \
	test "$(jq -r 'select(."id.resp_p" == 1494) | .service' "$TMP/ica.conn" | sort | uniq -c | awk '{print $1, $2}')" = "2 ica"
check "ica-cgp: the 2598 session is cgp" conn ica 2598 '.service == "cgp"'

# --- the wrong protocol on matrix ports, and ICA off the matrix
run wp wrong-protocol.pcap
check "wrong-protocol: exit 1" status_is wp 1
check "wrong-protocol: HTTP on 2598, SSH on 1494, ICA on 1495, each a wrong-protocol finding" \
	test "$(findings wp)" = "wrong-protocol 1494 1;wrong-protocol 1495 1;wrong-protocol 2598 1;"
check "wrong-protocol: services in the conn log" \
	eval 'conn wp 2598 ".service == \"http\"" && conn wp 1494 ".service == \"ssh\"" && conn wp 1495 ".service == \"ica\""'
check "wrong-protocol: the evidence says what was expected" \
	eval 'json wp "[.findings[] | select(.port == 2598) | .evidence] == [\"service http, expected cgp: the port'"'"'s rule expects another protocol\"]" &&
		json wp "[.findings[] | select(.port == 1495) | .evidence] == [\"service ica: no loaded rule expects this protocol on this port\"]"'
run wpno wrong-protocol.pcap --no-inspect
check "--no-inspect: no service, no payload finding, exit 0" \
	eval 'status_is wpno 0 && test "$(findings wpno)" = "" && ! grep -q service "$TMP/wpno.conn" &&
		json wpno ".summary.payload == null"'

# --- a reset forged by a device in the path, next to one the endpoint sent itself
run mb middlebox-reset.pcap
check "middlebox-reset: exit 1" status_is mb 1
check "middlebox-reset: one middlebox-reset finding; the client's own abort is no finding (ok, orig-reset)" \
	test "$(findings mb)" = "middlebox-reset 1494 1;"
check "middlebox-reset: the forged RST's TTL and IP ID against its side's" \
	eval 'jq -se "[.[] | select(.reason == \"middlebox-reset\")] | length == 1 and (.[0] |
		.verdict == \"interrupted\" and .rst_ttl != .rst_side_ttl and .rst_from != null and .rst_ip_id != null)" \
		"$TMP/mb.conn" >/dev/null'
check "middlebox-reset: the client's own RST (RSTO) is ok/orig-reset, without rst_ fields" \
	eval 'jq -se "[.[] | select(.reason == \"orig-reset\")] | length == 1 and (.[0].rst_ttl == null) and
		.[0].verdict == \"ok\" and .[0].conn_state == \"RSTO\"" "$TMP/mb.conn" >/dev/null'
check "middlebox-reset: the evidence line names both TTLs" \
	grep -Eq '^ *RST from the (originator|responder) with TTL [0-9]+, IP ID [0-9]+; that side.s other packets: TTL [0-9]+' \
	"$TMP/mb.txt"

# --- broken TLS: counted, never a crash, never a guess
run bad tls-malformed.pcap
check "tls-malformed: exit 0 and nothing on stderr" eval 'status_is bad 0 && nothing_on_stderr bad'
check "tls-malformed: three ssl flows; the broken certificate gives no names" \
	test "$(jq -r '[.service, (.cert_issuer // "-")] | join(" ")' "$TMP/bad.conn" | sort | uniq -c |
		awk '{print $1, $2, $3}' | tr '\n' ';')" = "3 ssl -;"
check "tls-malformed: the broken messages and the hello cut short are counted" \
	json bad '.summary.payload.tls_malformed == 2 and .summary.payload.cut_short == 1'

finish
