-- 003_projections.sql — the shared tables the consolidator folds events into:
-- one row per subject (foreign worker, citizen working abroad, employer) as
-- the deterministic fold of all its stored events (common/fold), and the
-- alerts that hold for it, raised and cleared as events arrive.
--
-- A row is a function of the subject's events and the as-of date only, so the
-- audit tool can rebuild it and compare. The views pull out the columns the
-- query service filters on; the full row is the jsonb document.
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

CREATE TABLE subject_rows (
    subject    text        PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('foreign_worker', 'outbound_worker', 'employer')),
    row        jsonb       NOT NULL,
    as_of      date        NOT NULL,
    events     integer     NOT NULL CHECK (events >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subject_rows_kind ON subject_rows (kind);
COMMENT ON TABLE subject_rows IS
    'One row per subject: the fold of all its stored events as of as_of (common/fold, lt_fold_row_json).';
COMMENT ON COLUMN subject_rows.subject IS 'Canonical subject id (VNM:<12 digits>, <ISO3>:<passport>, enterprise:<code>). Personal data.';
COMMENT ON COLUMN subject_rows.kind IS 'foreign_worker, outbound_worker or employer.';
COMMENT ON COLUMN subject_rows.row IS 'The folded row as JSON (field names of common/fold/fold.h in lowerCamelCase).';
COMMENT ON COLUMN subject_rows.as_of IS 'The Vietnam date the time-dependent fields were computed for.';
COMMENT ON COLUMN subject_rows.events IS 'Events folded into the row.';
COMMENT ON COLUMN subject_rows.updated_at IS 'When the consolidator last wrote the row.';

CREATE TABLE alerts (
    id         bigserial   PRIMARY KEY,
    subject    text        NOT NULL,
    code       text        NOT NULL CHECK (code ~ '^[a-z_]+$'),
    opened_on  date        NOT NULL,
    event_ids  uuid[]      NOT NULL,
    message    text        NOT NULL,
    raised_at  timestamptz NOT NULL DEFAULT now(),
    cleared_at timestamptz
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (subject, code) WHERE cleared_at IS NULL;
CREATE INDEX alerts_open ON alerts (code) WHERE cleared_at IS NULL;
COMMENT ON TABLE alerts IS
    'Cross-agency rules that hold for a subject (DESIGN.md §4): open while cleared_at is null; a later event that resolves one clears it.';
COMMENT ON COLUMN alerts.id IS 'Row id.';
COMMENT ON COLUMN alerts.subject IS 'The subject the alert is about. Personal data.';
COMMENT ON COLUMN alerts.code IS 'Stable snake_case rule code (common/fold).';
COMMENT ON COLUMN alerts.opened_on IS 'The Vietnam date the rule started to hold.';
COMMENT ON COLUMN alerts.event_ids IS 'The events behind the alert.';
COMMENT ON COLUMN alerts.message IS 'One English sentence explaining it.';
COMMENT ON COLUMN alerts.raised_at IS 'When the consolidator raised it.';
COMMENT ON COLUMN alerts.cleared_at IS 'When a later event cleared it; null while open.';

CREATE VIEW foreign_workers AS
SELECT subject, row->>'nationality' AS nationality, row->>'employer' AS employer,
       row->>'permitState' AS permit_state, (row->>'permitValidUntil')::date AS permit_valid_until,
       (row->>'present')::boolean AS present, row->>'residenceProvince' AS residence_province,
       row->>'residenceDistrict' AS residence_district, row, as_of
FROM subject_rows WHERE kind = 'foreign_worker';
COMMENT ON VIEW foreign_workers IS 'Foreign workers: the columns the query service filters on, and the full row.';

CREATE VIEW outbound_workers AS
SELECT subject, row->>'province' AS province, row->>'district' AS district,
       (row->>'registeredOn')::date AS registered_on, row->>'contractCountry' AS contract_country,
       (row->>'departedOn')::date AS departed_on, (row->>'abroad')::boolean AS abroad,
       (row->>'returnedOn')::date AS returned_on, row, as_of
FROM subject_rows WHERE kind = 'outbound_worker';
COMMENT ON VIEW outbound_workers IS 'Citizens working abroad: filter columns and the full row.';

CREATE VIEW employers AS
SELECT subject, row->>'enterpriseCode' AS enterprise_code, row->>'name' AS name,
       row->>'province' AS province, row->>'sectorCode' AS sector_code, row, as_of
FROM subject_rows WHERE kind = 'employer';
COMMENT ON VIEW employers IS 'Employers of foreign workers: filter columns and the full row.';

GRANT SELECT, INSERT, UPDATE ON subject_rows, alerts TO lienthong_consolidator;
GRANT USAGE ON SEQUENCE alerts_id_seq TO lienthong_consolidator;
GRANT SELECT ON subject_rows, alerts, foreign_workers, outbound_workers, employers TO lienthong_reader;
GRANT SELECT ON foreign_workers, outbound_workers, employers TO lienthong_auditor;
