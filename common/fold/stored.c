/* stored.c — one subject's fold from its stored events (see stored.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "event/envelope.h"
#include "fold/stored.h"

int lt_fold_stored_signed(const uint8_t *const *bufs, const size_t *lens, size_t n, int32_t as_of,
                          const struct lt_fold_params *params, struct lt_fold_stored *out,
                          char *err, size_t errlen)
{
    lt_fold_stored_clear(out);
    int rc = LT_ERR_INVALID;
    struct lt_fold_input *in = lt_calloc(n + 1, sizeof *in);
    Lienthong__V1__SignedEvent **ses = lt_calloc(n + 1, sizeof *ses);
    Lienthong__V1__Event **evs = lt_calloc(n + 1, sizeof *evs);
    struct lt_fold_result *fr = lt_fold_result_new();
    for (size_t k = 0; k < n; k++) {
        if (lt_envelope_open(bufs[k], lens[k], &ses[k]) != LT_ENVELOPE_OK ||
            lt_envelope_event(ses[k], &evs[k]) != LT_ENVELOPE_OK ||
            evs[k]->header->event_id.len != 16) {
            lt_err_set(err, errlen, LT_ERR_INVALID, "stored event %zu of %zu cannot be decoded",
                       k + 1, n);
            goto out;
        }
        in[k].ev = evs[k];
        memcpy(in[k].event_id, evs[k]->header->event_id.data, 16);
    }
    if (lt_fold_subject(in, n, as_of, params, fr, err, errlen) != LT_OK)
        goto out;
    json_t *row = lt_fold_row_json(fr);
    out->row_text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(row);
    if (!out->row_text) {
        lt_err_set(err, errlen, LT_ERR_INVALID, "the folded row of %s cannot be written as JSON",
                   fr->subject_id);
        goto out;
    }
    out->kind = fr->kind;
    out->events = fr->events_folded;
    out->n_alerts = fr->alert_count < LT_FOLD_MAX_ALERTS ? fr->alert_count : LT_FOLD_MAX_ALERTS;
    memcpy(out->alerts, fr->alerts, out->n_alerts * sizeof out->alerts[0]);
    if (fr->kind == LT_SUBJECT_FOREIGNER) {
        out->fw = lt_malloc(sizeof *out->fw);
        *out->fw = fr->foreign;
    } else if (fr->kind == LT_SUBJECT_ENTERPRISE) {
        out->em = lt_malloc(sizeof *out->em);
        *out->em = fr->employer;
    }
    out->ok = 1;
    rc = LT_OK;
out:
    for (size_t k = 0; k < n; k++) {
        if (evs[k])
            lienthong__v1__event__free_unpacked(evs[k], NULL);
        if (ses[k])
            lienthong__v1__signed_event__free_unpacked(ses[k], NULL);
    }
    free(evs);
    free(ses);
    free(in);
    lt_fold_result_free(fr);
    return rc;
}

int lt_fold_stored_employer_alert(struct lt_fold_stored *w, const struct lt_fold_employer *e,
                                  int32_t as_of)
{
    if (!w->ok || !w->fw || w->n_alerts >= LT_FOLD_MAX_ALERTS + 1)
        return 0;
    if (!lt_fold_employer_alert(w->fw, e, as_of, &w->alerts[w->n_alerts]))
        return 0;
    w->n_alerts++;
    return 1;
}

int lt_fold_stored_employer_from_row(const char *row_text, struct lt_fold_employer *e)
{
    json_error_t je;
    json_t *row = json_loads(row_text, 0, &je);
    if (!json_is_object(row)) {
        json_decref(row);
        return LT_ERR_INVALID;
    }
    e->demands_approved = (unsigned)json_integer_value(json_object_get(row, "demandsApproved"));
    json_t *dec = json_object_get(row, "approvedDecisions"), *v;
    size_t i;
    json_array_foreach(dec, i, v) {
        if (e->approved_decision_count < LT_FOLD_MAX_DECISIONS && json_is_string(v))
            snprintf(e->approved_decisions[e->approved_decision_count++], LT_FOLD_CODE_MAX, "%s",
                     json_string_value(v));
    }
    json_decref(row);
    return LT_OK;
}

void lt_fold_stored_clear(struct lt_fold_stored *s)
{
    if (!s)
        return;
    free(s->row_text);
    free(s->fw);
    free(s->em);
    memset(s, 0, sizeof *s);
}
