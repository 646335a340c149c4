"""Seeing how it went: dashboards per programme and per series, and their CSV."""

from __future__ import annotations

from flask import Response, render_template, url_for

from events import dashboard, feedback_reports
from webapp.extensions import db
from webapp.organise.access import bp, load_programme, load_series
from webapp.organise.feedback_views import chosen_event, csv_download, report_links


def _page(report: feedback_reports.FeedbackReport, back: str, csv_url: str,
          links: dict[str, str]) -> str:
    return render_template("organise/dashboard.html", board=report.board, feedback=report,
                           back=back, csv_url=csv_url, feedback_links=links)


def _csv(board: dashboard.Dashboard, name: str) -> Response:
    return csv_download(dashboard.export_csv(board), name)


@bp.get("/programmes/<int:programme_id>/dashboard")
def programme_dashboard(programme_id: int) -> str:
    programme = load_programme(programme_id)
    report = feedback_reports.for_programme(db.session, programme, chosen_event())
    return _page(report, url_for("organise.programme", programme_id=programme.id),
                 url_for("organise.programme_dashboard_csv", programme_id=programme.id),
                 report_links(programme))


@bp.get("/programmes/<int:programme_id>/dashboard.csv")
def programme_dashboard_csv(programme_id: int) -> Response:
    programme = load_programme(programme_id)
    return _csv(dashboard.for_programme(db.session, programme),
                f"programme-{programme.slug}-dashboard")


@bp.get("/series/<int:series_id>/dashboard")
def series_dashboard(series_id: int) -> str:
    series = load_series(series_id)
    report = feedback_reports.for_series(db.session, series, chosen_event())
    return _page(report, url_for("organise.programme", programme_id=series.programme_id),
                 url_for("organise.series_dashboard_csv", series_id=series.id),
                 report_links(series))


@bp.get("/series/<int:series_id>/dashboard.csv")
def series_dashboard_csv(series_id: int) -> Response:
    series = load_series(series_id)
    return _csv(dashboard.for_series(db.session, series), f"series-{series.id}-dashboard")
