"""Messages to an event's participants: write, preview, send a test to yourself, and
confirm on a second page before a message goes to more than a handful of people."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

from events import announcements
from events.models import Event, OutboxMessage, utcnow
from webapp.extensions import db
from webapp.mailer import render
from webapp.organise.access import bp, load_event, organiser
from webapp.organise.forms import AnnouncementForm
from webapp.organise.views import saved
from webapp.pipeline import Page, form_page


@dataclass(frozen=True)
class Preview:
    """A message as one of its recipients will read it."""

    recipient: str
    subject: str
    text: str


def _preview(draft: announcements.Draft) -> Preview:
    """Build the e-mail exactly as the outbox will, for one recipient, without queuing it."""
    person = draft.sample.person
    message = OutboxMessage(kind="announcement", recipient_email=person.email,
                            recipient_name=person.name, created_at=utcnow(),
                            context={"subject": draft.subject, "body": draft.body,
                                     "greeting": draft.greeting})
    # Not added to the session: the relationships are set for the rendering only.
    message.event, message.registration, message.person = draft.event, draft.sample, person
    email = render(message)
    return Preview(f"{person.name} <{person.email}>", email.subject or "", email.body or "")


def _send_or_ask(form: AnnouncementForm, event: Event) -> object:
    """What the pressed button asks for: a preview, a test to the organiser, or the message
    itself, which waits on a second page when it goes to more than a handful of people."""
    action = request.form.get("action", "send")
    draft = announcements.draft(db.session, event, form.audience.data or "", form.subject.data,
                                form.body.data, bool(form.greeting.data))
    if action == "test":
        announcements.send_test(db.session, draft, organiser())
        return draft
    if action != "send":
        return draft
    # Asked again if the number changed since the organiser confirmed it.
    if draft.asks_first and request.form.get("confirmed") != str(draft.recipients):
        return draft
    return announcements.announce(db.session, event, draft.audience, draft.subject,
                                  draft.body, organiser(), draft.greeting)


@bp.route("/events/<int:event_id>/announcements", methods=["GET", "POST"])
def announce(event_id: int) -> Page:
    event = load_event(event_id)
    form = AnnouncementForm()
    action = request.form.get("action", "send")

    def page(problem: str | None, draft: announcements.Draft | None = None,
             tested: bool = False) -> str:
        return render_template(
            "organise/announcements.html", event=event, form=form, problem=problem,
            history=announcements.history(db.session, event),
            preview=_preview(draft) if draft is not None else None, draft=draft,
            tested=tested, test_to=organiser().email)

    def done(result: object) -> Page:
        if isinstance(result, announcements.Announcement):
            return saved(f"Your message is on its way to {result.recipients} people.",
                         "organise.announce", event_id=event_id)
        assert isinstance(result, announcements.Draft)
        if action == "send":
            return render_template("organise/announcement_confirm.html", event=event,
                                   form=form, draft=result, preview=_preview(result))
        return page(None, result, tested=action == "test")

    if action == "edit":
        # Back from the confirmation page to change the message: nothing is sent.
        form.validate_on_submit()
        return page(None)
    return form_page(form, lambda: _send_or_ask(form, event), page=page, done=done,
                     fallback_field="body")
