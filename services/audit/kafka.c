/* kafka.c — the replay of the agency topics (--from-kafka).
 *
 * Every partition of every topic matching --topic-pattern is read from its
 * beginning (or, with --since, from the first offset at or after that
 * date's midnight, Vietnam time, by rd_kafka_offsets_for_times) up to the
 * high watermark taken at the start. Each record is checked on every core
 * with lt_admit (signature with the key valid at recordedAt, and, with
 * --subject-key-file, the record key and headers) on a thread of its own
 * while the next batch is read. A refused record is a
 * finding unless the consolidator refused it too (it is in dead_letter at
 * the same topic, partition and offset).
 *
 * The admitted events become chain links (verified like the store's) and a
 * map (agency, sequence) → event hash, which the store replay then matches
 * event for event: the event store must hold exactly what the log holds. */
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "audit.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "kafka/kafka.h"

struct logkey { /* hashed as bytes: no padding */
    uint64_t agency;
    uint64_t seq;
};

struct logged {
    struct logkey k;
    uint8_t hash[LT_HASH_BYTES];
    int matched;
    UT_hash_handle hh;
};

struct refused {
    char where[200]; /* "topic/partition@offset" */
    UT_hash_handle hh;
};

/* The admission thread: batch K is checked (on every core) while the main
 * thread reads batch K+1 and takes batch K-1. */
struct stage {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const struct lt_admit_keys *keys;
    unsigned threads;
    rd_kafka_message_t **msgs; /* the batch being checked (borrowed) */
    struct lt_admission *adm;
    size_t n;
    int has_work, stop;
};

static void admit_one(void *arg, size_t i)
{
    struct stage *s = arg;
    lt_admit(s->keys, s->msgs[i]->payload, s->msgs[i]->len, s->msgs[i], &s->adm[i]);
}

static void *admit_thread(void *arg)
{
    struct stage *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->has_work && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->has_work)
            break;
        pthread_mutex_unlock(&s->mu);
        lt_parallel_for(s->threads, s->n, admit_one, s);
        pthread_mutex_lock(&s->mu);
        s->has_work = 0;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Waits until the admission thread holds no batch. */
static void stage_wait(struct stage *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->has_work)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

