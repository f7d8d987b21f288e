#!/usr/bin/env bash
# missed: the conn log's missed_bytes (Zeek's content gaps) for a capture that missed segments,
# and present as 0 wherever nothing was missed
set -u
. "$(dirname "$0")/lib.sh"

# pcaps/capture-loss.pcap: a real session with three data segments cut out of the file
# (pcaps/README.md): the client's 64 bytes and two of the server's 1448-byte segments,
# all acknowledged by the other side, so Zeek would log missed_bytes 64 + 2 * 1448 = 2960.
run loss "$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/capture-loss.pcap" --conn-log "$TMP/loss.json"
check "capture-loss: runs" status_is loss 0
check "capture-loss: missed_bytes 2960, history with G and g, bytes from the sequence numbers" \
	test "$(jq -c '[.missed_bytes, .history, .orig_bytes, .resp_bytes]' "$TMP/loss.json")" = \
	'[2960,"ShAaGdgFf",64,20000]'

# The JSON report's example flow is rendered by the conn log's code: the same field.
run loss_report "$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/capture-loss.pcap" --format json
check "capture-loss: the JSON report's example flow has missed_bytes 2960" \
	test "$(jq -c '[.findings[].example.missed_bytes]' "$TMP/loss_report.out")" = '[2960]'

# Nothing missed: missed_bytes is there, 0, on every flow of every protocol (Zeek's &default=0).
for name in tcp-complete offload-tso mirror-duplicates tcp-reset-midway ipv6-tcp-udp udp-exchange icmp-echo mixed; do
	run "$name" "$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/$name.pcap" --conn-log "$TMP/$name.json"
	check "$name: missed_bytes 0 on every flow" \
		test "$(jq -s 'length > 0 and all(.missed_bytes == 0)' "$TMP/$name.json")" = true
done
finish
