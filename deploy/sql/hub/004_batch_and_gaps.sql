-- 004_batch_and_gaps.sql — what the batched consolidator needs:
--   * event_store (subject): the fold reads a subject's events by its
--     canonical id, for hundreds of subjects a batch; it replaces the index
--     on subject_key, which nothing reads by (one index less to maintain on
--     every insert);
--   * chain_gaps: an agency's chain waiting at its head for a missing
--     sequence while later events are already stored — held open, closed when
--     the missing events arrive, reported when it stays open too long;
--   * subject_rows (row->>'employer'): the cross-subject alert re-checks an
--     employer's workers when the employer's own events change;
--   * employers view: the foreign workers whose current permit names the
--     employer, counted from their rows (a cross-subject figure, so not part
--     of the employer's own folded row).
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

CREATE INDEX event_store_subject_idx ON event_store (subject);
DROP INDEX event_store_subject_key_idx;
CREATE INDEX subject_rows_employer_idx ON subject_rows ((row->>'employer')) WHERE kind = 'foreign_worker';

CREATE TABLE chain_gaps (
    id            bigserial   PRIMARY KEY,
    agency_code   text        NOT NULL CHECK (agency_code ~ '^[A-Za-z0-9._-]{1,64}$'),
    from_sequence bigint      NOT NULL CHECK (from_sequence >= 1),
    to_sequence   bigint      NOT NULL CHECK (to_sequence >= from_sequence),
    opened_at     timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    reported_at   timestamptz,
    filled_at     timestamptz
);
CREATE UNIQUE INDEX chain_gaps_one_open ON chain_gaps (agency_code) WHERE filled_at IS NULL;
COMMENT ON TABLE chain_gaps IS
    'Missing sequences at an agency''s chain head while later events are stored: at most one open row per agency; filled_at set when the head passes it; reported_at when it stayed open longer than the consolidator''s --gap-report-after.';
COMMENT ON COLUMN chain_gaps.id IS 'Row id.';
COMMENT ON COLUMN chain_gaps.agency_code IS 'The agency whose chain waits.';
COMMENT ON COLUMN chain_gaps.from_sequence IS 'First missing sequence (chain head + 1), as last seen.';
COMMENT ON COLUMN chain_gaps.to_sequence IS 'Last missing sequence before the next stored event, as last seen.';
COMMENT ON COLUMN chain_gaps.opened_at IS 'When the consolidator first saw the head waiting.';
COMMENT ON COLUMN chain_gaps.updated_at IS 'When the range was last updated.';
COMMENT ON COLUMN chain_gaps.reported_at IS 'When it was reported as not filled in time (logged as an error); null before.';
COMMENT ON COLUMN chain_gaps.filled_at IS 'When the missing events arrived and the head moved past; null while open.';

CREATE OR REPLACE VIEW employers AS
SELECT e.subject, e.row->>'enterpriseCode' AS enterprise_code, e.row->>'name' AS name,
       e.row->>'province' AS province, e.row->>'sectorCode' AS sector_code, e.row, e.as_of,
       (SELECT count(*) FROM subject_rows w
         WHERE w.kind = 'foreign_worker' AND w.row->>'employer' = e.row->>'enterpriseCode'
           AND w.row->>'permitNo' IS NOT NULL AND NOT coalesce((w.row->>'permitIsExemption')::boolean, false)
       ) AS workers_with_permit
FROM subject_rows e WHERE e.kind = 'employer';
COMMENT ON VIEW employers IS 'Employers of foreign workers: filter columns, the full row, and the foreign workers whose current permit names them.';

GRANT SELECT, INSERT, UPDATE ON chain_gaps TO lienthong_consolidator;
GRANT USAGE ON SEQUENCE chain_gaps_id_seq TO lienthong_consolidator;
GRANT SELECT ON chain_gaps TO lienthong_reader;
GRANT SELECT ON employers TO lienthong_reader, lienthong_auditor;
