/* events.c — stored events decoded from their signed bytes (events.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/log.h"
#include "core/mem.h"
#include "events.h"

#define COMP "query"

enum lt_envelope_result lq_event_from_hex(const char *hex, Lienthong__V1__SignedEvent **se,
                                          Lienthong__V1__Event **ev)
{
    size_t hexlen = strlen(hex), len = 0;
    uint8_t *bin = lt_malloc(hexlen / 2 + 1);
    enum lt_envelope_result er = LT_ENVELOPE_UNDECODABLE;
    *se = NULL;
    *ev = NULL;
    if (sodium_hex2bin(bin, hexlen / 2 + 1, hex, hexlen, NULL, &len, NULL) == 0 &&
        (er = lt_envelope_open(bin, len, se)) == LT_ENVELOPE_OK)
        er = lt_envelope_event(*se, ev);
    free(bin);
    if (er != LT_ENVELOPE_OK) {
        lt_error(COMP, "a stored event does not decode: %s", lt_envelope_result_name(er));
        lq_event_free(*se, *ev);
        *se = NULL;
        *ev = NULL;
    }
    return er;
}

const Lienthong__V1__PermitTerms *lq_event_terms(const Lienthong__V1__Event *ev)
{
    switch (ev->body_case) {
    case LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_ISSUED:
        return ev->work_permit_issued->terms;
    case LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REISSUED:
        return ev->work_permit_reissued->terms;
    case LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_CERTIFIED:
        return ev->work_permit_exemption_certified->terms;
    case LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_REPORTED:
        return ev->work_permit_exemption_reported->terms;
    default:
        return NULL;
    }
}

void lq_event_free(Lienthong__V1__SignedEvent *se, Lienthong__V1__Event *ev)
{
    if (ev)
        lienthong__v1__event__free_unpacked(ev, NULL);
    if (se)
        lienthong__v1__signed_event__free_unpacked(se, NULL);
}
