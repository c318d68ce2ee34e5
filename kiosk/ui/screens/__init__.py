"""Screens of each role, in the order they are added to the ScreenManager (the first is the welcome screen).

Each entry is `module:Class`; the class lives in kiosk/ui/screens/<module>.py and its layout in
kiosk/ui/kv/<module>.kv.
"""

ROLE_SCREENS: dict[str, list[str]] = {
    "guest": [
        "welcome:GuestWelcomeScreen",
        "help:HelpScreen",
        "guest_consent:ConsentScreen",
        "guest_scan:ScanScreen",
        "guest_entry:NikEntryScreen",
        "guest_proof:ProofScreen",
        "guest_confirm:ConfirmScreen",
        "guest_purpose:PurposeScreen",
        "guest_host:HostScreen",
        "guest_photo:PhotoScreen",
        "guest_finish:FinishScreen",
        "guest_done:DoneScreen",
    ],
    "security": [
        "security:GateScreen",
        "welcome:SecurityWelcomeScreen",
        "security:InsideNowScreen",
    ],
    "survey": [
        "welcome:SurveyWelcomeScreen",
        "survey:SurveyQuestionScreen",
        "survey:SurveyProfileScreen",
        "survey:SurveyThanksScreen",
    ],
}

# The staff menu (PIN first, then status, visits, lockers) is in every role, after the role's own screens;
# a long press on the office name in the header opens it.
STAFF_SCREENS = ["staff:StaffPinScreen", "staff:StaffScreen"]
for _screens in ROLE_SCREENS.values():
    _screens.extend(s for s in STAFF_SCREENS if s not in _screens)
