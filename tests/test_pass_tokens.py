"""The signed-token codec: round trip, tampering, key rotation, kinds, hostile input."""
from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.gatepass import verify_pass
from kiosk.domain.tokens import (
    KIND_GATE_PASS,
    KIND_INVITATION,
    BadSignature,
    SigningKey,
    TokenUnreadable,
    UnknownKey,
    VerifyKey,
    decode_token,
    encode_token,
    peek_kind,
)
from tests.fixtures_printing import KEY, OFFICE, OTHER_KEY, PUBLIC, T0, sample_pass


def test_a_token_round_trips_kind_key_id_and_payload():
    text = encode_token(KIND_INVITATION, b"hello invitation", KEY)
    kind, key_id, payload = decode_token(text, PUBLIC)
    assert (kind, key_id, payload) == (KIND_INVITATION, KEY.key_id, b"hello invitation")
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert peek_kind(text) == KIND_INVITATION


def test_a_token_read_aloud_in_lower_case_with_dashes_still_verifies():
    text = encode_token(KIND_GATE_PASS, b"x", KEY)
    sloppy = "-".join(text[i : i + 4] for i in range(0, len(text), 4)).lower()
    assert decode_token(sloppy, PUBLIC).payload == b"x"


def test_any_changed_byte_of_a_gate_pass_fails_verification():
    _, token = sample_pass()
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    for i in range(len(raw)):
        bad = bytearray(raw)
        bad[i] ^= 0x01
        text = base64.b32encode(bytes(bad)).decode().rstrip("=")
        verdict = verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC)
        assert not verdict.valid, f"byte {i} changed and still valid"
        assert verdict.reason in {"bad_signature", "unknown_key", "unreadable"}


def test_any_changed_character_of_a_gate_pass_fails_verification():
    _, token = sample_pass()
    for i, ch in enumerate(token):
        text = token[:i] + ("A" if ch != "A" else "B") + token[i + 1 :]
        assert not verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC).valid, i


def test_a_truncated_or_extended_token_is_refused():
    _, token = sample_pass()
    for text in (token[:-8], token + "AAAAAAAA", token[8:]):
        assert not verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC).valid


def test_a_token_signed_by_a_key_the_gate_does_not_hold_is_unknown_key():
    _, token = sample_pass(key=OTHER_KEY)
    with pytest.raises(UnknownKey):
        decode_token(token, PUBLIC)
    assert verify_pass(token, at=T0, office_code=OFFICE, public_keys=PUBLIC).reason == "unknown_key"


def test_a_signature_grafted_onto_another_key_id_is_a_bad_signature():
    _, token = sample_pass(key=OTHER_KEY)
    # Install the OTHER key's public key under the main key's id: the signature must not pass.
    forged_lookup = {OTHER_KEY.key_id: KEY.public_key}
    with pytest.raises(BadSignature):
        decode_token(token, forged_lookup)


def test_after_key_rotation_passes_signed_with_the_old_key_stay_valid():
    _, old_token = sample_pass(key=KEY)
    new_key = SigningKey.generate()
    _, new_token = sample_pass(key=new_key)
    installed = {KEY.key_id: KEY.public_key, new_key.key_id: new_key.public_key}
    assert verify_pass(old_token, at=T0, office_code=OFFICE, public_keys=installed).valid
    assert verify_pass(new_token, at=T0, office_code=OFFICE, public_keys=installed).valid
    assert KEY.key_id != new_key.key_id


def test_an_invitation_is_not_a_gate_pass():
    text = encode_token(KIND_INVITATION, b"\x00" * 20, KEY)
    assert verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC).reason == "unreadable"


def test_keys_survive_their_pem_files():
    again = SigningKey.from_pem(KEY.to_pem())
    assert again.key_id == KEY.key_id
    assert VerifyKey.from_pem(KEY.public_key.to_pem()) == KEY.public_key


@pytest.mark.parametrize("text", ["", "   ", "hello world!", "0189", "A", "é" * 10, "A" * 5000, "AAAAAAAA"])
def test_garbage_is_unreadable_not_an_exception(text):
    with pytest.raises(TokenUnreadable):
        decode_token(text, PUBLIC)
    assert verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC).reason == "unreadable"


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=200).map(lambda b: base64.b32encode(b).decode())))
def test_no_input_makes_verification_raise(text):
    verdict = verify_pass(text, at=T0, office_code=OFFICE, public_keys=PUBLIC)
    assert not verdict.valid


def test_a_non_canonical_last_character_is_refused_not_silently_accepted():
    text = encode_token(KIND_GATE_PASS, b"\x01" * 22, KEY)  # 92 bytes: the last character has 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    twin = text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]  # same bytes to a lax base32 decoder
    assert base64.b32decode(twin + "=" * (-len(twin) % 8)) == base64.b32decode(text + "=" * (-len(text) % 8))
    with pytest.raises(TokenUnreadable):
        decode_token(twin, PUBLIC)
