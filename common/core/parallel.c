/* parallel.c — lt_parallel_for (see parallel.h). */
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/parallel.h"

#define CHUNK 16

struct job {
    lt_parallel_fn fn;
    void *arg;
    size_t n;
    atomic_size_t next;
};

static void *work(void *p)
{
    struct job *j = p;
    for (;;) {
        size_t start = atomic_fetch_add(&j->next, CHUNK);
        if (start >= j->n)
            break;
        size_t end = start + CHUNK < j->n ? start + CHUNK : j->n;
        for (size_t i = start; i < end; i++)
            j->fn(j->arg, i);
    }
    return NULL;
}

void lt_parallel_for(unsigned threads, size_t n, lt_parallel_fn fn, void *arg)
{
    struct job j = { fn, arg, n, 0 };
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > (n + CHUNK - 1) / CHUNK)
        threads = (unsigned)((n + CHUNK - 1) / CHUNK);
    pthread_t *t = threads > 1 ? lt_calloc(threads - 1, sizeof *t) : NULL;
    unsigned started = 0;
    for (unsigned k = 0; k + 1 < threads; k++) {
        if (pthread_create(&t[k], NULL, work, &j) != 0)
            break;
        started++;
    }
    work(&j);
    for (unsigned k = 0; k < started; k++)
        pthread_join(t[k], NULL);
    free(t);
}

unsigned lt_parallel_cpus(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (unsigned)c : 1;
}
