/* http_input.c — POST /v1/events: the agency software's HTTP input.
 *
 * Body: one Event in the protobuf JSON mapping, or a JSON array of them (a
 * batch, accepted whole or not at all, at most LT_HTTP_INPUT_MAX_BATCH).
 * Header fields the service owns (eventId, sequence, prevHash, recordedAtMs,
 * agencyCode) are left out; ruleSet and schemaVersion may be. An optional
 * Idempotency-Key header makes retries safe: the same key (and position in
 * the batch) is answered with the event first accepted for it.
 *
 * Answers: 202 {"accepted": [{"index", "eventId", "sequence", "duplicate"}]};
 * 400 (not JSON, or fields that do not map) and 422 (contract or legal rule
 * broken) as problem+json naming every invalid field with its index, path,
 * code and message; 413 too many events; 415 not JSON; 503 journal full
 * (Retry-After); 500 journal failure. */
#include <jansson.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "event/pbjson.h"
#include "http/server.h"
#include "publish/http_input.h"

static void add_error(json_t *errors, size_t index, const char *field, const char *code,
                      const char *message)
{
    json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "index", (json_int_t)index,
                                            "field", field, "code", code, "message", message));
}

static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
              (k[i] >= '0' && k[i] <= '9') || strchr("._:-", k[i])))
            return 0;
    return 1;
}

static int post_events(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lt_publisher *pub = arg;
    const char *ctype = lt_http_header(req, "Content-Type");
    if (!ctype || strncmp(ctype, "application/json", 16) != 0)
        return lt_http_problem(resp, 415, "unsupported-media-type", "Send JSON",
                               "Content-Type must be application/json: one Event in the protobuf "
                               "JSON mapping, or an array of them.", NULL);
    const char *idem = lt_http_header(req, "Idempotency-Key");
    if (idem && !key_ok(idem))
        return lt_http_problem(resp, 400, "bad-idempotency-key", "Bad Idempotency-Key",
                               "Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -",
                               NULL);
    size_t len;
    const uint8_t *body = lt_http_body(req, &len);
    json_error_t je;
    json_t *doc = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char detail[300];
        snprintf(detail, sizeof detail, "The body is not JSON: line %d, column %d: %s", je.line,
                 je.column, je.text);
        return lt_http_problem(resp, 400, "invalid-json", "Invalid JSON", detail, NULL);
    }
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    if (n == 0 || n > LT_HTTP_INPUT_MAX_BATCH) {
        json_decref(doc);
        char detail[160];
        snprintf(detail, sizeof detail, "A batch holds 1 to %d events; this one has %zu.",
                 LT_HTTP_INPUT_MAX_BATCH, n);
        return lt_http_problem(resp, n ? 413 : 400, "batch-size", "Batch size", detail, NULL);
    }

    Lienthong__V1__Event **events = lt_calloc(n, sizeof *events);
    char **sources = lt_calloc(n, sizeof *sources);
    struct lt_pub_result *res = lt_calloc(n, sizeof *res);
    json_t *errors = json_array();
    static __thread struct lt_pbjson_errors perrs;
    static __thread struct lt_validate_result vr;
    int mapping_errors = 0, rc;

    for (size_t i = 0; i < n; i++) {
        json_t *item = json_is_array(doc) ? json_array_get(doc, i) : doc;
        ProtobufCMessage *m = NULL;
        if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, item, &m, &perrs) != LT_OK) {
            mapping_errors = 1;
            for (size_t k = 0; k < perrs.n_stored; k++)
                add_error(errors, i, perrs.items[k].path, perrs.items[k].code,
                          perrs.items[k].message);
            continue;
        }
        events[i] = (Lienthong__V1__Event *)m;
        if (lt_publisher_prepare(pub, events[i], &vr) != LT_OK)
            for (size_t k = 0; k < vr.stored; k++)
                add_error(errors, i, vr.v[k].path, lt_validate_code_name(vr.v[k].code),
                          vr.v[k].message);
        if (idem)
            sources[i] = lt_asprintf("http:%s:%zu", idem, i);
    }
    if (json_array_size(errors) > 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "%zu problem%s in %zu event%s; nothing was accepted.",
                 json_array_size(errors), json_array_size(errors) == 1 ? "" : "s", n,
                 n == 1 ? "" : "s");
        rc = lt_http_problem(resp, mapping_errors ? 400 : 422,
                             mapping_errors ? "invalid-event" : "event-rejected",
                             mapping_errors ? "Invalid event" : "Event breaks a rule", detail,
                             json_pack("{s:o}", "errors", errors));
        errors = NULL;
        goto out;
    }

    char err[512];
    if (lt_publisher_submit(pub, events, (const char *const *)sources, n, res, err,
                            sizeof err) != LT_OK) {
        if (res[0].status == LT_PUB_FULL) {
            lt_http_header_add(resp, "Retry-After", "5");
            rc = lt_http_problem(resp, 503, "journal-full", "Journal full", err, NULL);
        } else {
            rc = lt_http_problem(resp, 500, "journal-failed", "Not accepted", err, NULL);
        }
        goto out;
    }
    json_t *acc = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[LT_UUID_STRLEN + 1];
        lt_uuid_format(res[i].event_id, id);
        char seq[24];
        snprintf(seq, sizeof seq, "%llu", (unsigned long long)res[i].sequence);
        json_array_append_new(acc, json_pack("{s:I, s:s, s:s, s:b}", "index", (json_int_t)i,
                                             "eventId", id, "sequence", seq, "duplicate",
                                             res[i].status == LT_PUB_DUPLICATE));
    }
    rc = lt_http_json(resp, 202, json_pack("{s:o}", "accepted", acc));
out:
    for (size_t i = 0; i < n; i++) {
        if (events[i])
            lienthong__v1__event__free_unpacked(events[i], NULL);
        free(sources[i]);
    }
    free(events);
    free(sources);
    free(res);
    json_decref(errors);
    json_decref(doc);
    return rc;
}

int lt_http_input_mount(struct lt_http_server *srv, struct lt_publisher *pub)
{
    return lt_http_route(srv, "POST", "/v1/events", post_events, pub);
}
