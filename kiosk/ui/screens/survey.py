"""The survey desk (SKM): nine questions with one large tap per answer, an optional profile, then thanks.

The questions and their answer words are the regulation's, from kiosk.domain.survey (both languages);
the screen only collects taps and hands them to kiosk.app.survey.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.domain.survey import ELEMENTS, SEXES
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.wedge import WedgeScannerMixin
from kiosk.ui.widgets import discard_children

THANKS_SECONDS = 6


class SurveyQuestionScreen(KioskScreen):
    index = NumericProperty(0)  # 0..8
    answers = ListProperty([0] * len(ELEMENTS))  # 0 = not answered yet

    def question(self, index: int, lang: str) -> str:
        e = ELEMENTS[int(index)]
        return e.question_id if lang == "id" else e.question_en

    def element_name(self, index: int, lang: str) -> str:
        e = ELEMENTS[int(index)]
        return e.name_id if lang == "id" else e.name_en

    def answer_label(self, index: int, value: int, lang: str) -> str:
        return ELEMENTS[int(index)].label(value, lang)

    def choose(self, value: int) -> None:
        answers = list(self.answers)
        answers[self.index] = value
        self.answers = answers
        if self.index + 1 < len(ELEMENTS):
            self.index += 1
        else:
            self.app.go("survey_profile")

    def previous(self) -> None:
        if self.index > 0:
            self.index -= 1
        else:
            self.app.go_home()

    def reset(self) -> None:
        self.index = 0
        self.answers = [0] * len(ELEMENTS)


class SurveyProfileScreen(WedgeScannerMixin, KioskScreen):
    choice = DictProperty({})  # item -> chosen option
    visit_id = StringProperty("")
    linked = BooleanProperty(False)
    error = StringProperty("")
    status = StringProperty("")  # what the last scanned pass did, in the kiosk's language
    status_error = BooleanProperty(False)
    typing = BooleanProperty(False)  # the comment's keyboard is open

    def on_pre_enter(self, *_args) -> None:
        opts = self.services.config.survey
        groups = {
            "age_group": [(g, g) for g in opts.age_groups],
            "sex": [(code, f"survey.sex_{code}") for code, _id, _en in SEXES],
            "education": [(e, e) for e in opts.education],
            "occupation": [(o, o) for o in opts.occupation],
        }
        for item, options in groups.items():
            box = self.ids[f"{item}_options"]
            discard_children(box)
            for value, label in options:
                button = Factory.OptionButton()
                button.value, button.item, button.label_key = value, item, label
                button.bind(on_release=self._picked)
                box.add_widget(button)
        self._refresh()

    def _picked(self, button) -> None:
        choice = dict(self.choice)
        choice[button.item] = "" if choice.get(button.item) == button.value else button.value
        self.choice = choice
        self._refresh()

    def _refresh(self) -> None:
        for item in ("age_group", "sex", "education", "occupation"):
            for button in self.ids[f"{item}_options"].children:
                button.filled = self.choice.get(item) == button.value

    def on_enter(self, *_args) -> None:
        self.start_wedge()

    def on_leave(self, *_args) -> None:
        self.stop_wedge()

    def close_keyboard(self) -> None:
        self.typing = False
        self.ids.comment.focus = False

    def on_scan(self, token: str) -> None:
        """A visitor pass scanned here links the answers to the visit and checks the guest out.

        It arrives from the scanner whatever has the focus (the comment is typed on the on-screen keyboard)."""
        if not token.strip():
            return
        done = self.services.gate.survey_checkout(token)
        if done is None:
            # The keyboard closes on a small panel: the message shows only without it.
            self.close_keyboard()
            self.status, self.status_error = self.app.tr("survey.pass_unknown"), True
            return
        self.visit_id, self.linked = done.visit_id, True
        # The guest sees what the scan did (checked out, the locker to empty) in full: the keyboard closes, the
        # comment typed so far stays.
        self.close_keyboard()
        if done.locker_door:
            self.status = self.app.tr("survey.checked_out_locker", door=done.locker_door)
        else:
            self.status = self.app.tr("survey.checked_out")
        self.status_error = False

    def submit(self) -> None:
        answers = tuple(self.manager.get_screen("survey").answers)
        try:
            self.services.surveys.record(
                answers,
                visit_id=self.visit_id or None,
                comment=self.ids.comment.text,
                **{k: v for k, v in self.choice.items() if v},
            )
        except KioskError as exc:
            self.error = exc.text(self.app.lang)
            return
        self.app.go("survey_thanks")

    def reset(self) -> None:
        self.choice = {}
        self.visit_id = ""
        self.linked = False
        self.error = ""
        self.status = ""
        self.status_error = False
        self.typing = False
        if "comment" in self.ids:
            self.ids.comment.text = ""


class SurveyThanksScreen(KioskScreen):
    _timer = None

    def on_enter(self, *_args) -> None:
        app = self.app
        self._timer = Clock.schedule_once(lambda _dt: app.go_home(), THANKS_SECONDS)
        app.bind(on_stop=lambda *_a: self.on_leave())  # never fire into an app that has stopped

    def on_leave(self, *_args) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
