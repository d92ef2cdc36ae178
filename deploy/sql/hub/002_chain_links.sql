-- 002_chain_links.sql — what the consolidator needs to follow each agency's
-- hash chain without decoding stored events again, and the alarms for a chain
-- that does not link.
--
-- event_store.prev_hash: the Header.prev_hash of the event (32 bytes), copied
-- from the verified event at admission, so the chain head can advance with a
-- plain query. chain_breaks: an event whose prev_hash is not the hash of the
-- agency's event before it (an altered or forged link): an alarm, like a fork.
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

ALTER TABLE event_store ADD COLUMN prev_hash bytea CHECK (octet_length(prev_hash) = 32);
COMMENT ON COLUMN event_store.prev_hash IS
    'Header.prev_hash of the event: BLAKE2b-256 of the agency''s previous event (32 zero bytes for sequence 1).';

CREATE TABLE chain_breaks (
    id            bigserial   PRIMARY KEY,
    agency_code   text        NOT NULL,
    sequence      bigint      NOT NULL CHECK (sequence >= 2),
    event_id      uuid        NOT NULL REFERENCES event_store (event_id),
    expected_hash bytea       NOT NULL CHECK (octet_length(expected_hash) = 32),
    found_hash    bytea       NOT NULL CHECK (octet_length(found_hash) = 32),
    detected_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_code, sequence)
);
COMMENT ON TABLE chain_breaks IS
    'Alarm: the event at (agency_code, sequence) does not link to the event before it; the chain head stops there until an operator investigates.';
COMMENT ON COLUMN chain_breaks.id IS 'Row id.';
COMMENT ON COLUMN chain_breaks.agency_code IS 'The agency whose chain breaks.';
COMMENT ON COLUMN chain_breaks.sequence IS 'The sequence number of the event that does not link.';
COMMENT ON COLUMN chain_breaks.event_id IS 'That event (stored: its signature was valid).';
COMMENT ON COLUMN chain_breaks.expected_hash IS 'event_hash of the stored event at sequence - 1.';
COMMENT ON COLUMN chain_breaks.found_hash IS 'The prev_hash the event carries.';
COMMENT ON COLUMN chain_breaks.detected_at IS 'When the consolidator found it.';

GRANT SELECT, INSERT ON chain_breaks TO lienthong_consolidator;
GRANT USAGE ON SEQUENCE chain_breaks_id_seq TO lienthong_consolidator;
GRANT SELECT ON chain_breaks TO lienthong_reader;
