"""Domain errors: typed, with words for people in Indonesian and English, turned into text only at the edges."""
from __future__ import annotations

from kiosk.domain.words import error_text


class KioskError(Exception):
    """Base of every error the kiosk expects and can explain.

    An error is a `code` (stable, machine-readable: what tests assert) and `fields` (the values its words
    need). Its Indonesian and English words live in assets/i18n/errors.toml under the code (or under
    `text_key`, for an error whose sentence depends on a field). The UI shows `text_id` first and `text_en`
    second; the CLI prints `message()` on one line and exits 2; logs record `code` and `fields` only.
    """

    code = "kiosk_error"
    private: tuple[str, ...] = ()  # fields that the words may show but logs never record

    def __init__(self, *texts: str, **fields: object) -> None:
        # Two positional texts are the old hand-written (id, en) pair: still shown as given, and flagged by
        # the catalogue test so that they move to errors.toml.
        super().__init__(self.code)
        self.fields = fields
        self._texts = texts if len(texts) == 2 else None

    @property
    def text_key(self) -> str:
        """The catalogue entry of this error's words."""
        return self.code

    def text(self, lang: str) -> str:
        if self._texts is not None:
            return self._texts[0] if lang == "id" else self._texts[1]
        return error_text(self.text_key, lang, self.fields)

    @property
    def text_id(self) -> str:
        return self.text("id")

    @property
    def text_en(self) -> str:
        return self.text("en")

    def log_fields(self) -> dict[str, object]:
        """The fields a log line may carry: plain values, none of the private ones."""
        return {k: v for k, v in self.fields.items()
                if k not in self.private and isinstance(v, (str, int, float, bool))}

    def message(self) -> str:
        """One line: Indonesian, then English."""
        return f"{self.text_id} / {self.text_en}"

    def __str__(self) -> str:
        return self.text_en


class IllegalTransition(KioskError):
    code = "illegal_transition"

    def __init__(self, visit_id: str, current: str, requested: str) -> None:
        super().__init__(visit_id=visit_id, current=current, requested=requested)
        self.visit_id = visit_id
        self.current = current
        self.requested = requested


class NotFound(KioskError):
    code = "not_found"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(what=what, key=key)
