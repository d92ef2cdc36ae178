/* parallel.h — a parallel for-loop over a range of indices, for CPU-bound
 * work on independent items (verifying a batch of signed events, folding a
 * batch of subjects) on every core.
 *
 *     lt_parallel_for(2, n, verify_one, batch);   // verify_one(batch, i), i in [0, n)
 *
 * The calling thread works too; threads-1 helpers are started for the call
 * and joined before it returns, so nothing outlives it. Items are handed out
 * in small chunks from a shared counter, so a slow item does not hold up a
 * whole half. fn must be safe to call concurrently for different i. */
#ifndef LT_CORE_PARALLEL_H
#define LT_CORE_PARALLEL_H

#include <stddef.h>

typedef void (*lt_parallel_fn)(void *arg, size_t i);

/* Runs fn(arg, i) for every i in [0, n) on up to `threads` threads (at least
 * one: the caller). Falls back to the caller alone if a thread cannot be
 * started. */
void lt_parallel_for(unsigned threads, size_t n, lt_parallel_fn fn, void *arg);

/* The number of online processors (at least 1). */
unsigned lt_parallel_cpus(void);

#endif
