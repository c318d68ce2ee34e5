-- Gate passes: one per visit, its signed token (reprints give the same QR), how often it came out of a
-- printer (guards against printing twice by accident) and revocation (the list security devices check).
CREATE TABLE gate_passes (
    pass_id        TEXT PRIMARY KEY,
    visit_id       TEXT NOT NULL UNIQUE REFERENCES visits(id) ON DELETE CASCADE,
    token          TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    issued_at      TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    prints         INTEGER NOT NULL DEFAULT 0,
    last_printed_at TEXT,
    revoked_at     TEXT,
    revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gate_passes_revoked ON gate_passes(revoked_at) WHERE revoked_at IS NOT NULL;
