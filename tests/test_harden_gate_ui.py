"""The guard's screen for the new refusals: a demo pass, a clock that went back, a copied pass seen again."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures_gate import gate_for
from tests.test_harden_gate import NOW, unknown_pass

pytestmark = pytest.mark.ui


@pytest.fixture
def security(context, artifacts):
    from tests.ui_harness import UiHarness

    gate_for(context)
    harness = UiHarness(context, role="security", artifacts=artifacts)
    harness.settle()
    yield harness
    harness.close()


def scan(ui, token: str) -> None:
    ui.type_text(token)
    ui.press_key(13)
    ui.pump(3)


def test_the_guard_sees_why_a_pass_is_refused(security):
    from kiosk.domain.gatepass import demo_signer, issue
    from kiosk.domain.tokens import KIND_DEMO_PASS

    ctx = security.app.services
    _, demo = issue(demo_signer(), office_code="KEJARI-KLK", issued_at=NOW, expires_at=NOW + timedelta(hours=1),
                    kind=KIND_DEMO_PASS)  # fmt: skip
    scan(security, demo)
    assert security.find("verdict_text").text == "PASS CONTOH (DEMO)"
    security.screenshot("gate-demo-pass-refused")

    _, token = unknown_pass()
    scan(security, token)
    assert security.find("verdict_text").text == "SILAKAN MASUK"
    ctx.clock.advance(minutes=1)
    scan(security, token)
    assert security.find("verdict_text").text == "SILAKAN KELUAR"
    ctx.clock.advance(minutes=1)
    scan(security, token)
    assert security.find("verdict_text").text == "SUDAH KELUAR"
    security.screenshot("gate-copied-pass-third-scan")

    ctx.clock.set(NOW - timedelta(days=3))
    _, other = unknown_pass()
    scan(security, other)
    assert security.find("verdict_text").text == "JAM PERANGKAT MUNDUR"
    security.screenshot("gate-clock-behind")
