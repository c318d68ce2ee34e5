"""Walk every screen of the three roles at one panel size, check each drawn state and save a screenshot.

Run in a process of its own (Kivy has one window per process, made at the size asked for):
    python -m tests.layout_walk 800x480 7in OUT_DIR
Prints one JSON object: {"size", "screens": [names], "problems": ["screen/state: kind: what"]}.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    size, display, out = argv[0], argv[1], Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    os.environ["KIOSK_TEST_WINDOW"] = size
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-home-"))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    sys.path.insert(0, str(ROOT))
    import importlib

    # tests.ui_harness makes the window at KIOSK_TEST_WINDOW: it must come before anything imports the window.
    UiHarness = importlib.import_module("tests.ui_harness").UiHarness
    from kivy.core.window import Window
    from kivy.uix.screenmanager import NoTransition

    LOOPS.install()
    walker = Walker(out, size, display)
    with tempfile.TemporaryDirectory() as tmp:
        for role in ("guest", "security", "survey"):
            ctx = walker.context(Path(tmp) / role, role)
            ui = UiHarness(ctx, role=role)
            ui.app.screens.transition = NoTransition()
            try:
                assert tuple(Window.size) == tuple(int(v) for v in size.split("x")), Window.size
                walker.walk(ui, role)
            finally:
                ui.close()
                ctx.close()
    print(json.dumps({"size": size, "display": display, "screens": walker.seen, "problems": walker.problems,
                      "slowest": sorted(walker.times, key=lambda t: -t[1])[:5]}))
    return 0


class _LoopCounter:
    """Counts Kivy's "too much iteration" warnings: a layout whose sizes feed back on each other."""

    count = 0

    def install(self) -> None:
        import logging

        counter = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "too much iteration" in record.getMessage():
                    counter.count += 1

        logging.getLogger("kivy").addHandler(Handler())


LOOPS = _LoopCounter()


