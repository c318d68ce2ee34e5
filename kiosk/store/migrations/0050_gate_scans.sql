-- Every pass scanned at the gate or the survey desk, including forged and unreadable ones that match no visit.
-- Scans of a known visit are ALSO visit events (kind 'gate_scan'), which travel to the other devices.
CREATE TABLE gate_scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scanned_at  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    pass_id     TEXT NOT NULL DEFAULT '',
    visit_id    TEXT NOT NULL DEFAULT '',
    verdict     TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL DEFAULT ''   -- sha256 prefix of the scanned text: finds repeats, reveals nothing
);
CREATE INDEX gate_scans_pass ON gate_scans(pass_id, scanned_at);
CREATE INDEX gate_scans_time ON gate_scans(scanned_at);
