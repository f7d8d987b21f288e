/* classify: a finished flow against the port matrix and the site -> verdict, reason, rule, roles */
#ifndef FLOWAUDIT_CLASSIFY_H
#define FLOWAUDIT_CLASSIFY_H

#include <stdint.h>

#include "flow.h"
#include "rules.h"
#include "site.h"
#include "verdict.h"

enum { CLASSIFY_MAX_MATCHES = 8 };

struct classification {
	enum verdict verdict;
	enum reason reason;
	int rule;			/* the deciding rule, index into rule_set.rules, or -1 */
	int orig_role;			/* role index or ROLE_NONE */
	int resp_role;
	int matches[CLASSIFY_MAX_MATCHES];	/* every allow rule the flow matches (for 'missing') */
	int nmatches;
};

struct classifier;

/* site NULL: port-only mode (rules match on protocol and port alone, nothing is in scope). */
struct classifier *classify_new(const struct rule_set *rs, const struct site *site, int64_t pending_window_us);
/* now_us: the newest packet time of the capture when the flow is classified. */
void classify_flow(const struct classifier *c, const struct flow *f, int64_t now_us, struct classification *out);
void classify_free(struct classifier *c);

/*
 * How a flow went, from its packets alone: V_OK (answered), V_BLOCKED (with
 * no-reply, rst or an icmp-* reason), V_INTERRUPTED, V_ONE_SIDED, or
 * V_RELATED for an ICMP error message.
 */
enum verdict classify_outcome(const struct flow *f, enum reason *reason);

#endif
