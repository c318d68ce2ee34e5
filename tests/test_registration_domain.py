"""The registration draft's rules, with values: consent first, proof before prefill, routing, fast lane, timing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.domain.ktp import FieldReading, KtpFlag, KtpReading
from kiosk.domain.registration import (
    CONSENT_NOTICE_VERSION,
    IncompleteDraft,
    InvalidName,
    InvalidPhone,
    InvitationMismatch,
    RegistrationDraft,
    StoredGuest,
    normalize_name,
    normalize_phone,
    phone_digits_match,
    same_name,
)

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
NIK = "5105011508850001"
KNOWN = StoredGuest(7, NIK, "SITI AMINAH", "0813-0000-1111", "KANTOR POS", "JL. MAWAR 3", T0 - timedelta(days=40),
                    last_purpose="meet_employee", last_host_id="kajari", last_host_name="Kajari",
                    last_photo_at=T0 - timedelta(days=3), last_photo_visit="v-1")
PURPOSES = {"meet_employee": False, "complaint": True}


def draft() -> RegistrationDraft:
    d = RegistrationDraft("d1", T0)
    d.give_consent(T0)
    return d


def test_consent_is_recorded_with_the_notice_version_and_is_required_first():
    d = RegistrationDraft("d1", T0)
    with pytest.raises(IncompleteDraft) as exc:
        d.require_consent()
    assert exc.value.fields["missing"] == "consent"
    assert d.missing() == ["consent", "nik", "name", "purpose", "host"]
    d.give_consent(T0)
    assert (d.consent, d.consent_at, d.consent_version) == (True, T0, CONSENT_NOTICE_VERSION)


def test_a_stored_guest_stays_hidden_until_proven():
    d = draft()
    d.set_identity(NIK, "manual", KNOWN)
    assert d.needs_proof() and not d.returning and d.name == "" and d.consent_first_given is None
    assert d.suggested_host() == "" and d.reusable_photo(T0, 30) == ""
    d.prove("phone")
    assert d.returning and (d.name, d.phone, d.institution) == ("SITI AMINAH", "0813-0000-1111", "KANTOR POS")
    assert d.address == "" and d.consent_first_given == KNOWN.consent_at


def test_every_typed_or_scanned_nik_gets_the_same_question_and_a_card_read_none():
    d = draft()
    d.set_identity(NIK, "scan", None)
    assert d.needs_proof()
    d.skip_proof()
    assert not d.needs_proof() and not d.returning
    d.set_identity(NIK, "ocr", KNOWN)
    assert not d.needs_proof()


def test_a_new_nik_forgets_the_other_persons_details():
    d = draft()
    d.set_identity(NIK, "manual", KNOWN)
    d.prove("phone")
    d.photo = b"jpeg"
    d.set_identity("3201015708850123", "manual", None)
    assert (d.name, d.phone, d.photo, d.known) == ("", "", None, None)


@pytest.mark.parametrize(("stored", "typed", "ok"), [
    ("0813-0000-1111", "1111", True), ("+62 813 0000 1111", "1111", True), ("0813-0000-1111", "0111", False),
    ("", "", False), ("123", "0123", False), ("0813-0000-1111", "111", False), ("0813-0000-1111", "11111", False),
])
def test_phone_digits_proof(stored, typed, ok):
    assert phone_digits_match(stored, typed) is ok


def test_the_card_proves_a_guest_when_nik_and_name_match():
    card = KtpReading({"nik": FieldReading(NIK, 0.99), "name": FieldReading("Siti  Aminah", 0.95)})
    assert KNOWN.ktp_matches(card, NIK)
    other = KtpReading({"nik": FieldReading(NIK, 0.99), "name": FieldReading("BUDI", 0.95)})
    assert not KNOWN.ktp_matches(other, NIK) and not KNOWN.ktp_matches(card, "3201015708850123")
    assert same_name("A.A. Gde", "aa gde") and not same_name("", "")


def test_a_complaint_goes_to_the_head_of_intelligence_and_another_purpose_undoes_it():
    d = draft()
    assert d.choose_purpose("complaint", routes_to_intel=True, intel_host=("kasi-intel", "Kasi Intel")) is True
    assert (d.host_id, d.host_name) == ("kasi-intel", "Kasi Intel")
    assert d.choose_purpose("meet_employee", routes_to_intel=False, intel_host=("kasi-intel", "Kasi Intel")) is False
    assert d.host_id == ""
    # Without a configured Head of Intelligence the guest picks a host.
    assert d.choose_purpose("complaint", routes_to_intel=True, intel_host=None) is False


def test_the_fast_lane_keeps_the_last_purpose_but_never_a_complaint():
    d = draft()
    d.set_identity(NIK, "manual", KNOWN)
    assert d.next_after_confirm(PURPOSES) == "purpose"  # not proven
    d.prove("phone")
    assert d.next_after_confirm(PURPOSES) == "host" and d.purpose == "meet_employee"
    assert d.suggested_host() == "kajari"
    assert d.reusable_photo(T0, 30) == "v-1" and d.reusable_photo(T0, 2) == "" and d.reusable_photo(T0, 0) == ""
    complainer = draft()
    complainer.set_identity(NIK, "manual", StoredGuest(**{**KNOWN.__dict__, "last_purpose": "complaint"}))
    complainer.prove("phone")
    assert complainer.next_after_confirm(PURPOSES) == "purpose" and complainer.purpose == ""


def test_an_invitation_fills_purpose_and_host_and_its_nik_must_match():
    d = draft()
    d.accept_invitation("INV1", purpose="meet_employee", host_id="kajari", host_name="Kajari", nik=NIK)
    with pytest.raises(InvitationMismatch):
        d.set_identity("3201015708850123", "manual", None)
    d.set_identity(NIK, "manual", None)
    d.skip_proof()
    assert d.next_after_confirm(PURPOSES) == "photo" and (d.purpose, d.host_id) == ("meet_employee", "kajari")
    already = draft()
    already.set_identity("3201015708850123", "manual", None)
    with pytest.raises(InvitationMismatch):
        already.accept_invitation("INV2", purpose="meet_employee", host_id="kajari", host_name="Kajari", nik=NIK)


def test_a_card_in_disagreement_is_confirmed_by_a_second_tap_only():
    d = draft()
    flags = [KtpFlag("birth_date_mismatch", "birth_date", "berbeda", "differs")]
    assert d.review_card(flags, asked=False) is False and not d.ktp_flags_confirmed
    assert d.review_card(flags, asked=True) is True and d.ktp_flags_confirmed
    assert d.review_card(flags, asked=False) is True
    assert draft().review_card([], asked=False) is True


@pytest.mark.parametrize(("typed", "stored"), [("  Ni Luh   Putu ", "Ni Luh Putu"), ("Ma'ruf", "Ma'ruf")])
def test_names_are_normalised(typed, stored):
    assert normalize_name(typed) == stored


@pytest.mark.parametrize(("typed", "reason"), [("", "empty"), ("B", "too_short"), ("Budi 2", "characters")])
def test_bad_names_say_why(typed, reason):
    with pytest.raises(InvalidName) as exc:
        normalize_name(typed)
    assert exc.value.reason == reason


@pytest.mark.parametrize(("typed", "stored"), [("", ""), ("0812 3456 7890", "081234567890"), ("+62-812-3456-7890", "+6281234567890")])
def test_phones_are_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["0812", "08123456789012345", "0812abc45678", "++62812345678"])
def test_bad_phones_are_refused(typed):
    with pytest.raises(InvalidPhone):
        normalize_phone(typed)


def test_data_capture_time_against_the_standard():
    d = draft()
    d.enter_step("consent", T0)
    d.enter_step("scan", T0 + timedelta(seconds=20))
    d.enter_step("scan", T0 + timedelta(seconds=25))  # the same step again: still one
    d.enter_step("finish", T0 + timedelta(seconds=200))
    assert [s.step for s in d.steps] == ["consent", "scan", "finish"] and d.steps[1].seconds == 180
    assert d.capture_seconds() == 200 and not d.capture_within_standard()


def test_forget_leaves_nothing_personal():
    d = draft()
    d.set_identity(NIK, "manual", KNOWN)
    d.prove("phone")
    d.photo = b"jpeg"
    d.forget()
    assert (d.nik, d.name, d.phone, d.photo, d.known) == ("", "", "", None, None)


def test_an_invitations_name_and_phone_fill_only_empty_fields_and_stay_after_the_nik():
    d = draft()
    d.accept_invitation("INV1", purpose="meet_employee", host_id="kajari", host_name="K", nik=NIK,
                        name="Made Wirawan", phone="+6281338001122")
    d.set_identity(NIK, "manual", None)  # the typed NIK resets the details, then the invitation fills them
    assert (d.name, d.phone) == ("Made Wirawan", "+6281338001122")
    d.name = "MADE WIRAWAN"  # what the guest corrects (or the KTP read puts) is kept
    d.set_identity(NIK, "manual", None)
    assert d.name == "MADE WIRAWAN"
