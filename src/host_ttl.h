/* host_ttl: the TTL / hop limit each host's packets have at the capture point, to tell who sent a RST */
#ifndef FLOWAUDIT_HOST_TTL_H
#define FLOWAUDIT_HOST_TTL_H

#include <stdbool.h>
#include <stdint.h>

struct host_ttl;

/*
 * At most max_hosts hosts are remembered (past it, new hosts are not: a
 * RST from one of them stays plain 'rst'). Each keeps up to HOST_TTL_MAX
 * distinct values (one host seen over two paths, or a mirror's two copies),
 * the largest kept when there are more.
 */
enum { HOST_TTL_MAX = 4 };
struct host_ttl *host_ttl_new(uint32_t max_hosts);
void host_ttl_free(struct host_ttl *ht);
/* A packet the host sent itself (not a RST) arrived with this TTL. */
void host_ttl_note(struct host_ttl *ht, int family, const uint8_t *addr, uint8_t ttl);
/* What is known of the host: -1 nothing (no packet of its own seen), 1 ttl is one of its values, 0 it is not. */
int host_ttl_matches(const struct host_ttl *ht, int family, const uint8_t *addr, uint8_t ttl);
/* Add what src knows to dst (workers' tables, before the refused attempts are judged). */
void host_ttl_merge(struct host_ttl *dst, const struct host_ttl *src);
/* The host's largest value (the evidence line's "host's N"), 0 when unknown. */
uint8_t host_ttl_of(const struct host_ttl *ht, int family, const uint8_t *addr);

#endif
