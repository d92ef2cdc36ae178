/* stored.h — one subject's fold from its stored events, as the projections
 * keep it: shared by the consolidator (live rows and alerts) and the audit
 * tool (the rebuild it diffs against them), so both run the same steps.
 *
 *   SignedEvent bytes (as stored) → decode envelope and event (no signature
 *   check: the caller has verified them) → lt_fold_subject → the row as
 *   compact JSON with sorted keys, the alerts, and the parts of the row the
 *   cross-subject employer alert needs.
 *
 * Pure C: no database, no clock, no globals; safe on any thread. */
#ifndef LT_FOLD_STORED_H
#define LT_FOLD_STORED_H

#include <stddef.h>
#include <stdint.h>

#include "fold/fold.h"

/* What a subject's fold leaves for the projections. Zero it before the
 * first use; release with lt_fold_stored_clear. */
struct lt_fold_stored {
    int ok;                            /* 1: folded; 0: nothing below is set */
    enum lt_subject_kind kind;
    char *row_text;                    /* lt_fold_row_json, compact, sorted keys; owned */
    size_t events;                     /* events folded into the row */
    size_t n_alerts;
    /* The fold's alerts (at most LT_FOLD_MAX_ALERTS) and room for the
     * cross-subject one (lt_fold_stored_employer_alert). */
    struct lt_fold_alert alerts[LT_FOLD_MAX_ALERTS + 1];
    struct lt_fold_foreign_worker *fw; /* foreigners: the row; owned, else NULL */
    struct lt_fold_employer *em;       /* employers: the row; owned, else NULL */
};

/* Decodes the n SignedEvents bufs[i] (lens[i] bytes each, all about one
 * subject, any order) and folds them as of the day as_of with params (NULL:
 * the defaults) into *out (cleared first). Returns LT_OK, or LT_ERR_INVALID
 * with a sentence in err when an event does not decode (or has no 16-byte
 * id) or the fold refuses them; *out then has ok = 0. */
int lt_fold_stored_signed(const uint8_t *const *bufs, const size_t *lens, size_t n, int32_t as_of,
                          const struct lt_fold_params *params, struct lt_fold_stored *out,
                          char *err, size_t errlen) __attribute__((warn_unused_result));

/* The cross-subject alert (lt_fold_employer_alert) of a folded foreign
 * worker w against its employer's folded row e (NULL: the employer has no
 * events), appended to w's alerts when it holds. Does nothing for a subject
 * that did not fold or is not a foreigner. Returns 1 when appended. */
int lt_fold_stored_employer_alert(struct lt_fold_stored *w, const struct lt_fold_employer *e,
                                  int32_t as_of);

/* An employer's stored row (lt_fold_row_json text) back into the fields the
 * employer alert reads (approved demands and their decision numbers); the
 * rest of *e is left as it is. Returns LT_OK, or LT_ERR_INVALID when the
 * text is not a JSON object. */
int lt_fold_stored_employer_from_row(const char *row_text, struct lt_fold_employer *e)
    __attribute__((warn_unused_result));

/* Releases what *s owns and zeroes it; NULL is a no-op. */
void lt_fold_stored_clear(struct lt_fold_stored *s);

#endif
