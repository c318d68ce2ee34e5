"""Guest photos at rest: encrypted per visit, bound to their visit, opened only inside the data folder."""
from __future__ import annotations

import os

import pytest

from kiosk.store.photos import PhotoFiles

JPEG = b"\xff\xd8\xff\xe0" + b"face of a guest" * 50 + b"\xff\xd9"
KEY = bytes(range(32))


@pytest.fixture
def photos(tmp_path):
    return PhotoFiles(tmp_path / "data", KEY)


def test_a_saved_photo_is_ciphertext_on_disk_private_and_reads_back(photos):
    rel = photos.save("v1", JPEG)
    path = photos.data_dir / rel
    blob = path.read_bytes()
    assert rel == "photos/v1.enc" and blob[:4] == b"KPH1" and b"face of a guest" not in blob
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(path.parent).st_mode & 0o777 == 0o700
    assert photos.read(rel) == JPEG
    assert photos.read(str(path)) == JPEG  # an absolute path inside the data folder opens too
    assert not list(path.parent.glob("*.tmp"))


def test_a_photo_copied_onto_another_visit_or_tampered_with_or_under_another_key_does_not_open(photos, tmp_path):
    rel = photos.save("v1", JPEG)
    blob = (photos.data_dir / rel).read_bytes()
    (photos.data_dir / "photos" / "v2.enc").write_bytes(blob)
    assert photos.read("photos/v2.enc") is None
    (photos.data_dir / "photos" / "v3.enc").write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    assert photos.read("photos/v3.enc") is None
    assert PhotoFiles(photos.data_dir, bytes(32)).read(rel) is None
    (photos.data_dir / "photos" / "v4.enc").write_bytes(b"KPH1short")
    assert photos.read("photos/v4.enc") is None


def test_references_outside_the_data_folder_links_and_missing_files_give_no_photo(photos, tmp_path):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(JPEG)
    photos.save("v1", JPEG)
    for ref in ("", "../secret.jpg", str(outside), "photos/../../secret.jpg", "https://central/photo/v1",
                "photos/none.enc"):
        assert photos.read(ref) is None, ref


def test_a_plain_jpeg_from_before_encryption_still_opens_and_anything_else_does_not(photos):
    folder = photos.data_dir / "photos"
    folder.mkdir(parents=True)
    (folder / "old.jpg").write_bytes(JPEG)
    (folder / "junk.enc").write_bytes(b"GIF89a....")
    assert photos.read("photos/old.jpg") == JPEG
    assert photos.read("photos/junk.enc") is None
