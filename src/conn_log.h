/* conn_log: one JSON object per finished flow (JSON Lines), Zeek's conn.log fields */
#ifndef FLOWAUDIT_CONN_LOG_H
#define FLOWAUDIT_CONN_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "flow.h"
#include "rules.h"

struct conn_log;

/*
 * path "-" is stdout. Offline the file appears whole at conn_log_close (the
 * old one stays until then); live (a run of hours that 'tail -f' follows)
 * it is written in place and flushed after every flow. Returns NULL and
 * fills errbuf on failure.
 */
struct conn_log *conn_log_open(const char *path, bool live, uint64_t uid_seed, char *errbuf, size_t errlen);
/*
 * One finished flow's line, rendered into j (the caller's: each worker has
 * its own) and written under the log's lock. The audit fields come from cls
 * and rs; both NULL writes Zeek's fields only. ids (may be NULL): the
 * findings the flow belongs to, written as 'findings' when there are any.
 */
struct json;
struct finding_ids;
void conn_log_write(struct conn_log *cl, struct json *j, const struct flow *f, const struct classification *cls,
		    const struct rule_set *rs, const struct finding_ids *ids);
/* "tcp", "udp", "icmp" (ICMPv6 too), else "unknown_transport": the conn log's proto. */
const char *conn_log_proto_name(uint8_t proto);
/* Flush and close (the file put in place); returns -1 if any write failed (errbuf: "FILE: cannot write: why"). */
int conn_log_close(struct conn_log *cl, char *errbuf, size_t errlen);
/* A failed run: the conn log is dropped and an old file left as it was. */
void conn_log_abort(struct conn_log *cl);

/* Render one flow's conn log object (no newline) into j; shared with the JSON report and tests. */
struct json;
void conn_log_render(struct json *j, const struct flow *f, uint64_t uid_seed, const struct classification *cls,
		     const struct rule_set *rs);

#endif
