-- Sync: key/value state (pull cursor, worker state) and host notices with their delivery status.

CREATE TABLE sync_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE host_notices (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id            TEXT NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    host_id             TEXT NOT NULL,
    channel             TEXT NOT NULL DEFAULT '',
    provider_message_id TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'queued',  -- queued | sent | delivered | read | failed
    detail              TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX host_notices_visit ON host_notices(visit_id);
CREATE INDEX host_notices_provider ON host_notices(provider_message_id);
