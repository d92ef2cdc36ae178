/* publisher.h — the agency engine: events in, signed and journaled, then
 * published to the agency's Kafka topic.
 *
 * Every input (HTTP, drop folder, outbox) hands decoded Events to one
 * publisher. The publisher owns the agency's chain: it fills the header fields
 * that belong to the service (event id, agency code, sequence, prev_hash,
 * recorded_at, schema version and, when the input left it out, the rule set),
 * validates, serializes once, signs, and appends the SignedEvent to the local
 * journal. A submission is acknowledged only after the journal is on disk
 * (fdatasync; one sync covers every batch waiting: group commit). A producer
 * thread then publishes journaled entries in order with an idempotent
 * producer (acks=all); an entry leaves the journal's pending set only on a
 * successful delivery report. If Kafka is down, inputs are still accepted
 * until the journal holds journal_max_bytes of unpublished events; then
 * submissions are refused with LT_PUB_FULL. After a crash, a restart resumes
 * the chain from the journal and re-sends every pending entry with its
 * identical signed bytes, so readers de-duplicate exactly.
 *
 * Inputs give each event a source id ("http:<idempotency key>:<n>",
 * "drop:<file>:<line>", "outbox:<schema>.<table>:<id>"); an id seen before is
 * answered with the original event instead of a second one. The index holds
 * the ids of the entries in the journal's retained segments (a segment is
 * deleted once all of it is published; the newest is always kept), so a retry
 * is recognised for as long as its event is in the journal. */
#ifndef LT_PUBLISH_PUBLISHER_H
#define LT_PUBLISH_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keyfile.h"
#include "event/validate.h"
#include "http/metrics.h"
#include "lienthong/v1/event.pb-c.h"

struct lt_publisher;

struct lt_publisher_config {
    const char *agency_code;
    const struct lt_key *key;             /* copied */
    const uint8_t *subject_secret;        /* 32 bytes, copied */
    const char *const *allowed_types;     /* body field names this agency may emit */
    size_t n_allowed;
    const char *journal_dir;
    uint64_t journal_max_bytes;           /* unpublished bytes before refusing */
    const char *kafka_bootstrap;
    const char *const *kafka_extra;       /* NULL-terminated key/value pairs, or NULL */
    const char *topic;
    int topic_partitions;                 /* when the topic must be created */
    struct lt_metrics *metrics;           /* may be NULL; not owned */
};

/* Outcome of one event of a submission. */
enum lt_pub_status {
    LT_PUB_ACCEPTED = 0, /* journaled: will be published */
    LT_PUB_DUPLICATE,    /* its source id was journaled before: the original is given */
    LT_PUB_INVALID,      /* refused by validation (see the violations) */
    LT_PUB_FULL,         /* the journal holds journal_max_bytes unpublished: retry later */
    LT_PUB_FAILED,       /* the journal could not be written */
};

struct lt_pub_result {
    enum lt_pub_status status;
    uint64_t sequence;
    uint8_t event_id[16];
};

/* Starts the publisher: opens (and recovers) the journal, loads the chain
 * head, creates the topic if missing, starts the writer and producer threads
 * and queues every pending entry for publishing. Returns LT_OK or an error
 * with a sentence in err. */
int lt_publisher_new(const struct lt_publisher_config *cfg, struct lt_publisher **out,
                     char *err, size_t errlen) __attribute__((warn_unused_result));

/* Stops accepting, publishes what it can within timeout_ms, closes the
 * journal (unpublished entries stay in it for the next start). NULL is a
 * no-op. */
void lt_publisher_free(struct lt_publisher *p, int timeout_ms);

/* Fills the service's header fields of ev (a placeholder sequence and
 * prev_hash; the writer sets the real ones) and validates it against the
 * contract, the legal rules of its date and the agency's allowed types.
 * Creates ev->header when absent. Returns LT_OK, or LT_ERR_INVALID with the
 * findings in *vr. Input fields the service owns are refused if the input
 * set them (eventId, sequence, prevHash, agencyCode of another agency). */
int lt_publisher_prepare(struct lt_publisher *p, Lienthong__V1__Event *ev,
                         struct lt_validate_result *vr) __attribute__((warn_unused_result));

/* Submits n prepared events as one all-or-nothing batch and waits until they
 * are durable (or refused). source_ids[i] may be NULL (no de-duplication).
 * Fills res[0..n). Returns LT_OK when every event is accepted or a
 * duplicate; LT_ERR_IO (journal write failed) or LT_ERR_TIMEOUT (shutting
 * down) otherwise, with res[i].status saying why (LT_PUB_FULL for all when
 * the journal is full). The events stay owned by the caller. */
int lt_publisher_submit(struct lt_publisher *p, Lienthong__V1__Event *const *events,
                        const char *const *source_ids, size_t n, struct lt_pub_result *res,
                        char *err, size_t errlen) __attribute__((warn_unused_result));

/* What the health endpoint reports. */
struct lt_publisher_health {
    int kafka_up;              /* a broker answered recently */
    uint64_t last_sequence;
    size_t pending;            /* journaled, not yet acknowledged by Kafka */
    uint64_t pending_bytes;
    uint64_t journal_max_bytes;
};
void lt_publisher_health(struct lt_publisher *p, struct lt_publisher_health *h);

/* 1 when source_id is already journaled (its event counts as submitted). */
int lt_publisher_has_source(struct lt_publisher *p, const char *source_id);

#endif
