-- 001_event_store.sql — the hub's shared database: roles, the immutable event
-- store, dead letters, Kafka offsets, per-agency chain heads and fork alarms.
--
-- Applied by lt-migrate (common/db/migrate.c) inside one transaction, which
-- records it in lienthong.schema_migrations. Never edit this file once it has
-- been applied anywhere: lt-migrate refuses a changed checksum. Change the
-- schema with a new file NNN_description.sql instead.
--
-- Roles (cluster-wide, NOLOGIN group roles; deployment grants them to login
-- users, e.g. GRANT lienthong_consolidator TO consolidator_login):
--   lienthong_migrator      owns the schema and every object in it
--   lienthong_consolidator  appends events, dead letters and forks; moves
--                           offsets and chain heads; never updates or deletes
--                           an event
--   lienthong_reader        the query service: reads everything except the raw
--                           bytes of dead letters (unverified input)
--   lienthong_auditor       reads everything
-- No role here is a superuser; nothing at run time needs one.

-- Roles are created only when missing (another database of the cluster, or
-- the DBA, may have made them). A concurrent creation is not an error.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['lienthong_migrator', 'lienthong_consolidator',
                             'lienthong_reader', 'lienthong_auditor'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-- lt-migrate created the schema and its bookkeeping table as the connecting
-- user; hand both to the migrator and build everything else as the migrator,
-- so that the migrator owns every object.
ALTER SCHEMA lienthong OWNER TO lienthong_migrator;
ALTER TABLE lienthong.schema_migrations OWNER TO lienthong_migrator;
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

REVOKE ALL ON SCHEMA lienthong FROM PUBLIC;
GRANT USAGE ON SCHEMA lienthong
    TO lienthong_consolidator, lienthong_reader, lienthong_auditor;
COMMENT ON SCHEMA lienthong IS
    'Lienthong hub: the shared, consolidated labour database fed by the consolidator from the agencies'' signed Kafka events.';

COMMENT ON TABLE lienthong.schema_migrations IS
    'Migrations applied by lt-migrate, one row per deploy/sql/hub/NNN_*.sql file.';
COMMENT ON COLUMN lienthong.schema_migrations.version IS 'NNN of the file name; applied 1, 2, 3… without gaps.';
COMMENT ON COLUMN lienthong.schema_migrations.name IS 'The file name, e.g. 001_event_store.sql.';
COMMENT ON COLUMN lienthong.schema_migrations.sha256 IS 'SHA-256 of the file as applied (hex); a changed file is refused.';
COMMENT ON COLUMN lienthong.schema_migrations.applied_at IS 'When the migration committed.';
COMMENT ON COLUMN lienthong.schema_migrations.applied_by IS 'The login (session) user that ran lt-migrate.';

-- ---------------------------------------------------------------------------
-- event_store: every admitted event, once, never changed.
CREATE TABLE event_store (
    event_id        uuid        PRIMARY KEY,
    agency_code     text        NOT NULL CHECK (agency_code ~ '^[A-Za-z0-9._-]{1,64}$'),
    sequence        bigint      NOT NULL CHECK (sequence >= 1),
    event_type      text        NOT NULL CHECK (event_type <> ''),
    subject_key     bytea       NOT NULL CHECK (octet_length(subject_key) BETWEEN 16 AND 64),
    subject         text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    rule_set        text        NOT NULL,
    signed_bytes    bytea       NOT NULL CHECK (octet_length(signed_bytes) > 0),
    event_hash      bytea       NOT NULL CHECK (octet_length(event_hash) = 32),
    kafka_topic     text        NOT NULL,
    kafka_partition integer     NOT NULL CHECK (kafka_partition >= 0),
    kafka_offset    bigint      NOT NULL CHECK (kafka_offset >= 0),
    ingested_at     timestamptz NOT NULL DEFAULT now(),
    ingest_seq      bigserial   NOT NULL,
    CONSTRAINT event_store_agency_sequence_key UNIQUE (agency_code, sequence),
    CONSTRAINT event_store_kafka_key UNIQUE (kafka_topic, kafka_partition, kafka_offset),
    CONSTRAINT event_store_ingest_seq_key UNIQUE (ingest_seq)
);
CREATE INDEX event_store_subject_key_idx ON event_store (subject_key);
CREATE INDEX event_store_type_occurred_idx ON event_store (event_type, occurred_at);

COMMENT ON TABLE event_store IS
    'Every admitted (verified) event exactly once, as received; append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. Projections are a fold of this table.';
COMMENT ON COLUMN event_store.event_id IS 'Header.event_id: the event''s UUIDv7, unique across agencies; duplicates are absorbed on it.';
COMMENT ON COLUMN event_store.agency_code IS 'Header.agency_code: the publishing agency''s registry code.';
COMMENT ON COLUMN event_store.sequence IS 'Header.sequence: position in the agency''s chain (1, 2, 3…); a second event at the same (agency_code, sequence) is a fork (see forks).';
COMMENT ON COLUMN event_store.event_type IS 'Which body the event carries (the oneof case name, e.g. foreign_worker_entry).';
COMMENT ON COLUMN event_store.subject_key IS 'Keyed hash of the subject (the Kafka record key): groups a subject''s events for the fold without the raw id.';
COMMENT ON COLUMN event_store.subject IS 'Canonical subject id (citizen id, passport, enterprise code). PERSONAL DATA: read only by the query service and auditors.';
COMMENT ON COLUMN event_store.occurred_at IS 'Header.occurred_at_ms: when the fact happened; its Vietnam date selects the rule set.';
COMMENT ON COLUMN event_store.recorded_at IS 'Header.recorded_at_ms: when the agency service recorded and signed the event; the signing key must be valid then.';
COMMENT ON COLUMN event_store.rule_set IS 'The legal rule set in force on the occurred date, under which the event was validated.';
COMMENT ON COLUMN event_store.signed_bytes IS 'The SignedEvent exactly as received from Kafka: re-verifiable by anyone, the evidence behind every projection.';
COMMENT ON COLUMN event_store.event_hash IS 'BLAKE2b-256 of the serialized Event bytes inside signed_bytes: the next event''s prev_hash must equal it.';
COMMENT ON COLUMN event_store.kafka_topic IS 'Kafka topic the event was read from.';
COMMENT ON COLUMN event_store.kafka_partition IS 'Kafka partition the event was read from.';
COMMENT ON COLUMN event_store.kafka_offset IS 'Kafka offset of the record; (topic, partition, offset) holds at most one event.';
COMMENT ON COLUMN event_store.ingested_at IS 'When the consolidator''s transaction stored the event.';
COMMENT ON COLUMN event_store.ingest_seq IS 'Ingestion order across all agencies (gaps possible from rolled-back transactions): the order of leaves for Merkle checkpoints.';

CREATE FUNCTION event_store_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'lienthong.event_store is append-only: TRUNCATE refused'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Admitted events are evidence and are never removed.';
    END IF;
    RAISE EXCEPTION 'lienthong.event_store is append-only: % of event % refused', TG_OP, OLD.event_id
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Admitted events are never changed or removed; a correction is a new event.';
END
$fn$;
COMMENT ON FUNCTION event_store_refuse_change() IS
    'Trigger function keeping event_store append-only, whatever privileges the caller has.';

CREATE TRIGGER event_store_immutable
    BEFORE UPDATE OR DELETE ON event_store
    FOR EACH ROW EXECUTE FUNCTION event_store_refuse_change();
CREATE TRIGGER event_store_no_truncate
    BEFORE TRUNCATE ON event_store
    FOR EACH STATEMENT EXECUTE FUNCTION event_store_refuse_change();

-- ---------------------------------------------------------------------------
-- dead_letter: every rejected record, with why.
CREATE TABLE dead_letter (
    id              bigserial   PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    kafka_topic     text        NOT NULL,
    kafka_partition integer     NOT NULL CHECK (kafka_partition >= 0),
    kafka_offset    bigint      NOT NULL CHECK (kafka_offset >= 0),
    raw             bytea       NOT NULL,
    code            text        NOT NULL CHECK (code <> ''),
    reason          text        NOT NULL,
    agency_code     text,
    event_id        uuid
);
CREATE INDEX dead_letter_kafka_idx ON dead_letter (kafka_topic, kafka_partition, kafka_offset);
CREATE INDEX dead_letter_agency_idx ON dead_letter (agency_code, received_at);

COMMENT ON TABLE dead_letter IS
    'Every Kafka record the consolidator refused, with its machine code and reason; nothing here reached the shared tables.';
COMMENT ON COLUMN dead_letter.id IS 'Row number, in order of refusal.';
COMMENT ON COLUMN dead_letter.received_at IS 'When the consolidator refused the record.';
COMMENT ON COLUMN dead_letter.kafka_topic IS 'Kafka topic of the refused record.';
COMMENT ON COLUMN dead_letter.kafka_partition IS 'Kafka partition of the refused record.';
COMMENT ON COLUMN dead_letter.kafka_offset IS 'Kafka offset of the refused record.';
COMMENT ON COLUMN dead_letter.raw IS 'The record value exactly as received: unverified, possibly hostile, possibly personal data (auditors only).';
COMMENT ON COLUMN dead_letter.code IS 'Stable machine code of the refusal (e.g. bad_signature, unknown_agency, chain_gap).';
COMMENT ON COLUMN dead_letter.reason IS 'Human sentence explaining the refusal.';
COMMENT ON COLUMN dead_letter.agency_code IS 'Agency the record claims to come from, when it could be decoded (unverified).';
COMMENT ON COLUMN dead_letter.event_id IS 'Event id the record claims, when it could be decoded (unverified).';

-- ---------------------------------------------------------------------------
-- consumer_offsets: Kafka positions, committed with the data they cover.
CREATE TABLE consumer_offsets (
    group_id    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= 0),
    next_offset bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);
