/* asan: marking memory a pool owns but has not handed out, for AddressSanitizer (no-ops without it) */
#ifndef FLOWAUDIT_ASAN_H
#define FLOWAUDIT_ASAN_H

/*
 * Memory recycled or carved by hand (the flow slabs, the YAML arena) is
 * invisible to ASan unless marked: poisoned, any access to it is reported
 * as if it were freed. FA_ASAN is 1 in a build with -fsanitize=address, else 0.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FA_ASAN 1
#endif
#endif
#ifdef FA_ASAN
#include <sanitizer/asan_interface.h>
#define asan_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define asan_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FA_ASAN 0
#define asan_poison(p, n) ((void)(p), (void)(n))
#define asan_unpoison(p, n) ((void)(p), (void)(n))
#endif

#endif
