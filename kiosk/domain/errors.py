"""Domain errors: typed, with words for people in Indonesian and English, turned into text only at the edges."""
from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk expects and can explain.

    Subclasses set `code` (stable, machine-readable) and build the Indonesian and English
    sentences from their own fields. The UI shows `text_id` first and `text_en` second; the CLI
    prints `message()` on one line and exits 2; logs record `code` and `fields` only (no personal data).
    """

    code = "kiosk_error"

    def __init__(self, text_id: str, text_en: str, **fields: object) -> None:
        super().__init__(text_en)
        self.text_id = text_id
        self.text_en = text_en
        self.fields = fields

    def message(self) -> str:
        """One line: Indonesian, then English."""
        return f"{self.text_id} / {self.text_en}"

    def text(self, lang: str) -> str:
        return self.text_id if lang == "id" else self.text_en


class IllegalTransition(KioskError):
    code = "illegal_transition"

    def __init__(self, visit_id: str, current: str, requested: str) -> None:
        super().__init__(
            f"Kunjungan {visit_id} tidak dapat berubah dari '{current}' ke '{requested}'",
            f"Visit {visit_id} cannot move from '{current}' to '{requested}'",
            visit_id=visit_id,
            current=current,
            requested=requested,
        )
        self.visit_id = visit_id
        self.current = current
        self.requested = requested


class NotFound(KioskError):
    code = "not_found"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(
            f"{what} '{key}' tidak ditemukan",
            f"{what} '{key}' not found",
            what=what,
            key=key,
        )
