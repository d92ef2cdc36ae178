/* events.h — a stored event back from the signed bytes the database keeps
 * (event_store.signed_bytes, read as hex text): the envelope and the event,
 * exactly as the agency signed them. Shared by the timeline (persons.c) and
 * the reports and forecast (reports.c), which read facts the folded rows do
 * not keep (a permit's category, a demand's positions). */
#ifndef LQ_EVENTS_H
#define LQ_EVENTS_H

#include "event/envelope.h"

/* Decodes hex (the bytea column as encode(…, 'hex')) into *se and *ev, both
 * the caller's to free (…__free_unpacked); both NULL unless the result is
 * LT_ENVELOPE_OK. A stored event decoded when it was admitted, so anything
 * else means a damaged store: logged. */
enum lt_envelope_result lq_event_from_hex(const char *hex, Lienthong__V1__SignedEvent **se,
                                          Lienthong__V1__Event **ev)
    __attribute__((warn_unused_result));

/* The permit terms an event carries (a permit issued or reissued, an
 * exemption certified or reported), NULL for any other event. Borrowed from
 * ev. */
const Lienthong__V1__PermitTerms *lq_event_terms(const Lienthong__V1__Event *ev);

/* Frees what lq_event_from_hex gave (either may be NULL). */
void lq_event_free(Lienthong__V1__SignedEvent *se, Lienthong__V1__Event *ev);

#endif
