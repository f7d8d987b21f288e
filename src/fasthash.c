/* fasthash: the per-process seed */
#include "fasthash.h"

#include <pthread.h>
#include <sys/random.h>

uint64_t fasthash_seed = 0x6a09e667f3bcc909ULL;

static void draw_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		fasthash_seed = s;
}

/* Once per process, whichever worker thread asks first (tables hashed with it stay valid). */
void fasthash_seed_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, draw_seed);
}