static void stage_hand(struct stage *s, rd_kafka_message_t **msgs, struct lt_admission *adm,
                       size_t n)
{
    pthread_mutex_lock(&s->mu);
    s->msgs = msgs;
    s->adm = adm;
    s->n = n;
    s->has_work = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* The records the consolidator refused, by place. */
static int load_refused(struct au *a, struct refused **set, char *err, size_t errlen)
{
    PGresult *r = PQexec(a->db, "SELECT kafka_topic || '/' || kafka_partition || '@' || "
                         "kafka_offset FROM dead_letter");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_err_set(err, errlen, LT_ERR_DB, "read dead letters: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        struct refused *d = lt_calloc(1, sizeof *d);
        snprintf(d->where, sizeof d->where, "%s", PQgetvalue(r, i, 0));
        HASH_ADD_STR(*set, where, d);
    }
    PQclear(r);
    return 0;
}

/* Assigns every partition of the matching topics from its start offset;
 * *ends gets each one's high watermark, *total the records to read. */
static rd_kafka_topic_partition_list_t *assign_all(struct au *a, rd_kafka_t *rk, int64_t *total,
                                                   char *err, size_t errlen)
{
    regex_t re;
    if (regcomp(&re, a->cfg.topic_pattern, REG_EXTENDED | REG_NOSUB) != 0) {
        lt_err_set(err, errlen, LT_ERR_CONFIG, "--topic-pattern %s is not a regular expression",
                   a->cfg.topic_pattern);
        return NULL;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t ke = rd_kafka_metadata(rk, 1, NULL, &md, 15000);
    if (ke) {
        regfree(&re);
        lt_err_set(err, errlen, LT_ERR_KAFKA, "metadata: %s", rd_kafka_err2str(ke));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    for (int t = 0; t < md->topic_cnt; t++) {
        if (regexec(&re, md->topics[t].topic, 0, NULL, 0) != 0)
            continue;
        for (int p = 0; p < md->topics[t].partition_cnt; p++) {
            rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(
                parts, md->topics[t].topic, md->topics[t].partitions[p].id);
            tp->offset = a->since != LT_DATE_NONE ? lt_date_vn_midnight_ms(a->since)
                                                  : RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    rd_kafka_metadata_destroy(md);
    regfree(&re);
    if (a->since != LT_DATE_NONE && parts->cnt &&
        (ke = rd_kafka_offsets_for_times(rk, parts, 15000)) != 0) {
        rd_kafka_topic_partition_list_destroy(parts);
        lt_err_set(err, errlen, LT_ERR_KAFKA, "offsets for times: %s", rd_kafka_err2str(ke));
        return NULL;
    }
    *total = 0;
    a->kafka_ends = lt_calloc((size_t)parts->cnt + 1, sizeof *a->kafka_ends);
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        int64_t lo = 0, hi = 0;
        ke = rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi, 15000);
        if (ke) {
            rd_kafka_topic_partition_list_destroy(parts);
            lt_err_set(err, errlen, LT_ERR_KAFKA, "watermarks of %s/%d: %s", tp->topic,
                       tp->partition, rd_kafka_err2str(ke));
            return NULL;
        }
        int64_t from = tp->offset == RD_KAFKA_OFFSET_BEGINNING ? lo
                     : tp->offset < 0 ? hi : tp->offset; /* -1: nothing at or after the date */
        if (tp->offset < 0 && tp->offset != RD_KAFKA_OFFSET_BEGINNING)
            tp->offset = RD_KAFKA_OFFSET_END;
        a->kafka_ends[i] = hi;
        *total += hi > from ? hi - from : 0;
    }
    return parts;
}

/* Takes the admitted and refused records of one batch. */
static void take(struct au *a, rd_kafka_message_t **msgs, struct lt_admission *adm, size_t n,
                 struct refused *dead, struct logged **log)
{
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_message_t *m = msgs[i];
        char where[200];
        snprintf(where, sizeof where, "%s/%d@%" PRId64, rd_kafka_topic_name(m->rkt), m->partition,
                 m->offset);
        a->n.events++;
        if (!adm[i].ok) {
            struct refused *d = NULL;
            HASH_FIND_STR(dead, where, d);
            const Lienthong__V1__Header *h = adm[i].ev ? adm[i].ev->header : NULL;
            if (!d)
                au_find(a, h && h->agency_code ? h->agency_code : rd_kafka_topic_name(m->rkt),
                        h ? h->sequence : 0, "refused_in_log", "record %s: %s (%s: %s); the "
                        "consolidator has no dead letter for it", where, adm[i].reason,
                        adm[i].stage, adm[i].code);
            else
                a->n.log_refused++;
            continue;
        }
        a->n.events_ok++;
        const Lienthong__V1__Header *h = adm[i].ev->header;
        if (a->n_links == a->cap_links) {
            a->cap_links = a->cap_links ? 2 * a->cap_links : 65536;
            a->links = lt_realloc(a->links, a->cap_links * sizeof *a->links);
        }
        char part[200];
        snprintf(part, sizeof part, "%s/%d", rd_kafka_topic_name(m->rkt), m->partition);
        struct au_link *l = &a->links[a->n_links++];
        memset(l, 0, sizeof *l);
        l->agency = au_intern(&a->agencies, &a->n_agencies, h->agency_code);
        l->partition = au_intern(&a->partitions, &a->n_partitions, part);
        l->seq = h->sequence;
        l->offset = m->offset;
        l->ingest_seq = (int64_t)a->n.events;
        if (h->prev_hash.len == LT_HASH_BYTES)
            memcpy(l->prev_hash, h->prev_hash.data, LT_HASH_BYTES);
        memcpy(l->hash, adm[i].event_hash, LT_HASH_BYTES);
        struct logkey k = { l->agency, l->seq };
        struct logged *e = NULL;
        HASH_FIND(hh, *log, &k, sizeof k, e);
        if (!e) { /* a re-sent or rival event keeps the first (chains judge them) */
            e = lt_calloc(1, sizeof *e);
            e->k = k;
            memcpy(e->hash, l->hash, LT_HASH_BYTES);
            HASH_ADD(hh, *log, k, sizeof e->k, e);
        }
    }
}

/* Reads up to cap records (at most 200 ms) of the unfinished partitions
 * into msgs; marks partitions done at their end. Returns the number read. */
static size_t gather(struct au *a, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts,
                     unsigned char *done, int *left, rd_kafka_message_t **msgs, size_t cap)
{
    size_t n = 0;
    int64_t until = lt_mono_ms() + 200;
    while (n < cap && *left > 0 && lt_mono_ms() < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 50);
        if (!m)
            continue;
        int idx = -1;
        for (int i = 0; i < parts->cnt && idx < 0; i++)
            if (parts->elems[i].partition == m->partition &&
                !strcmp(parts->elems[i].topic, rd_kafka_topic_name(m->rkt)))
                idx = i;
        int eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        int last = !m->err && idx >= 0 && m->offset + 1 >= a->kafka_ends[idx];
        if (idx >= 0 && !done[idx] && (eof || last)) {
            done[idx] = 1;
            (*left)--;
        }
        if (m->err || idx < 0 || m->offset >= a->kafka_ends[idx] || (done[idx] && !last)) {
            rd_kafka_message_destroy(m);
            continue;
        }
        msgs[n++] = m;
    }
    return n;
}

int au_kafka_replay(struct au *a, char *err, size_t errlen)
{
    struct refused *dead = NULL, *d, *dt;
    int rc = -1;
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_message_t **msgs[2];
    struct lt_admission *adm[2];
    for (int k = 0; k < 2; k++) {
        msgs[k] = lt_calloc((size_t)a->cfg.chunk, sizeof *msgs[k]);
        adm[k] = lt_calloc((size_t)a->cfg.chunk, sizeof *adm[k]);
    }
    char group[64];
    snprintf(group, sizeof group, "lt-audit-%ld", (long)lt_now_ms());
    const char *extra[] = { "enable.partition.eof", "true", "auto.offset.reset", "earliest", NULL };
    rd_kafka_t *rk = lt_kafka_consumer_new(a->cfg.kafka_bootstrap, group, "lt-audit", extra, err,
                                           errlen);
    if (!rk)
        goto out;
    if (load_refused(a, &dead, err, errlen) != 0)
        goto out;
    int64_t total = 0;
    if (!(parts = assign_all(a, rk, &total, err, errlen)))
        goto out;
    a->store_count_log = total;
    rd_kafka_resp_err_t ke = rd_kafka_assign(rk, parts);
    if (ke) {
        lt_err_set(err, errlen, LT_ERR_KAFKA, "assign: %s", rd_kafka_err2str(ke));
        goto out;
    }
    /* Partitions still to finish: those with records left. */
    int left = 0;
    unsigned char *done = lt_calloc((size_t)parts->cnt + 1, 1);
    for (int i = 0; i < parts->cnt; i++) {
        if (parts->elems[i].offset == RD_KAFKA_OFFSET_END || a->kafka_ends[i] == 0)
            done[i] = 1;
        left += !done[i];
    }
    struct stage st = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, &a->keys,
                        (unsigned)a->cfg.threads, NULL, NULL, 0, 0, 0 };
    pthread_t tid;
    if (pthread_create(&tid, NULL, admit_thread, &st) != 0) {
        free(done);
        lt_err_set(err, errlen, LT_ERR_IO, "cannot start the admission thread");
        goto out;
    }
    size_t held = 0; /* records of the batch being checked, in bufs[cur ^ 1] */
    int cur = 0, timed_out = 0;
    int64_t idle_since = lt_mono_ms();
    while ((left > 0 || held) && !timed_out) {
        size_t cap = (size_t)a->cfg.chunk;
        size_t n = left > 0 ? gather(a, rk, parts, done, &left, msgs[cur], cap) : 0;
        if (n)
            idle_since = lt_mono_ms();
        else if (left > 0 && lt_mono_ms() - idle_since > 30000)
            timed_out = 1;
        stage_wait(&st);
        if (held) {
            int prev = cur ^ 1;
            take(a, msgs[prev], adm[prev], held, dead, &a->log);
            for (size_t i = 0; i < held; i++) {
                lt_admission_clear(&adm[prev][i]);
                rd_kafka_message_destroy(msgs[prev][i]);
            }
            held = 0;
        }
        if (n && !timed_out) {
            stage_hand(&st, msgs[cur], adm[cur], n);
            held = n;
            cur ^= 1;
        } else {
            for (size_t i = 0; i < n; i++)
                rd_kafka_message_destroy(msgs[cur][i]);
        }
        au_progress(a, total, 0);
    }
    pthread_mutex_lock(&st.mu);
    st.stop = 1;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
    pthread_join(tid, NULL);
    if (timed_out) {
        free(done);
        lt_err_set(err, errlen, LT_ERR_TIMEOUT, "no record for 30 s with %d partition(s) "
                   "unfinished", left);
        goto out;
    }
    free(done);
    au_progress(a, total, 1);
    rc = 0;
out:
    if (parts)
        rd_kafka_topic_partition_list_destroy(parts);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    HASH_ITER(hh, dead, d, dt) {
        HASH_DEL(dead, d);
        free(d);
    }
    for (int k = 0; k < 2; k++) {
        free(msgs[k]);
        free(adm[k]);
    }
    return rc;
}

void au_log_match(struct au *a, const char *agency, uint64_t seq, const uint8_t *hash)
{
    if (!a->log)
        return;
    struct logkey k = { au_intern(&a->agencies, &a->n_agencies, agency), seq };
    struct logged *e = NULL;
    HASH_FIND(hh, a->log, &k, sizeof k, e);
    if (!e) {
        if (a->since == LT_DATE_NONE)
            au_find(a, agency, seq, "not_in_log", "the event store holds it but no agency topic "
                    "does (deleted or compacted from the topic, or inserted into the store)");
        return;
    }
    e->matched = 1;
    if (memcmp(e->hash, hash, LT_HASH_BYTES) != 0)
        au_find(a, agency, seq, "differs_from_log", "the stored event is not the one in the "
                "agency topic (different bytes at the same sequence)");
}

void au_log_finish(struct au *a)
{
    struct logged *e, *t;
    HASH_ITER(hh, a->log, e, t) {
        if (!e->matched)
            au_find(a, a->agencies[(size_t)e->k.agency], e->k.seq, "not_in_store",
                    "the agency topic holds it but the event store does not (removed from the "
                    "store, or not yet consumed)");
        HASH_DEL(a->log, e);
        free(e);
    }
}
