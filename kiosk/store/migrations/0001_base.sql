-- Base schema: guests, visits, append-only events, outbox, lockers, survey responses, host directory.
-- Times are ISO-8601 strings with UTC offset. Personal fields ending in _enc are AES-GCM ciphertext.

CREATE TABLE guests (
    id            INTEGER PRIMARY KEY,
    nik_hash      TEXT UNIQUE,            -- keyed HMAC of the NIK, for finding a returning guest
    nik_enc       BLOB,
    nik_last4     TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    institution   TEXT NOT NULL DEFAULT '',
    address_enc   BLOB,
    consent_at    TEXT,                   -- UU PDP: when consent was given
    consent_basis TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE hosts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    section    TEXT NOT NULL DEFAULT '',
    position   TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE visits (
    id          TEXT PRIMARY KEY,
    office_code TEXT NOT NULL,
    guest_id    INTEGER REFERENCES guests(id) ON DELETE SET NULL,
    purpose     TEXT NOT NULL,
    host_id     TEXT NOT NULL DEFAULT '',
    host_name   TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    expires_at  TEXT,
    photo_path  TEXT NOT NULL DEFAULT '',
    locker_door INTEGER,
    pass_id     TEXT NOT NULL DEFAULT '',
    flags       TEXT NOT NULL DEFAULT ''   -- comma-separated markers, e.g. auto_checkout
);
CREATE INDEX visits_created ON visits(created_at);
CREATE INDEX visits_state ON visits(state);
CREATE INDEX visits_guest ON visits(guest_id);

CREATE TABLE visit_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,
    visit_id   TEXT NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX visit_events_visit ON visit_events(visit_id, seq);

-- Append-only: an event is never rewritten; it goes only with its visit (purge).
CREATE TRIGGER visit_events_no_update BEFORE UPDATE ON visit_events
BEGIN
    SELECT RAISE(ABORT, 'visit_events is append-only');
END;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,          -- e.g. visit.registered, visit.event, notify.host
    aggregate_id    TEXT NOT NULL,          -- order is kept per aggregate (visit id)
    payload         TEXT NOT NULL,          -- JSON
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | parked
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_aggregate ON outbox(aggregate_id, id);

CREATE TABLE lockers (
    door       INTEGER PRIMARY KEY,       -- 1-based door number printed on the locker
    board      INTEGER NOT NULL,
    lock       INTEGER NOT NULL,          -- 0-based lock index on the board
    state      TEXT NOT NULL DEFAULT 'free',  -- free | assigned | faulty | out_of_service
    visit_id   TEXT REFERENCES visits(id) ON DELETE SET NULL,
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE survey_responses (
    id          TEXT PRIMARY KEY,
    visit_id    TEXT REFERENCES visits(id) ON DELETE SET NULL,
    answers     TEXT NOT NULL,            -- JSON list of 9 integers 1..4 (u1..u9)
    age_group   TEXT NOT NULL DEFAULT '',
    sex         TEXT NOT NULL DEFAULT '',
    education   TEXT NOT NULL DEFAULT '',
    occupation  TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT 'kiosk',  -- kiosk | paper
    created_at  TEXT NOT NULL,
    device_id   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_created ON survey_responses(created_at);
