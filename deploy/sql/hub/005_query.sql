-- 005_query.sql — what the query service (services/query, lt-query) needs:
-- its bearer tokens (stored only as hashes), the access log of personal-data
-- reads, the search key of person names, and indexes for its questions.
--
-- The query service logs in with lienthong_reader. It may read the tokens
-- (to authenticate a request) but never change them: tokens are added and
-- revoked by `lt-query token-add` / `token-revoke` run by an operator whose
-- login holds lienthong_migrator (or the DBA). It appends to access_log in
-- the same transaction as every read of personal data; nobody may change or
-- delete an access-log row (trigger), auditors read it.
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

-- ---------------------------------------------------------------------------
-- api_tokens: who may call the query service, in which role.
CREATE TABLE api_tokens (
    id          bigserial   PRIMARY KEY,
    token_hash  bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    name        text        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role        text        NOT NULL CHECK (role IN ('agency', 'staff', 'leader', 'auditor')),
    agency_code text        CHECK (agency_code ~ '^[A-Za-z0-9._-]{1,64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    CONSTRAINT api_tokens_agency_role CHECK ((role = 'agency') = (agency_code IS NOT NULL))
);
COMMENT ON TABLE api_tokens IS
    'Bearer tokens of the query service: only the BLAKE2b-256 hash of each token is kept; the token itself was shown once, when it was made.';
COMMENT ON COLUMN api_tokens.id IS 'Row id; access_log.token_id refers to it.';
COMMENT ON COLUMN api_tokens.token_hash IS 'BLAKE2b-256 (libsodium crypto_generichash, no key) of the whole token text.';
COMMENT ON COLUMN api_tokens.name IS 'Who holds the token (a person or a system), unique; shown in the access log.';
COMMENT ON COLUMN api_tokens.role IS 'agency (its own events; personal numbers masked), staff (provincial staff), leader (aggregates only), auditor (everything and the access log).';
COMMENT ON COLUMN api_tokens.agency_code IS 'For role agency: the registry code of the agency whose events it may see; null otherwise.';
COMMENT ON COLUMN api_tokens.created_at IS 'When the token was made.';
COMMENT ON COLUMN api_tokens.expires_at IS 'After this instant the token is refused; null: no expiry.';
COMMENT ON COLUMN api_tokens.revoked_at IS 'When the token was revoked; refused from then on.';

-- ---------------------------------------------------------------------------
-- access_log: every read of personal data (who, whom, when, why).
CREATE TABLE access_log (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    token_id     bigint      NOT NULL REFERENCES api_tokens (id),
    token_name   text        NOT NULL,
    role         text        NOT NULL,
    agency_code  text,
    method       text        NOT NULL,
    endpoint     text        NOT NULL,
    parameters   jsonb       NOT NULL,
    purpose      text        NOT NULL CHECK (purpose <> ''),
    subjects     text[]      NOT NULL,
    remote_addr  text        NOT NULL
);
CREATE INDEX access_log_subjects_idx ON access_log USING gin (subjects);
CREATE INDEX access_log_token_idx ON access_log (token_id, id);
COMMENT ON TABLE access_log IS
    'The processing log of personal data: one row per query-service request that read personal data, written in the same transaction as the read; append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).';
COMMENT ON COLUMN access_log.id IS 'Row id, in order of reading.';
COMMENT ON COLUMN access_log.at IS 'When the read''s transaction started.';
COMMENT ON COLUMN access_log.token_id IS 'The token the request carried.';
COMMENT ON COLUMN access_log.token_name IS 'The token''s holder, as named when the token was made.';
COMMENT ON COLUMN access_log.role IS 'The token''s role at the time of the read.';
COMMENT ON COLUMN access_log.agency_code IS 'For an agency token: its agency.';
COMMENT ON COLUMN access_log.method IS 'HTTP method.';
COMMENT ON COLUMN access_log.endpoint IS 'The route pattern (e.g. /v1/persons/{subject}/timeline).';
COMMENT ON COLUMN access_log.parameters IS 'Path and query parameters of the request (the purpose left out). Personal data.';
COMMENT ON COLUMN access_log.purpose IS 'Why the data was read, as the caller stated it (X-Purpose header or purpose parameter).';
COMMENT ON COLUMN access_log.subjects IS 'Canonical ids of every person whose data the answer held. Personal data.';
COMMENT ON COLUMN access_log.remote_addr IS 'The client''s address.';

CREATE FUNCTION access_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'lienthong.access_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The processing log of personal data is never changed or removed.';
END
$fn$;
COMMENT ON FUNCTION access_log_refuse_change() IS
    'Trigger function keeping access_log append-only, whatever privileges the caller has.';
CREATE TRIGGER access_log_immutable
    BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_no_truncate
    BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();

-- ---------------------------------------------------------------------------
-- name_key: the search key of a person's name, the SQL twin of
-- lt_subject_name_key (common/event/subject.c) for the names stored in rows:
-- compatibility-decomposed, combining marks removed, đ/Đ as d, lower-case,
-- white space collapsed and trimmed. "Nguyễn  Thị Đào" -> "nguyen thi dao".
-- The query service folds the search text with the C function and compares
-- it with this one; both agree on Vietnamese and Latin-script names (lower()
-- folds ASCII only under the cluster's C locale, which is all that is left
-- once the marks are gone).
CREATE FUNCTION name_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.lower(pg_catalog.translate(
           pg_catalog.regexp_replace(pg_catalog.normalize(t, 'NFKD'), '[\u0300-\u036f]', '', 'g'),
           'Đđ', 'Dd')), '\s+', ' ', 'g'));
COMMENT ON FUNCTION name_key(text) IS
    'Search key of a name (diacritics and case folded, white space collapsed); the SQL twin of lt_subject_name_key.';

-- ---------------------------------------------------------------------------
-- Indexes for the query service's questions. (A person's timeline uses
-- 004's event_store (subject); an employer's workers 004's
-- subject_rows_employer_idx.)
-- Person search by birth date (a prefix: YYYY, YYYY-MM or the whole date).
-- A name alone is matched word-wise inside the name key and scans the
-- persons' rows; an index for that (trigrams or a words table) comes with
-- the timeline benchmark of issue 6.
CREATE INDEX subject_rows_birth_date_idx ON subject_rows ((row->>'birthDate') text_pattern_ops)
    WHERE kind IN ('foreign_worker', 'outbound_worker');

-- ---------------------------------------------------------------------------
-- Privileges. The query service reads tokens and appends to the access log.
GRANT SELECT ON api_tokens TO lienthong_reader;
GRANT SELECT, INSERT ON access_log TO lienthong_reader;
GRANT USAGE ON SEQUENCE access_log_id_seq TO lienthong_reader;
GRANT EXECUTE ON FUNCTION name_key(text) TO lienthong_reader, lienthong_auditor;
-- Auditors read both through the default privileges of 001; the token hashes
-- are no secret worth hiding from them.
