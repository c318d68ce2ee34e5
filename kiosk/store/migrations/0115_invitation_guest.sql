-- The guest's name and phone as the desk's invitation gave them (AES-GCM, like the NIK): a guest who types
-- the NIK then finds them filled in on the confirm step instead of typing them.
ALTER TABLE invitations ADD COLUMN name_enc BLOB;
ALTER TABLE invitations ADD COLUMN phone_enc BLOB;
