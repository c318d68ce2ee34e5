-- Every personal field of a guest is encrypted at rest (AES-GCM, like nik_enc and address_enc). The plaintext
-- columns name, phone and institution stay only for the schema's NOT NULL and are always ''; rows written before
-- this migration are encrypted and blanked by GuestRepository when it first opens the database (the key is not
-- known to SQL). phone_hash is a keyed hash of the phone number, to check "the last digits of your phone"
-- without decrypting every guest.
ALTER TABLE guests ADD COLUMN name_enc BLOB;
ALTER TABLE guests ADD COLUMN phone_enc BLOB;
ALTER TABLE guests ADD COLUMN institution_enc BLOB;
ALTER TABLE guests ADD COLUMN phone_hash TEXT;
