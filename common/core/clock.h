/* clock.h — the two clocks: wall time for event timestamps, monotonic time
 * for timeouts and rates. */
#ifndef LT_CORE_CLOCK_H
#define LT_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC (wall clock). */
int64_t lt_now_ms(void);
/* Milliseconds from an arbitrary start; never goes backwards. */
int64_t lt_mono_ms(void);

#endif
