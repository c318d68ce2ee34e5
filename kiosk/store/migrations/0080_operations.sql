-- Operations: the staff PIN lock-out (survives a restart) and the UU PDP processing log.

-- One row per kiosk: failed staff PIN attempts in a row and, once too many, when entry opens again.
CREATE TABLE staff_pin_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at   TEXT NOT NULL
);

-- What was done with personal data and when (purge, export, forget): counts and a request reference only,
-- never a NIK, name or address (UU PDP: keep a log of processing).
CREATE TABLE processing_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,            -- purge | export | forget
    request_id TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    device_id  TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '{}' -- JSON of counts and the retention cut-off
);
CREATE INDEX processing_log_at ON processing_log(at);
