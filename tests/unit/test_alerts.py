"""Failure alerts reach a real local webhook receiver and a real local SMTP server."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from sandbox.server import free_port
from tests.receivers import webhook_receiver
from touchpoints.alerts import compose, send_alert


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[override]
        self.messages.append(message)


def test_alert_goes_to_the_webhook_and_by_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with webhook_receiver() as (url, received):
            monkeypatch.setenv("TOUCHPOINTS_ALERT_WEBHOOK_URL", url)
            monkeypatch.setenv("TOUCHPOINTS_ALERT_SMTP_HOST", f"127.0.0.1:{port}")
            monkeypatch.setenv("TOUCHPOINTS_ALERT_EMAIL_TO", "oncall@example.com")
            text = compose(
                "touchpoints_nightly",
                "run-1",
                "2026-11-02",
                "touchpoints run --start 2026-11-02 --end 2026-11-02",
                ["validate_landed"],
                "stars out of range",
            )
            used = send_alert(text, {"failed_tasks": ["validate_landed"]})
    finally:
        smtp.stop()
    assert used == ["webhook", "smtp"]
    assert received[-1]["failed_tasks"] == ["validate_landed"]
    assert "touchpoints run --start 2026-11-02 --end 2026-11-02" in received[-1]["text"]
    assert inbox.messages and inbox.messages[0]["To"] == "oncall@example.com"
    assert "failed for 2026-11-02" in inbox.messages[0]["Subject"]


def test_an_unreachable_channel_does_not_break_the_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINTS_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens-here")
    monkeypatch.delenv("TOUCHPOINTS_ALERT_SMTP_HOST", raising=False)
    assert send_alert("touchpoints_nightly failed", {}) == []