COMMENT ON TABLE consumer_offsets IS
    'The consolidator''s Kafka positions, written in the same transaction as the rows they cover; on start and on rebalance the consumer seeks here (exactly-once effect).';
COMMENT ON COLUMN consumer_offsets.group_id IS 'Kafka consumer group.';
COMMENT ON COLUMN consumer_offsets.topic IS 'Kafka topic.';
COMMENT ON COLUMN consumer_offsets.partition IS 'Kafka partition.';
COMMENT ON COLUMN consumer_offsets.next_offset IS 'Offset of the next record to read: one past the last record whose effect is committed.';
COMMENT ON COLUMN consumer_offsets.updated_at IS 'When the position last moved.';

-- ---------------------------------------------------------------------------
-- chain_heads: where each agency's hash chain stands.
CREATE TABLE chain_heads (
    agency_code   text        PRIMARY KEY CHECK (agency_code ~ '^[A-Za-z0-9._-]{1,64}$'),
    last_sequence bigint      NOT NULL CHECK (last_sequence >= 1),
    last_hash     bytea       NOT NULL CHECK (octet_length(last_hash) = 32),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE chain_heads IS
    'Per agency, the last event admitted without a gap: the next event must carry sequence last_sequence + 1 and prev_hash = last_hash.';
COMMENT ON COLUMN chain_heads.agency_code IS 'The agency''s registry code.';
COMMENT ON COLUMN chain_heads.last_sequence IS 'Highest sequence admitted with every earlier sequence present.';
COMMENT ON COLUMN chain_heads.last_hash IS 'event_hash of the event at last_sequence.';
COMMENT ON COLUMN chain_heads.updated_at IS 'When the head last moved.';

-- ---------------------------------------------------------------------------
-- forks: two different signed events at one (agency, sequence). An alarm.
CREATE TABLE forks (
    id                  bigserial   PRIMARY KEY,
    agency_code         text        NOT NULL,
    sequence            bigint      NOT NULL CHECK (sequence >= 1),
    stored_event_id     uuid        NOT NULL REFERENCES event_store (event_id),
    stored_event_hash   bytea       NOT NULL CHECK (octet_length(stored_event_hash) = 32),
    rival_event_id      uuid        NOT NULL,
    rival_event_hash    bytea       NOT NULL CHECK (octet_length(rival_event_hash) = 32),
    rival_signed_bytes  bytea       NOT NULL,
    kafka_topic         text        NOT NULL,
    kafka_partition     integer     NOT NULL CHECK (kafka_partition >= 0),
    kafka_offset        bigint      NOT NULL CHECK (kafka_offset >= 0),
    detected_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT forks_rival_key UNIQUE (agency_code, sequence, rival_event_hash),
    CONSTRAINT forks_distinct CHECK (stored_event_hash <> rival_event_hash)
);
COMMENT ON TABLE forks IS
    'Alarms: an agency signed two different events at one sequence (a compromised key or a broken agency service). The first admitted stays in event_store; the rival is kept here as evidence.';
COMMENT ON COLUMN forks.id IS 'Row number, in order of detection.';
COMMENT ON COLUMN forks.agency_code IS 'The agency whose chain forked.';
COMMENT ON COLUMN forks.sequence IS 'The sequence claimed by both events.';
COMMENT ON COLUMN forks.stored_event_id IS 'The event already in event_store at (agency_code, sequence).';
COMMENT ON COLUMN forks.stored_event_hash IS 'event_hash of the stored event.';
COMMENT ON COLUMN forks.rival_event_id IS 'Event id of the rival event.';
COMMENT ON COLUMN forks.rival_event_hash IS 'BLAKE2b-256 of the rival''s Event bytes; one alarm per distinct rival.';
COMMENT ON COLUMN forks.rival_signed_bytes IS 'The rival SignedEvent exactly as received: proof that the agency''s key signed it.';
COMMENT ON COLUMN forks.kafka_topic IS 'Kafka topic of the rival record.';
COMMENT ON COLUMN forks.kafka_partition IS 'Kafka partition of the rival record.';
COMMENT ON COLUMN forks.kafka_offset IS 'Kafka offset of the rival record.';
COMMENT ON COLUMN forks.detected_at IS 'When the consolidator detected the fork.';

-- ---------------------------------------------------------------------------
-- Privileges. Nothing is granted to PUBLIC.
REVOKE ALL ON ALL TABLES IN SCHEMA lienthong FROM PUBLIC;

GRANT SELECT ON schema_migrations TO lienthong_consolidator, lienthong_reader, lienthong_auditor;

-- The consolidator appends; it moves only offsets and chain heads.
GRANT SELECT, INSERT ON event_store, dead_letter, forks TO lienthong_consolidator;
GRANT SELECT, INSERT, UPDATE ON consumer_offsets, chain_heads TO lienthong_consolidator;
GRANT USAGE ON SEQUENCE event_store_ingest_seq_seq, dead_letter_id_seq, forks_id_seq
    TO lienthong_consolidator;

-- The query service reads everything but the raw bytes of refused records.
GRANT SELECT ON event_store, consumer_offsets, chain_heads, forks TO lienthong_reader;
GRANT SELECT (id, received_at, kafka_topic, kafka_partition, kafka_offset, code, reason,
              agency_code, event_id) ON dead_letter TO lienthong_reader;

-- Auditors read everything, including tables later migrations add.
GRANT SELECT ON ALL TABLES IN SCHEMA lienthong TO lienthong_auditor;
ALTER DEFAULT PRIVILEGES FOR ROLE lienthong_migrator IN SCHEMA lienthong
    GRANT SELECT ON TABLES TO lienthong_auditor;
