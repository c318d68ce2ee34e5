-- Pre-registrations: what an invitation QR stands for. The QR holds only the invitation id (signed);
-- purpose and host are here, and the NIK the invitation names (if any) is encrypted with a keyed hash.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,          -- the signed invitation id (10 Crockford base32 characters)
    purpose     TEXT NOT NULL,
    host_id     TEXT NOT NULL,
    host_name   TEXT NOT NULL DEFAULT '',
    nik_hash    TEXT,                      -- keyed hash of the invited guest's NIK, NULL when none is named
    nik_enc     BLOB,
    valid_from  TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    visit_id    TEXT,                      -- the registration that used it (an invitation admits once)
    created_at  TEXT NOT NULL
);
CREATE INDEX invitations_valid_until ON invitations(valid_until);
