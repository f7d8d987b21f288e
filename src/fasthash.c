/* fasthash: the per-process seed */
#include "fasthash.h"

#include <stdbool.h>
#include <sys/random.h>

uint64_t fasthash_seed = 0x6a09e667f3bcc909ULL;

void fasthash_seed_once(void)
{
	static bool seeded;
	uint64_t s;

	if (seeded)
		return;
	seeded = true;
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		fasthash_seed = s;
}
