-- Wrong phone-digit proofs of a returning guest, per NIK under a keyed hash (never the NIK itself): the
-- lock-out survives a restart of the kiosk (a stranger cannot power-cycle it and guess again).
CREATE TABLE proof_attempts (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX proof_attempts_key ON proof_attempts (key, at);
