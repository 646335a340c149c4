"""Feedback for organisers: a series' settings, an event's requests, reports and CSV."""

from __future__ import annotations

from flask import Response, render_template, request, url_for

from events import (
    feedback_csv,
    feedback_reports,
    feedback_requests,
    feedback_settings,
    signed_links,
)
from events.models import Event, Programme, Series
from webapp.extensions import db
from webapp.organise.access import bp, load_event, load_programme, load_series
from webapp.organise.feedback_forms import SeriesFeedbackForm
from webapp.organise.forms import ActionForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page


def _settings_plan(form: SeriesFeedbackForm) -> feedback_settings.SettingsPlan:
    return feedback_settings.SettingsPlan(
        automatic=form.automatic.data, named=form.named.data,
        delay_minutes=form.delay_minutes.data, remind_at=form.remind_at.data,
        outcomes=[form[name].data or "" for name in form.OUTCOMES])


@bp.route("/series/<int:series_id>/feedback", methods=["GET", "POST"])
def series_feedback(series_id: int) -> Page:
    series = load_series(series_id)
    current = feedback_settings.series_settings(db.session, series)
    form = SeriesFeedbackForm(obj=current.settings)
    if not form.is_submitted():
        for name, outcome in zip(form.OUTCOMES, current.outcomes, strict=False):
            form[name].data = outcome.statement
    return form_page(
        form, lambda: feedback_settings.save_settings(db.session, series, _settings_plan(form)),
        page=lambda problem: render_template("organise/series_feedback.html", form=form,
                                             series=series, current=current,
                                             problem=problem),
        done=lambda _: saved("Feedback settings saved.", "organise.series_feedback",
                             series_id=series_id),
        fallback_field="outcome_1")


def _event_page(event: Event, problem: str | None = None) -> str:
    return render_template("organise/event_feedback.html", event=event,
                           status=feedback_requests.status_of(db.session, event),
                           action=ActionForm(), problem=problem)


@bp.get("/events/<int:event_id>/feedback")
def event_feedback(event_id: int) -> str:
    return _event_page(load_event(event_id))


@bp.post("/events/<int:event_id>/feedback/automatic")
def switch_event_feedback(event_id: int) -> Page:
    event = load_event(event_id)
    on = request.form.get("automatic") == "on"
    return button(lambda: feedback_settings.set_automatic(db.session, event, on),
                  done=lambda _: ("Feedback requests will go out by themselves for this event."
                                  if on else "No feedback requests will go out by themselves "
                                             "for this event."),
                  back=url_for("organise.event_feedback", event_id=event_id),
                  page=lambda problem: _event_page(event, problem))


@bp.post("/events/<int:event_id>/feedback/send")
def send_event_feedback(event_id: int) -> Page:
    event = load_event(event_id)
    return button(lambda: feedback_requests.ask_now(db.session, event),
                  done=lambda asked: (f"{asked} feedback request{'s are' if asked != 1 else ' is'}"
                                      " on the way." if asked else
                                      "Everyone who can be asked has been asked already."),
                  back=url_for("organise.event_feedback", event_id=event_id),
                  page=lambda problem: _event_page(event, problem))


def chosen_event() -> int | None:
    """The event whose comments the reader chose (`?event=<id>`), if any."""
    return signed_links.small_id(request.args.get("event", ""))


def report_links(scope: Programme | Series) -> dict[str, str]:
    """The report page and the CSV of a series or programme, for the dashboard's links."""
    if isinstance(scope, Series):
        return {"report": url_for("organise.series_report", series_id=scope.id),
                "csv": url_for("organise.series_feedback_csv", series_id=scope.id)}
    return {"report": url_for("organise.programme_report", programme_id=scope.id),
            "csv": url_for("organise.programme_feedback_csv", programme_id=scope.id)}


def _report_page(report: feedback_reports.FeedbackReport, scope: Programme | Series,
                 back: str) -> str:
    return render_template("organise/feedback_report.html", feedback=report, back=back,
                           links=report_links(scope))


@bp.get("/series/<int:series_id>/report")
def series_report(series_id: int) -> str:
    series = load_series(series_id)
    return _report_page(feedback_reports.for_series(db.session, series, chosen_event()),
                        series, url_for("organise.series_dashboard", series_id=series_id))


@bp.get("/programmes/<int:programme_id>/report")
def programme_report(programme_id: int) -> str:
    programme = load_programme(programme_id)
    return _report_page(
        feedback_reports.for_programme(db.session, programme, chosen_event()), programme,
        url_for("organise.programme_dashboard", programme_id=programme_id))


def csv_download(text: str, name: str) -> Response:
    """A CSV document the browser saves as ``<name>.csv``."""
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.get("/series/<int:series_id>/feedback.csv")
def series_feedback_csv(series_id: int) -> Response:
    series = load_series(series_id)
    return csv_download(feedback_csv.export_csv(
        feedback_reports.for_series(db.session, series)), f"series-{series.id}-feedback")


@bp.get("/programmes/<int:programme_id>/feedback.csv")
def programme_feedback_csv(programme_id: int) -> Response:
    programme = load_programme(programme_id)
    return csv_download(feedback_csv.export_csv(
        feedback_reports.for_programme(db.session, programme)),
        f"programme-{programme.slug}-feedback")
