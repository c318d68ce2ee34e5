"""Screens of each role, in the order they are added to the ScreenManager (the first is the welcome screen).

Each entry is `module:Class`; the class lives in kiosk/ui/screens/<module>.py and its layout in
kiosk/ui/kv/<module>.kv.
"""

ROLE_SCREENS: dict[str, list[str]] = {
    "guest": [
        "welcome:GuestWelcomeScreen",
        "help:HelpScreen",
        "manual_entry:ManualEntryScreen",
        "ktp_confirm:KtpConfirmScreen",
    ],
    "security": [
        "welcome:SecurityWelcomeScreen",
    ],
    "survey": [
        "welcome:SurveyWelcomeScreen",
    ],
}
