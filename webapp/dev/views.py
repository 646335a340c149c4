"""Development only: read the e-mails written to ``instance/mail`` as files."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("dev", __name__, url_prefix="/dev")


def _mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


@bp.get("/mailbox")
def mailbox() -> str:
    files = sorted(_mail_dir().glob("*.eml"), reverse=True)[:200]
    messages = []
    for path in files:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        messages.append({"name": path.stem, "subject": parsed["Subject"], "to": parsed["To"],
                         "date": parsed["Date"]})
    return render_template("dev/mailbox.html", messages=messages)


@bp.get("/mailbox/<name>")
def message(name: str) -> str:
    path = _mail_dir() / f"{name}.eml"
    if "/" in name or not path.is_file():
        abort(404)
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    calendar = next((part for part in parsed.walk()
                     if part.get_content_type() == "text/calendar"), None)
    return render_template(
        "dev/message.html", name=name, message=parsed,
        text=text.get_content() if text else "",
        calendar=calendar.get_content() if calendar else "",
    )
