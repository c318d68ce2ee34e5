"""Two questions the kiosk asks over any screen: "Still there?" before the idle timeout wipes an unfinished
registration, and "Cancel the registration?" before Batal does. Their look is in kv/base.kv."""
from __future__ import annotations

from collections.abc import Callable

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.modalview import ModalView


class IdleWarning(ModalView):
    """Shown for the last seconds of the idle timeout; any touch (counted by the idle watcher) closes it."""

    seconds = NumericProperty(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(auto_dismiss=False, **kwargs)


class ConfirmCancel(ModalView):
    """Batal asks first: what was typed and the photo are deleted."""

    kind = StringProperty("cancel")

    def __init__(self, on_yes: Callable[[], None], **kwargs) -> None:
        super().__init__(auto_dismiss=True, **kwargs)
        self._on_yes = on_yes

    def yes(self) -> None:
        self.dismiss()
        self._on_yes()
