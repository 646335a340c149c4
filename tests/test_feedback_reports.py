"""What organisers, decision makers and speakers read: the funnel from target to feedback,
response rates, non-responders, ratings, "would come again", the confidence shift per
outcome, comments by event, no-shows' reasons, the follow-up; charts with tables beside
them, a printable report, the CSV; and the small-number rule wherever answers are shown."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events import (
    feedback,
    feedback_csv,
    feedback_figures,
    feedback_models,
    feedback_reports,
    feedback_requests,
    feedback_settings,
    limits,
    speaker_feedback,
)
from events.models import (
    Event,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Registration,
    Role,
    RoleKind,
    Series,
    utcnow,
)
from tests.conftest import csrf_token_from
from tests.feedback_support import Held, give, held_event, settings
from tests.test_auth import log_in, make_organiser

OUTCOMES = ("I feel confident to take part in discussions on this topic",
            "I know where to find help")
# (rating, come again, before/now on the first outcome, worked, may quote)
BIG = [(5, "yes", (2, 4), "The guest's candour", True),
       (5, "yes", (2, 4), "Private thought", False),
       (4, "yes", (3, 3), "Small groups", True),
       (4, "maybe", (1, 4), "", False),
       (3, "no", (3, 2), "Hard to hear", False),
       (2, None, (2, 5), "", False)]


@dataclass
class Season:
    series: Series
    big: Held
    small: Held
    called_off: Event
    outcome_ids: list[int]


def answer_all(session: Session, held: Held, rows: list[tuple], outcome_ids: list[int],
               with_second_outcome: int = 0) -> None:
    for n, (rating, again, (before, now), worked, quote) in enumerate(rows):
        scores = {outcome_ids[0]: (before, now)}
        if n < with_second_outcome:
            scores[outcome_ids[1]] = (1, 2)
        give(session, held["attended"][n], rating=rating, come_again=again, scores=scores,
             worked=worked, may_quote=quote, share_with_speakers=n % 2 == 0)


def make_season(session: Session, programme: Programme, make_event: Callable[..., Event],
                named: bool = False) -> Season:
    series = Series(programme=programme, title="Leading from any chair", target_attendance=10)
    session.add(series)
    session.commit()
    settings(session, series, named=named, outcomes=OUTCOMES)
    ids = [outcome.id for outcome in feedback_settings.outcomes_of(session, series.id)]
    ended = utcnow().replace(microsecond=0) - timedelta(days=3)
    big = held_event(session, make_event, attended=8, no_show=2, series=series,
                     title="Conversation 1", ended=ended - timedelta(days=7), prefix="b")
    small = held_event(session, make_event, attended=5, series=series, title="Conversation 2",
                       ended=ended, prefix="s")
    called_off = make_event(series=series, title="Called off", status=EventStatus.cancelled,
                            starts_at=ended + timedelta(days=1))
    for held in (big, small):
        feedback_requests.ask_now(session, held.event, held.event.ends_at)
    session.commit()
    answer_all(session, big, BIG, ids, with_second_outcome=3)
    answer_all(session, small, BIG[:4], ids)
    give(session, big["no_show"][0], obstacle="clash")
    return Season(series, big, small, called_off, ids)


@pytest.fixture
def season(session: Session, programme: Programme, make_event: Callable[..., Event]) -> Season:
    return make_season(session, programme, make_event)


def test_the_funnel_and_response_rates_per_event_and_in_total(
        session: Session, season: Season) -> None:
    report = feedback_reports.for_series(session, season.series)
    rows = {row.event.title: row for row in report.events}
    assert [(r.asked, r.responded, r.response_rate, r.no_show_asked, r.no_show_answered)
            for r in (rows["Conversation 1"], rows["Conversation 2"])] == [
        (8, 6, 75, 2, 1), (5, 4, 80, 0, 0)]
    assert rows["Called off"].asked == 0
    # Cancelled events are left out of the totals; the target is the events' sum.
    assert report.funnel.steps == [("Target", 20), ("RSVPs", 15), ("Attended", 13),
                                   ("Gave feedback", 10)]
    assert (report.asked, report.response_rate) == (13, 77)
    assert rows["Conversation 1"].not_responded == 2
    assert rows["Conversation 1"].non_responders is None


def test_ratings_come_again_and_the_confidence_shift_come_from_what_was_answered(
        session: Session, season: Season) -> None:
    report = feedback_reports.for_series(session, season.series)
    rating = report.rating.figures
    assert rating.tally.rows == [("Poor", 0), ("Fair", 1), ("Good", 1), ("Very good", 2),
                                 ("Excellent", 2)]
    assert (rating.mean, rating.good_share) == (3.8, 67)
    assert report.come_again.figures.rows == [("Yes", 3), ("Maybe", 1), ("No", 1)]
    first, second = report.shifts
    assert first.outcome.statement == OUTCOMES[0]
    shift = first.shift.figures
    assert (shift.median_before, shift.median_now) == (2, 4)
    assert (shift.improved, shift.same, shift.lower, shift.improved_share) == (4, 1, 1, 67)
    # Only three people rated themselves on the second outcome.
    assert (second.shift.count, second.shift.figures) == (3, None)


@pytest.mark.parametrize("answers", [4, 5])
def test_a_breakdown_of_fewer_than_five_answers_shows_its_count_and_nothing_else(
        session: Session, programme: Programme, make_event: Callable[..., Event],
        client: FlaskClient, answers: int) -> None:
    season = make_season(session, programme, make_event)
    if answers == 5:
        give(session, season.small["attended"][4], rating=1, worked="Fifth voice")
    report = feedback_reports.for_series(session, season.series)
    small = next(row for row in report.events if row.event.id == season.small.event.id)
    chosen = feedback_reports.for_series(session, season.series, season.small.event.id)
    whole = feedback_reports.for_programme(session, programme)
    csv_rows = list(csv.DictReader(io.StringIO(feedback_csv.export_csv(report))))
    from_small = [row for row in csv_rows if row["event"] == "Conversation 2"]

    assert small.responded == answers
    if answers < limits.FEWEST_SHOWN:
        assert small.rating == feedback_figures.Shown(4, None)
        assert chosen.comments == feedback_figures.Shown(4, None)
        # Nor can it be had by taking the shown events from the totals, on any page.
        assert report.held_back == whole.held_back == 4
        assert report.rating.count == whole.rating.count == 6
        assert from_small == []
    else:
        assert small.rating.figures.tally.total == 5
        assert "Fifth voice" in [c.text for c in chosen.comments.figures]
        assert report.held_back == 0 and report.rating.count == 11
        assert len(from_small) == 5
    # The no-shows' reasons are held back too: one answer.
    assert report.no_shows == feedback_figures.Shown(1, None)
    assert not [row for row in csv_rows if row["form"] == "no_show"]

    make_organiser(session, programme=programme)
    log_in(client)
    page = client.get(f"/organise/series/{season.series.id}/dashboard?event="
                      f"{season.small.event.id}").get_data(as_text=True)
    assert ("Fifth voice" in page) == (answers == 5)
    assert ("4 answers: fewer than 5, so they are counted but not shown" in page) == (
        answers == 4)


def test_the_rule_is_one_constant_and_one_function() -> None:
    assert feedback_figures.breakdown(limits.FEWEST_SHOWN - 1, lambda: "x").figures is None
    assert feedback_figures.breakdown(limits.FEWEST_SHOWN, lambda: "x").figures == "x"
    assert feedback_figures.pooled([[1] * 4, [2] * 5, [3] * 6]) == ([2] * 5 + [3] * 6, 4)


def test_non_responders_are_counted_and_named_only_on_a_named_form(
        session: Session, programme: Programme, make_event: Callable[..., Event],
        client: FlaskClient) -> None:
    season = make_season(session, programme, make_event, named=True)
    report = feedback_reports.for_series(session, season.series)
    big = next(row for row in report.events if row.event.id == season.big.event.id)
    assert big.non_responders == sorted(place.person.name
                                        for place in season.big["attended"][6:])
    make_organiser(session, programme=programme)
    log_in(client)
    page = client.get(f"/organise/series/{season.series.id}/dashboard").get_data(as_text=True)
    assert season.big["attended"][7].person.name in page
    # Named comments carry their author.
    assert any(c.author == season.big["attended"][0].person.name
               for c in report.comments.figures)


def test_an_anonymous_report_names_nobody(
        session: Session, season: Season, programme: Programme, client: FlaskClient) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    people = [place.person for held in (season.big, season.small)
              for places in held.places.values() for place in places]
    for path in (f"/organise/series/{season.series.id}/dashboard",
                 f"/organise/series/{season.series.id}/report",
                 f"/organise/series/{season.series.id}/feedback.csv",
                 f"/organise/programmes/{programme.id}/report"):
        body = client.get(path).get_data(as_text=True)
        assert not [p.name for p in people if p.name in body or p.email in body], path


def test_comments_are_filterable_by_event_and_quotable_ones_marked(
        session: Session, season: Season, programme: Programme, client: FlaskClient) -> None:
    report = feedback_reports.for_series(session, season.series, season.big.event.id)
    assert [(c.text, c.quotable) for c in report.comments.figures] and all(
        c.event.id == season.big.event.id for c in report.comments.figures)
    assert {(c.text, c.quotable) for c in report.comments.figures
            if c.question == "worked"} == {("The guest's candour", True), ("Small groups", True),
                                           ("Hard to hear", False), ("Private thought", False)}
    make_organiser(session, programme=programme)
    log_in(client)
    page = client.get(f"/organise/series/{season.series.id}/dashboard?event="
                      f"{season.big.event.id}").get_data(as_text=True)
    words = page[page.index('id="words-heading"'):page.index('id="no-shows-heading"')]
    assert words.count('class="quotable"') == 2 and words.count("May be quoted</span>") == 2
    assert "Hard to hear" in words
    assert f'<option value="{season.big.event.id}" selected>' in words
    # A wrong filter shows everything rather than failing.
    assert client.get(f"/organise/series/{season.series.id}/dashboard?event=x").status_code \
        == 200


def test_no_show_reasons_and_the_follow_up_are_reported_once_there_are_enough(
        session: Session, programme: Programme, make_event: Callable[..., Event]) -> None:
    series = Series(programme=programme, title="Six weeks later")
    session.add(series)
    session.commit()
    ended = utcnow().replace(microsecond=0) - limits.FOLLOW_UP_AFTER
    held = held_event(session, make_event, attended=6, no_show=5, series=series, ended=ended)
    feedback_requests.ask_now(session, held.event, ended)
    assert feedback_requests.follow_up_due(session, utcnow()) == 6
    session.commit()
    for n, place in enumerate(held["no_show"]):
        give(session, place, now=ended, obstacle=["work", "clash", "clash", "forgot",
                                                  "other"][n], obstacle_note=f"Note {n}")
    for n, place in enumerate(held["attended"][:5]):
        give(session, place, purpose=feedback_models.Purpose.follow_up,
             used="yes" if n < 3 else "not_yet", how=f"Shared with my team {n}" if n < 3 else "")

    report = feedback_reports.for_series(session, series)

    no_shows = report.no_shows.figures
    assert no_shows.tally.rows[:3] == [("Work or family came first", 1),
                                       ("It clashed with something else", 2), ("I forgot", 1)]
    assert sorted(c.text for c in no_shows.comments) == [f"Note {n}" for n in range(5)]
    follow_up = report.follow_up.figures
    assert follow_up.tally.rows == [("Yes", 3), ("Not yet", 2), ("No", 0)]
    assert [c.event for c in follow_up.comments] == [None] * 3
    assert report.follow_up.count == 5


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(found) for found in re.findall(r"<svg.*?</svg>", html, re.S)]


def test_the_dashboard_and_the_report_draw_each_chart_with_a_table_beside_it(
        session: Session, season: Season, programme: Programme, client: FlaskClient) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    for path in (f"/organise/series/{season.series.id}/dashboard",
                 f"/organise/series/{season.series.id}/report",
                 f"/organise/programmes/{programme.id}/report"):
        html = client.get(path).get_data(as_text=True)
        charts = svgs(html)
        # Funnel, ratings, come again, the confidence dumbbell (the dashboard has its own too).
        titles = [chart.find("{http://www.w3.org/2000/svg}title").text for chart in charts]
        assert {"From the target to feedback", "Would you come again?",
                "Overall rating, from 1 (poor) to 5 (excellent)"} <= set(titles), path
        assert any(title.startswith("Where people placed themselves") for title in titles)
        for chart in charts:
            assert chart.get("role") == "img"
            labelled = chart.get("aria-labelledby").split()
            assert {e.get("id") for e in chart.iter()} >= set(labelled)
        for caption in ("Totals", "Per event", "Self-assessment per outcome"):
            assert f"<caption>{caption}</caption>" in html, (path, caption)
        assert "<script" not in html.split("</main>")[0].split("<main")[1]
    dumbbell = next(chart for chart in svgs(html) if "placed themselves" in ET.tostring(
        chart, encoding="unicode"))
    description = dumbbell.find("{http://www.w3.org/2000/svg}desc").text
    assert "median 2 before, 4 now, 67% improved" in description


def test_the_report_prints_on_a4_with_each_section_on_a_new_page(
        session: Session, season: Season, programme: Programme, client: FlaskClient) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    html = client.get(f"/organise/series/{season.series.id}/report").get_data(as_text=True)
    assert "/static/feedback-report.css" in html
    css = client.get("/static/feedback-report.css").get_data(as_text=True)
    assert "@page { size: A4;" in css
    print_css = css[css.index("@media print"):]
    assert ".report-section { break-before: page;" in print_css
    assert "nav.workspace" in print_css and "display: none" in print_css
    assert html.count('<section class="report-section') == 7
    assert "Leading from any chair: what the programme achieved" in html


@pytest.mark.parametrize("comment", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)",
                                     "\t=1", "\r=1"])
def test_the_answers_csv_never_starts_a_cell_with_a_formula(
        session: Session, programme: Programme, make_event: Callable[..., Event],
        client: FlaskClient, comment: str) -> None:
    season = make_season(session, programme, make_event)
    give(session, season.big["attended"][0], rating=5, worked=comment.strip() or comment,
         better=comment)
    make_organiser(session, programme=programme)
    log_in(client)
    response = client.get(f"/organise/series/{season.series.id}/feedback.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert len(rows) == 6 and "name" not in rows[0]
    stored = feedback.free_text(comment, "better", "answer", 100)
    assert "'" + stored in [row["better"] for row in rows] or not stored


def test_the_answers_csv_lists_outcomes_beside_each_answer(
        session: Session, season: Season) -> None:
    report = feedback_reports.for_series(session, season.series)
    rows = list(csv.DictReader(io.StringIO(feedback_csv.export_csv(report))))
    assert sorted(row["rating"] for row in rows) == ["2", "3", "4", "4", "5", "5"]
    assert {row["outcome_1"] for row in rows} == {OUTCOMES[0]}
    assert sorted((row["outcome_1_before"], row["outcome_1_now"]) for row in rows) == sorted(
        (str(b), str(n)) for _, _, (b, n), _, _ in BIG)


# -- Speakers ---------------------------------------------------------------------------

def speaker(session: Session, *events: Event) -> Person:
    guest = Person(name="Aroha Ngata", email="aroha@example.org")
    session.add_all([Role(event=event, person=guest, kind=RoleKind.guest,
                          status=InvitationStatus.accepted) for event in events])
    session.commit()
    return guest


def test_a_speaker_sees_their_events_only_after_the_form_closes_with_five_answers(
        session: Session, season: Season) -> None:
    guest = speaker(session, season.big.event, season.small.event)
    big_closes = feedback.closes_at(season.big.event)

    early = speaker_feedback.for_speaker(session, guest.id, big_closes - timedelta(minutes=1))
    assert early.summary.figures is None and early.events == []

    later = speaker_feedback.for_speaker(session, guest.id,
                                         feedback.closes_at(season.small.event))
    # The small event closed too, but with four answers it stays out.
    assert [event.title for event in later.events] == ["Conversation 1"]
    assert [event.title for event in later.waiting] == ["Conversation 2"]
    assert later.summary.count == 6
    assert later.summary.figures.rating.mean == 3.8


def test_a_speaker_reads_only_shared_comments_and_never_a_self_assessment(
        app: Flask, session: Session, season: Season) -> None:
    guest = speaker(session, season.big.event)
    seen = speaker_feedback.for_speaker(session, guest.id,
                                        feedback.closes_at(season.big.event))
    shared = {(c.text, c.shared_with_speakers) for c in seen.summary.figures.comments}
    # Only people 0, 2 and 4 agreed to share: their words, nobody else's.
    assert shared == {("The guest's candour", True), ("Small groups", True),
                      ("Hard to hear", True)}
    assert not hasattr(seen.summary.figures, "shifts")
    assert {field for field in vars(seen.summary.figures)} == {"rating", "come_again",
                                                               "comments"}
    with app.test_request_context():
        html = render_template("speaker/_feedback.html", speaker_feedback=seen)
    assert "The guest&#39;s candour" in html and "Hard to hear" in html
    assert "Private thought" not in html  # not shared
    assert OUTCOMES[0] not in html and "before" not in html.lower()


def test_a_declined_invitation_brings_no_feedback(session: Session, season: Season) -> None:
    guest = speaker(session, season.big.event)
    for role in session.query(Role).filter_by(person_id=guest.id):
        role.status = InvitationStatus.declined
    session.commit()
    seen = speaker_feedback.for_speaker(session, guest.id, utcnow() + timedelta(days=60))
    assert seen.events == [] and seen.summary.count == 0


# -- Organisers' settings and sending by hand -------------------------------------------

def test_organisers_set_a_series_timing_and_outcomes_and_bad_values_are_refused(
        session: Session, programme: Programme, client: FlaskClient) -> None:
    series = Series(programme=programme, title="New series")
    session.add(series)
    session.commit()
    make_organiser(session, programme=programme)
    log_in(client)
    path = f"/organise/series/{series.id}/feedback"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    form = {"csrf_token": token, "automatic": "y", "delay_minutes": "90", "remind_at": "18:30",
            "outcome_1": "  I can   name three sources of help ", "outcome_2": "",
            "outcome_3": "I feel part of a network"}
    assert client.post(path, data=form).status_code == 303
    current = feedback_settings.series_settings(session, series)
    assert (current.settings.delay_minutes, current.settings.remind_at.isoformat()) == (
        90, "18:30:00")
    assert [o.statement for o in current.outcomes] == ["I can name three sources of help",
                                                       "I feel part of a network"]
    response = client.post(path, data={**form, "delay_minutes": str(
        limits.FEEDBACK_DELAY.high + 1)})
    assert response.status_code == 422
    assert limits.FEEDBACK_DELAY.hint in response.get_data(as_text=True)


def test_organisers_switch_an_event_off_and_send_its_requests_by_hand(
        session: Session, programme: Programme, make_event: Callable[..., Event],
        client: FlaskClient) -> None:
    held = held_event(session, make_event, attended=3)
    upcoming = make_event(title="Not yet")
    make_organiser(session, programme=programme)
    log_in(client)
    path = f"/organise/events/{held.event.id}/feedback"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(f"{path}/automatic", data={"csrf_token": token, "automatic": "off"})
    assert response.status_code == 303
    assert session.get(feedback_models.EventFeedback, held.event.id).automatic is False
    assert feedback_requests.ask_due(session, utcnow()) == 0

    response = client.post(f"{path}/send", data={"csrf_token": token})
    assert response.status_code == 303
    assert "3 feedback requests are on the way." in client.get(path).get_data(as_text=True)
    again = client.post(f"{path}/send", data={"csrf_token": token}, follow_redirects=True)
    assert "Everyone who can be asked has been asked already." in again.get_data(as_text=True)

    refused = client.post(f"/organise/events/{upcoming.id}/feedback/send",
                          data={"csrf_token": token})
    assert refused.status_code == 409
    assert "once the event has started" in refused.get_data(as_text=True)


def test_registrations_stay_the_same_whatever_feedback_does(
        session: Session, season: Season) -> None:
    statuses = {r.id: r.status for r in session.query(Registration)}
    feedback_reports.for_series(session, season.series)
    session.expire_all()
    assert {r.id: r.status for r in session.query(Registration)} == statuses
