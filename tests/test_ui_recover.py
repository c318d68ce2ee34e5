"""A bug in a screen callback: the kiosk logs it, alerts staff and goes back to welcome instead of going blank."""
from __future__ import annotations

import pytest
from kivy.base import ExceptionManager
from kivy.clock import Clock

from tests.test_ui_flow import agree_to_the_notice, kiosk, on  # noqa: F401  (the flow's fixture and helpers)

pytestmark = pytest.mark.ui


def _broken_callback(ui, message: str) -> None:
    """A bug in a clock callback: Kivy's clock hands the exception to the ExceptionManager."""

    def broken(_dt):
        raise RuntimeError(message)

    Clock.schedule_once(broken, 0)
    ui.pump(2)


def test_an_unexpected_error_mid_registration_goes_home_and_alerts_staff(kiosk, context):  # noqa: F811
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    draft = ui.app.flow_draft
    draft.name = "BUDI SANTOSO"
    _broken_callback(ui, "a bug")  # handled: nothing escapes the frame
    on(ui, "welcome")
    assert ui.app.flow_draft is None
    assert draft.name == "" and draft.photo is None  # cancelled like an idle timeout, not just dropped
    topics = [r[0] for r in context.db.conn.execute("SELECT payload FROM outbox WHERE topic='staff.alert'")]
    assert any("ui_error" in p for p in topics)


def test_errors_that_keep_coming_end_the_app_so_systemd_restarts_it(kiosk):  # noqa: F811
    from kiosk.ui.recover import MAX_ERRORS

    for n in range(MAX_ERRORS):
        _broken_callback(kiosk, f"bug {n}")
    with pytest.raises(RuntimeError, match="one too many"):
        _broken_callback(kiosk, "one too many")


def test_the_handler_goes_with_the_app(kiosk):  # noqa: F811
    handler = kiosk.app._recover
    assert handler in ExceptionManager.handlers
    kiosk.close()
    assert handler not in ExceptionManager.handlers
