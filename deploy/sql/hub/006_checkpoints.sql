-- 006_checkpoints.sql — signed checkpoints of the event store: a Merkle tree
-- (RFC 6962 hashing, common/crypto/merkle) whose leaves are the stored events
-- in the order the consolidator appends them, and signed tree heads. An
-- auditor holding only the hub's public key checks that each checkpoint
-- extends the previous one and that any event is in the tree; a rewritten
-- history shows as a head that is not consistent with an earlier one.
SET LOCAL ROLE lienthong_migrator;
SET LOCAL search_path = lienthong, pg_catalog;

CREATE TABLE merkle_leaves (
    leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
    event_id   uuid   NOT NULL UNIQUE REFERENCES event_store (event_id),
    ingest_seq bigint NOT NULL UNIQUE,
    leaf_hash  bytea  NOT NULL CHECK (octet_length(leaf_hash) = 32)
);
COMMENT ON TABLE merkle_leaves IS
    'The leaves of the event-store Merkle tree, in order: every stored event once, appended by the checkpointer in ingest_seq order (events stored before a checkpoint are all committed when it appends them).';
COMMENT ON COLUMN merkle_leaves.leaf_index IS 'Position in the tree (0, 1, 2, …).';
COMMENT ON COLUMN merkle_leaves.event_id IS 'The event of the leaf.';
COMMENT ON COLUMN merkle_leaves.ingest_seq IS 'event_store.ingest_seq of the event (the order of leaves).';
COMMENT ON COLUMN merkle_leaves.leaf_hash IS 'SHA-256(0x00 || signed_bytes): the RFC 6962 leaf hash of the event''s stored signed bytes.';

CREATE TABLE checkpoints (
    tree_size  bigint      PRIMARY KEY CHECK (tree_size >= 0),
    root       bytea       NOT NULL CHECK (octet_length(root) = 32),
    frontier   bytea       NOT NULL CHECK (octet_length(frontier) % 32 = 0),
    signed_at  timestamptz NOT NULL,
    key_id     text        NOT NULL,
    statement  text        NOT NULL,
    signature  bytea       NOT NULL CHECK (octet_length(signature) = 64)
);
COMMENT ON TABLE checkpoints IS
    'Signed tree heads of merkle_leaves: statement is the text signed (Ed25519 over "lienthong.v1.Checkpoint\n" || statement) with the hub key key_id.';
COMMENT ON COLUMN checkpoints.tree_size IS 'Leaves covered: merkle_leaves 0 .. tree_size-1.';
COMMENT ON COLUMN checkpoints.root IS 'The RFC 6962 tree head of those leaves.';
COMMENT ON COLUMN checkpoints.frontier IS 'The roots of the perfect subtrees on the right edge (largest first): lets the next checkpoint append without reading earlier leaves.';
COMMENT ON COLUMN checkpoints.signed_at IS 'When the head was signed.';
COMMENT ON COLUMN checkpoints.key_id IS 'The hub signing key.';
COMMENT ON COLUMN checkpoints.statement IS 'The signed text: tree size, root, time, key id.';
COMMENT ON COLUMN checkpoints.signature IS 'Ed25519 signature of the statement.';

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'lienthong.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Checkpoints and their leaves are evidence and are never changed or removed.';
END
$fn$;
COMMENT ON FUNCTION refuse_change() IS 'Trigger function keeping a table append-only, whatever privileges the caller has.';
CREATE TRIGGER merkle_leaves_immutable BEFORE UPDATE OR DELETE ON merkle_leaves
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER merkle_leaves_no_truncate BEFORE TRUNCATE ON merkle_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_immutable BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

GRANT SELECT, INSERT ON merkle_leaves, checkpoints TO lienthong_consolidator;
GRANT SELECT ON merkle_leaves, checkpoints TO lienthong_reader;
