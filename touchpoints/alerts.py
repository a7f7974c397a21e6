"""Failure alerts: a DAG-level ``on_failure_callback`` that tells people what failed and what to do.

Channels, from environment variables (none set: the alert is only logged):
- ``TOUCHPOINTS_ALERT_WEBHOOK_URL``: POSTs JSON ``{"text": ..., "dag_id", "run_id", "day", "start", "end",
  "failed_tasks"}`` (``day`` is the run's day, or its range as ``first..last``)
  (Slack- and Teams-style incoming webhooks accept the ``text`` field);
- ``TOUCHPOINTS_ALERT_SMTP_HOST`` (``host:port``) with ``TOUCHPOINTS_ALERT_EMAIL_TO`` (comma-separated) and
  optionally ``TOUCHPOINTS_ALERT_EMAIL_FROM``; SMTP credentials, if any, in ``TOUCHPOINTS_ALERT_SMTP_USER``
  and ``TOUCHPOINTS_ALERT_SMTP_PASSWORD``.
"""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage
from typing import Any

import requests

log = logging.getLogger(__name__)

ADVICE = (
    "Nothing was published for {days}: analysts keep the last good warehouse. Read the failed task's log "
    "(it names the failed source, expectation or dbt node), fix the cause, then clear the failed task or "
    "re-run: {rerun} (days already landed whole are kept; add --refetch to land them again)"
)


def compose(dag_id: str, run_id: str, days: str, rerun: str, failed: list[str], reason: str) -> str:
    lines = [
        f"{dag_id} failed for {days} (run {run_id}).",
        f"Failed tasks: {', '.join(failed) or 'unknown'}.",
    ]
    if reason:
        lines.append(f"Reason: {reason}")
    lines.append(ADVICE.format(days=days, rerun=rerun))
    return "\n".join(lines)


def send_alert(text: str, payload: dict[str, Any]) -> list[str]:
    """Send the alert through every configured channel; return the channels used. Never raises."""
    used = []
    webhook = os.environ.get("TOUCHPOINTS_ALERT_WEBHOOK_URL")
    if webhook:
        try:
            requests.post(webhook, json={"text": text, **payload}, timeout=10).raise_for_status()
            used.append("webhook")
        except requests.RequestException as exc:
            log.error("alert webhook failed: %s", type(exc).__name__)
    smtp_host, recipients = (
        os.environ.get("TOUCHPOINTS_ALERT_SMTP_HOST"),
        os.environ.get("TOUCHPOINTS_ALERT_EMAIL_TO"),
    )
    if smtp_host and recipients:
        message = EmailMessage()
        message["Subject"] = text.splitlines()[0]
        message["From"] = os.environ.get("TOUCHPOINTS_ALERT_EMAIL_FROM", "touchpoints@localhost")
        message["To"] = recipients
        message.set_content(text)
        host, _, port = smtp_host.partition(":")
        try:
            with smtplib.SMTP(host, int(port or 25), timeout=10) as smtp:
                if os.environ.get("TOUCHPOINTS_ALERT_SMTP_USER"):
                    smtp.starttls()
                    smtp.login(
                        os.environ["TOUCHPOINTS_ALERT_SMTP_USER"],
                        os.environ.get("TOUCHPOINTS_ALERT_SMTP_PASSWORD", ""),
                    )
                smtp.send_message(message)
            used.append("smtp")
        except (OSError, smtplib.SMTPException) as exc:
            log.error("alert e-mail failed: %s", type(exc).__name__)
    log.error("ALERT: %s", text)
    return used


def on_dag_failure(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback`` for the DAG run."""
    from touchpoints.run_days import RangeRefused, RunDays

    run = context.get("dag_run")
    dag_id = getattr(run, "dag_id", "touchpoints_nightly")
    run_id = getattr(run, "run_id", "?")
    logical = context.get("logical_date") or getattr(run, "logical_date", None)
    try:
        days = RunDays.of_run(context.get("params") or {}, logical)
        described, rerun, first, last = str(days), days.rerun(), str(days.first), str(days.last)
    except (RangeRefused, ValueError) as refused:
        described, rerun, first, last = (
            f"a refused range ({refused})",
            "touchpoints run --start … --end …",
            "?",
            "?",
        )
    failed_ti = context.get("ti") or context.get("task_instance")  # the task whose failure failed the run
    failed = [failed_ti.task_id] if failed_ti is not None and getattr(failed_ti, "task_id", None) else []
    reason = str(context.get("reason") or context.get("exception") or "")
    payload = {
        "dag_id": dag_id, "run_id": run_id, "day": described, "start": first, "end": last, "failed_tasks": failed,
    }  # fmt: skip
    send_alert(compose(dag_id, run_id, described, rerun, failed, reason), payload)
