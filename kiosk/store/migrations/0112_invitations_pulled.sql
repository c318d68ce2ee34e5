-- Invitations issued on the central web desk reach the kiosks through the pull (kiosk/sync/pull.py):
-- revoked_at: the desk revoked it (a scan is refused with "revoked");
-- invitation_keys: the public halves of the offices' invitation keys at central, for invitation tokens only
-- (gate passes are checked against the pass keys alone).
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
CREATE TABLE invitation_keys (
    key_id      TEXT PRIMARY KEY,          -- 8 hex digits: the first 4 bytes of SHA-256 of the raw key
    public_hex  TEXT NOT NULL,             -- raw 32-byte Ed25519 public key, hex
    created_at  TEXT NOT NULL
);