class Walker:
    def __init__(self, out: Path, size: str, display: str) -> None:
        self.out, self.size, self.display = out, size, display
        self.problems: list[str] = []
        self.seen: list[str] = []
        self.times: list[tuple[str, float]] = []

    def context(self, folder: Path, role: str):
        import tomllib

        from kiosk.app.context import AppContext
        from kiosk.config import parse_config
        from kiosk.domain.clock import FixedClock

        with open(ROOT / "config/simulate.toml", "rb") as fh:
            data = tomllib.load(fh)
        data["kiosk"]["data_dir"] = str(folder / "data")
        data["kiosk"]["role"] = role
        data.setdefault("ui", {}).update(display=self.display, idle_timeout_s=3600)  # the walk takes minutes
        data["privacy"].update(key_file=str(folder / "k/data.key"), signing_key_file=str(folder / "k/sign.key"),
                               verify_keys_dir=str(folder / "k/verify"))
        ctx = AppContext(parse_config(data, base_dir=ROOT), clock=FixedClock(datetime(2026, 11, 23, 2, 30, tzinfo=UTC)))
        from kiosk.app.passes import init_keys

        init_keys(ctx.config)
        return ctx

    def look(self, ui, name: str) -> None:
        """Check the screen as drawn now and save it as OUT/<size>/<name>.png."""
        import time

        from tests.layout_check import check_screen

        start, before = time.monotonic(), LOOPS.count
        ui.lay_out(3)
        if LOOPS.count > before:
            self.problems.append(f"{name}: layout that never settles ({LOOPS.count - before} overflows of the clock)")
        self.times.append((name, round(time.monotonic() - start, 2)))
        self.seen.append(name)
        folder = self.out / self.size
        folder.mkdir(parents=True, exist_ok=True)
        ui.app.root.export_to_png(str(folder / f"{name}.png"))
        ids = ui.app.root.ids
        for p in check_screen(ui.app.root, ui.app.root.size, ui.app.theme.mm, chrome=(ids.header, ids.access)):
            self.problems.append(f"{name}: {p}")

    def variants(self, ui, name: str) -> None:
        """The screen in Indonesian, (KIOSK_LAYOUT_FULL=1: in English,) with large text in high contrast in
        English (the longest words at the largest size), (KIOSK_LAYOUT_FULL=1: with large text in Indonesian.)"""
        app = ui.app
        self.look(ui, f"{name}")
        app.toggle_language()
        if os.environ.get("KIOSK_LAYOUT_FULL"):
            self.look(ui, f"{name}-en")
        app.toggle_large_text()
        app.toggle_high_contrast()
        self.look(ui, f"{name}-large-contrast-en")
        app.toggle_language()
        app.toggle_high_contrast()
        if os.environ.get("KIOSK_LAYOUT_FULL"):  # large text in Indonesian (longer words than the English)
            self.look(ui, f"{name}-large")
        app.toggle_large_text()

    def walk(self, ui, role: str) -> None:
        getattr(self, f"walk_{role}")(ui)
        ui.app.go("staff")
        ui.lay_out(3)
        self.variants(ui, f"{role}-staff")
        for tab in ("visits", "lockers"):
            ui.app.screens.get_screen("staff").show(tab)
            self.look(ui, f"{role}-staff-{tab}")
        ui.app.go("staff_pin")
        self.variants(ui, f"{role}-staff-pin")

    def walk_guest(self, ui) -> None:
        app = ui.app
        self.variants(ui, "welcome")
        app.go("help")
        self.variants(ui, "help")
        for name in [n for n in app.screens.screen_names if n not in ("welcome", "help", "finish", "done")
                     and not n.startswith("staff")]:
            if name == "scan":  # the camera step opens only after the notice was agreed to
                screen = app.screens.get_screen("scan")
                screen.flow.give_consent(screen.draft)
            app.go(name)
            ui.lay_out(3)
            if app.screens.current != name:  # a screen the walk never reached was never checked
                self.problems.append(f"{name}: the walk did not reach it (the app showed {app.screens.current})")
                continue
            self.variants(ui, name)
        # The confirm step with a whole record (a returning guest): nothing to type, the details at full width.
        draft = app.screens.get_screen("confirm").draft
        draft.nik, draft.name, draft.phone = "3201015708850001", "Siti Aminah Kusumawardhani", "081234567890"
        draft.institution, draft.address = "CV Maju Jaya Sejahtera", "Jl. Gajah Mada No. 56, Semarapura Kangin, Klungkung"
        app.go("confirm")
        ui.lay_out(3)
        self.variants(ui, "confirm-filled")
        purpose = app.screens.get_screen("purpose")
        app.go("purpose")
        purpose.complaint = True
        self.variants(ui, "purpose-complaint")
        purpose.complaint = False
        host = app.screens.get_screen("host")
        app.go("host")
        host.typing = True
        self.variants(ui, "host-typing")
        host.ids.search.text = "zzzz"
        self.look(ui, "host-none-found")
        host.ids.search.text = ""
        ui.lay_out(3)
        if not host.buttons():
            self.problems.append("host: the list stays empty after a search that found nobody is cleared")
        host.typing = False
        done = app.screens.get_screen("done")
        app.go("done")
        done.locker_text = app.tr("done.locker", door=12)
        done.host_name = "Dr. Bambang Sutrisno Wicaksono, S.H., M.H."
        self.variants(ui, "done")
        app.go_home()

    def walk_security(self, ui) -> None:
        app = ui.app
        gate = app.screens.get_screen("gate")
        self.variants(ui, "gate")
        gate.verdict, gate.green = "waiting_host", False
        gate.guest_name, gate.host_name, gate.host_phone = "Siti Aminah Kusumawardhani", "Dr. Bambang Sutrisno", "0812 3456 7890"
        gate.photo, gate.photo_texture = "1", _photo_texture()  # every verdict shows the guest's photo
        ui.lay_out(3)
        # The guard reads the verdict and the next step at a glance: at the normal text size they never scroll.
        lines = gate.ids.verdict_lines
        if lines.minimum_height > lines.parent.height + 2:
            self.problems.append(f"gate-waiting-host: the verdict scrolls ({lines.minimum_height:.0f} px of text in "
                                 f"{lines.parent.height:.0f})")
        self.variants(ui, "gate-waiting-host")
        gate.verdict, gate.green, gate.locker, gate.return_id_card = "exit", True, "12", True
        self.variants(ui, "gate-exit")
        gate.reset()
        gate.open_keyboard()
        self.variants(ui, "gate-typing")
        gate.reset()
        app.go("inside")
        self.variants(ui, "inside-now")

    def walk_survey(self, ui) -> None:
        app = ui.app
        self.variants(ui, "survey-welcome")
        app.go("survey")
        self.variants(ui, "survey-question")
        app.screens.get_screen("survey").index = 8
        self.look(ui, "survey-question-9")
        profile = app.screens.get_screen("survey_profile")
        app.go("survey_profile")
        self.variants(ui, "survey-profile")
        profile.status = app.tr("survey.checked_out_locker", door=12)
        profile.typing = True
        self.variants(ui, "survey-profile-typing")
        profile.reset()
        app.go("survey_thanks")
        self.variants(ui, "survey-thanks")


def _photo_texture():
    """A guest photo's stand-in (a portrait-shaped grey texture): the verdict lays out as with a real photo."""
    from kivy.graphics.texture import Texture

    texture = Texture.create(size=(60, 80), colorfmt="rgb")
    texture.blit_buffer(bytes([128]) * (60 * 80 * 3), colorfmt="rgb", bufferfmt="ubyte")
    return texture


def run_size(size: str, panel: str, out: Path, root: Path) -> dict:
    """Walk one panel size in a process of its own (a Kivy window is made once per process, at one size) and
    return its result; the test asserts on it."""
    import subprocess

    run = subprocess.run([sys.executable, "-m", "tests.layout_walk", size, panel, str(out)], cwd=root,
                         env=dict(os.environ), capture_output=True, text=True, timeout=500)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
