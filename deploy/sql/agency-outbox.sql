-- agency-outbox.sql — the transactional outbox an agency creates in ITS OWN
-- PostgreSQL database (not the hub's) so that its software can hand events to
-- its Lienthong agency service (common/publish/outbox.c).
--
-- Why an outbox: the agency's software inserts the event in the SAME
-- transaction as its own business change (the permit row, the entry record).
-- Either both commit or neither does, so the hub never hears of a change that
-- was rolled back and never misses one that was committed. The service picks
-- rows up (LISTEN/NOTIFY, with a poll as a safety net), signs and journals
-- them, publishes them to Kafka and writes the outcome back into the row.
--
-- How to run: connected to the agency database as its owner, with the schema
-- that should hold the table first in search_path (usually public):
--     psql "$AGENCY_DB_URL" -v ON_ERROR_STOP=1 -f deploy/sql/agency-outbox.sql
-- The script is idempotent: running it again changes nothing that exists and
-- never drops data. Then configure the service with the table's qualified
-- name ("public.lienthong_outbox"; an unqualified name means schema public).
--
-- The contract, column by column:
--   id            bigserial. Orders rows; part of the event's source id
--                 "outbox:<schema>.<table>:<id>" by which the service
--                 de-duplicates. NEVER reset the sequence or recreate the table
--                 with old ids (TRUNCATE … RESTART IDENTITY, setval): a reused id
--                 would be answered with the event first published under it.
--   created_at    when the agency's transaction inserted the row.
--   event         the Event in the protobuf JSON mapping (lowerCamelCase names,
--                 enums by name, 64-bit integers as strings; see
--                 tests/golden/events/*.json). Leave out header.eventId,
--                 sequence, prevHash, recordedAtMs and agencyCode: the service
--                 sets them. ruleSet and schemaVersion may be left out.
--   status        'new' when inserted; the service sets 'accepted' (signed,
--                 journaled, will reach Kafka) or 'rejected' (never published).
--   sequence,     for 'accepted': the event's number in the agency's chain and
--   event_id      its UUIDv7 (the CloudEvents ce_id).
--   error         for 'rejected': a JSON array of {"field", "code", "message"},
--                 one entry per problem (field is the JSON path, e.g.
--                 "header.subject.citizenId"; code a stable snake_case name).
--   processed_at  when the service wrote the outcome.
-- Rows are processed in id order among those visible at the same time; a row
-- whose transaction commits later is processed later, whatever its id. Rows
-- that are no longer 'new' are never read again: the agency may delete old
-- ones (DELETE … WHERE status <> 'new' AND processed_at < now() - '90 days').
--
-- Roles (cluster-wide, created here if missing; grant them to login roles):
--   lienthong_outbox_service  the agency service: reads rows and writes only
--                             the outcome columns. GRANT lienthong_outbox_service
--                             TO <the service's login role>;
--   lienthong_outbox_writer   the agency's software: inserts events (only the
--                             event column) and reads outcomes.
-- Creating the roles needs CREATEROLE; when they already exist it does not.

BEGIN;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['lienthong_outbox_service', 'lienthong_outbox_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created at the same moment by another run: fine
            END;
        END IF;
    END LOOP;
END
$$;

CREATE TABLE IF NOT EXISTS lienthong_outbox (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    event        jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'new',
    sequence     bigint,
    event_id     uuid,
    error        jsonb,
    processed_at timestamptz,
    CONSTRAINT lienthong_outbox_status_check
        CHECK (status IN ('new', 'accepted', 'rejected')),
    -- A non-object can never be an Event: refuse it in the agency's own
    -- transaction rather than later.
    CONSTRAINT lienthong_outbox_event_object
        CHECK (jsonb_typeof(event) = 'object'),
    CONSTRAINT lienthong_outbox_accepted_complete
        CHECK (status <> 'accepted' OR (sequence IS NOT NULL AND event_id IS NOT NULL
                                        AND processed_at IS NOT NULL)),
    CONSTRAINT lienthong_outbox_rejected_complete
        CHECK (status <> 'rejected' OR (error IS NOT NULL AND processed_at IS NOT NULL))
);

COMMENT ON TABLE lienthong_outbox IS
    'Lienthong transactional outbox: insert an Event (protobuf JSON mapping) in the same '
    'transaction as the business change; the agency service publishes it and fills in the outcome.';
COMMENT ON COLUMN lienthong_outbox.event IS
    'The Event in the protobuf JSON mapping, without eventId, sequence, prevHash, recordedAtMs, agencyCode.';
COMMENT ON COLUMN lienthong_outbox.status IS
    'new (inserted) -> accepted (signed and journaled) or rejected (see error). Set by the service.';
COMMENT ON COLUMN lienthong_outbox.error IS
    'For rejected rows: JSON array of {"field", "code", "message"}.';

-- The service's query: WHERE status = 'new' ORDER BY id LIMIT n. A partial
-- index stays as small as the backlog, however large the table grows.
CREATE INDEX IF NOT EXISTS lienthong_outbox_new_idx
    ON lienthong_outbox (id) WHERE status = 'new';

-- Wake the service when rows commit. A STATEMENT-level trigger: one
-- notification per INSERT statement, not one per row, so a bulk
-- INSERT … SELECT of 100 000 rows queues one notification instead of 100 000
-- (PostgreSQL keeps notifications in a bounded queue and de-duplicates them
-- per transaction). The payload (the highest id the statement inserted) is
-- only a hint: the service never trusts it and always selects every row still
-- 'new'. Notifications are delivered when the transaction commits, and a
-- rolled-back transaction sends none; a notification the service misses
-- (it was reconnecting) is covered by its periodic poll.
CREATE OR REPLACE FUNCTION lienthong_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    last_id bigint;
BEGIN
    SELECT max(id) INTO last_id FROM lienthong_outbox_inserted;
    IF last_id IS NOT NULL THEN
        PERFORM pg_notify('lienthong_outbox', last_id::text);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS lienthong_outbox_notify ON lienthong_outbox;
CREATE TRIGGER lienthong_outbox_notify
    AFTER INSERT ON lienthong_outbox
    REFERENCING NEW TABLE AS lienthong_outbox_inserted
    FOR EACH STATEMENT EXECUTE FUNCTION lienthong_outbox_notify();

-- Least privilege. The service reads rows and writes the outcome columns,
-- nothing else: it cannot insert, delete, or alter an event it publishes.
-- The agency's software inserts the event column only (the rest are defaults)
-- and may read outcomes.
DO $$
DECLARE
    schema_name text := current_schema();
    seq_name text := pg_catalog.pg_get_serial_sequence(
        pg_catalog.quote_ident(current_schema()) || '.lienthong_outbox', 'id');
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO lienthong_outbox_service, lienthong_outbox_writer',
                   schema_name);
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO lienthong_outbox_writer', seq_name);
END
$$;

GRANT SELECT, UPDATE (status, sequence, event_id, error, processed_at)
    ON lienthong_outbox TO lienthong_outbox_service;
GRANT SELECT, INSERT (event) ON lienthong_outbox TO lienthong_outbox_writer;

COMMIT;
