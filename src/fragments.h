/* fragments: which flow a later IP fragment belongs to, learned from the first */
#ifndef FLOWAUDIT_FRAGMENTS_H
#define FLOWAUDIT_FRAGMENTS_H

#include <stdint.h>

#include "packet.h"

struct fragments;

struct fragments *fragments_new(void);
/* A first fragment (offset 0, more fragments): remember its tuple under its fragment id. */
void fragments_remember(struct fragments *fr, const struct packet *pkt);
/* A later fragment: the tuple of its first fragment, or NULL if that was not seen. */
const struct tuple *fragments_lookup(struct fragments *fr, const struct packet *pkt);
/* Forget datagrams whose first fragment is older than the reassembly timeout. */
void fragments_expire(struct fragments *fr, int64_t now_us);
void fragments_free(struct fragments *fr);

#endif
