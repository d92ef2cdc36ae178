/* signals.h — how a multi-threaded Lienthong service stops: SIGTERM and
 * SIGINT are blocked in every thread (set before any thread starts, so new
 * threads inherit the mask) and the main thread takes them with sigwait();
 * SIGPIPE is ignored so a client that goes away is an error, not a death. */
#ifndef LT_CORE_SIGNALS_H
#define LT_CORE_SIGNALS_H

#include <signal.h>

/* Blocks SIGTERM and SIGINT in the calling thread (and every thread it starts
 * afterwards), ignores SIGPIPE, and fills *stop with the two stop signals
 * for sigwait(). Call before starting any thread. */
void lt_signals_block_stop(sigset_t *stop);

#endif
