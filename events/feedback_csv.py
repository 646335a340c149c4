"""All the answers of a series or programme as CSV, as far as the small-number rule shows
them (``events.feedback_reports``), each cell written through the one CSV guard."""

from __future__ import annotations

from events import limits
from events.feedback_figures import pooled
from events.feedback_models import FeedbackAnswers, Questions
from events.feedback_reports import FeedbackReport, grouped, series_unit
from events.spreadsheets import csv_text


def export_csv(report: FeedbackReport) -> str:
    """Every answer the small-number rule lets be seen, one row each.

    Evening answers name their event; a no-show's reason and the follow-up
    name only their series, as their units on the pages are series.
    """
    outcomes = [shift.outcome for shift in report.shifts]
    named = report.named
    header = ["event_id", "event", "series", "form", *(["name"] if named else []),
              "rating", "come_again", "worked", "better", "topics", "share_with_speakers",
              "may_quote"]
    for n in range(1, limits.OUTCOMES_MAX + 1):
        header += [f"outcome_{n}", f"outcome_{n}_before", f"outcome_{n}_now"]
    header += ["what_got_in_the_way", "note", "used_or_shared", "how"]
    shown_events = {row.event.id for row in report.events if row.rating.figures is not None}
    evening = [a for a in report.answers
               if a.questions == Questions.evening and a.event_id in shown_events]
    kept = []
    for questions in (Questions.no_show, Questions.follow_up):
        kept += pooled(grouped(report.answers, questions, series_unit).values())[0]
    rows = []
    for answer in [*evening, *kept]:
        evening_row = answer.questions == Questions.evening
        series = answer.event.series.title if answer.event.series else ""
        row: list[object] = [answer.event_id if evening_row else "",
                             answer.event.title if evening_row else "", series,
                             answer.questions.value]
        if named:
            row.append(answer.registration.person.name
                       if answer.registration is not None else "")
        row += [answer.rating, _value(answer.come_again), answer.worked, answer.better,
                answer.topics, _yes(answer, "share_with_speakers"), _yes(answer, "may_quote")]
        scores = {score.outcome_id: score for score in answer.scores}
        mine = [outcome for outcome in outcomes if outcome.id in scores]
        for n in range(limits.OUTCOMES_MAX):
            if n < len(mine):
                score = scores[mine[n].id]
                row += [mine[n].statement, score.before, score.now]
            else:
                row += ["", "", ""]
        row += [_value(answer.obstacle), answer.obstacle_note, _value(answer.used), answer.how]
        rows.append(row)
    return csv_text(header, rows)


def _value(choice: object) -> str:
    return getattr(choice, "value", "") if choice is not None else ""


def _yes(answer: FeedbackAnswers, consent: str) -> str:
    if answer.questions != Questions.evening:
        return ""
    return "yes" if getattr(answer, consent) else "no"
