"""The personal feedback form: reached only through its link, one response per registration
that reopens to be edited until it closes, refusals beside their field, the no-show's one
question and the follow-up; and anonymity: the answers kept apart from who was asked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from events import access, feedback, feedback_models, feedback_requests, feedback_settings, limits
from events.errors import NotOpen
from events.feedback_models import (
    FeedbackAnswers,
    FeedbackRequest,
    Purpose,
    Questions,
    SelfAssessment,
)
from events.models import Event, EventStatus, OutboxMessage, Programme, Series, utcnow
from tests.conftest import csrf_token_from, make_site
from tests.feedback_support import SITE, give, held_event, settings, token_of
from tests.test_auth import log_in, make_organiser

OUTCOMES = ("I feel confident to take part in discussions on this topic",
            "I know where to find help")


@pytest.fixture
def series(session: Session, programme: Programme) -> Series:
    series = Series(programme=programme, title="Leading from any chair")
    session.add(series)
    session.commit()
    settings(session, series, outcomes=OUTCOMES)
    return series


def asked(session: Session, make_event: Callable[..., Event], **places: Any):
    held = held_event(session, make_event, **places)
    feedback_requests.ask_now(session, held.event)
    session.commit()
    return held


def answers_rows(session: Session) -> list[FeedbackAnswers]:
    session.expire_all()
    return list(session.scalars(select(FeedbackAnswers)))


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def outcome_ids(session: Session, series: Series) -> list[int]:
    return [outcome.id for outcome in feedback_settings.outcomes_of(session, series.id)]


def test_a_wrong_or_unasked_link_answers_a_plain_404_that_reveals_nothing(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    held = asked(session, make_event, attended=1, title="Secret title")
    place = held["attended"][0]
    never_asked = held_event(session, make_event, attended=1, prefix="q")["attended"][0]
    good = token_of(place)
    for path in (f"/feedback/{place.id}-{'A' * 32}", f"/feedback/{good}x", "/feedback/x",
                 f"/feedback/{access.join_token(SITE, place)}", f"/feedback/{good}/follow-up",
                 f"/feedback/{token_of(never_asked)}", "/feedback/99999999999-abc",
                 "/feedback/²-abc"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Secret title" not in response.get_data(as_text=True)
    assert client.get(f"/feedback/{good}").status_code == 200


def test_the_form_saves_answers_and_reopens_them_to_edit(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    held = asked(session, make_event, attended=1, series=series, title="The evening")
    path = f"/feedback/{token_of(held['attended'][0])}"
    first, second = outcome_ids(session, series)

    page = client.get(path).get_data(as_text=True)
    assert "How was The evening?" in page and OUTCOMES[0] in page and OUTCOMES[1] in page
    assert "Send my answers" in page
    response = post(client, path, {
        "rating": "4", "worked": "The guest's candour", "better": "More time for questions",
        "come_again": "yes", "topics": "Budgets", f"before_{first}": "2", f"now_{first}": "4",
        "share_with_speakers": "y"})
    assert response.status_code == 303 and response.headers["Location"] == path

    again = client.get(path).get_data(as_text=True)
    assert "Thank you: your answers are saved" in again
    assert "Save my changes" in again
    assert "The guest&#39;s candour" in again or "The guest's candour" in again
    assert f'id="before_{first}-1" name="before_{first}" type="radio" value="2"' in again
    (row,) = answers_rows(session)
    assert (row.rating, row.come_again.value, row.share_with_speakers, row.may_quote) == (
        4, "yes", True, False)
    assert [(s.outcome_id, s.before, s.now) for s in row.scores] == [(first, 2, 4)]

    response = post(client, path, {"rating": "5", "worked": "", "come_again": "maybe",
                                   f"before_{second}": "1", f"now_{second}": "3"})
    assert response.status_code == 303
    (row,) = answers_rows(session)
    assert (row.rating, row.worked, row.better, row.come_again.value) == (5, "", "", "maybe")
    assert [(s.outcome_id, s.before, s.now) for s in row.scores] == [(second, 1, 3)]


def test_a_second_submission_never_creates_a_second_response(
        session: Session, make_event: Callable[..., Event]) -> None:
    place = asked(session, make_event, attended=1)["attended"][0]
    for rating in (1, 2, 3):
        give(session, place, rating=rating)
    assert [row.rating for row in answers_rows(session)] == [3]


def test_the_form_closes_fourteen_days_after_the_event(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    ended = utcnow().replace(microsecond=0) - limits.FEEDBACK_OPEN_FOR - timedelta(hours=1)
    held = held_event(session, make_event, attended=2, ended=ended)
    assert feedback_requests.ask_now(session, held.event, ended) == 2
    session.commit()
    early, late = held["attended"]
    closes = ended + limits.FEEDBACK_OPEN_FOR
    give(session, early, now=closes - timedelta(seconds=1))
    with pytest.raises(NotOpen, match="closed"):
        give(session, late, now=closes)
    session.rollback()

    path = f"/feedback/{token_of(late)}"
    response = client.get(path)
    assert response.status_code == 409
    assert "This form has closed" in response.get_data(as_text=True)
    # A session's CSRF token, from any page with a form.
    token = csrf_token_from(client.get("/me").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, "rating": "5"})
    assert response.status_code == 409
    assert len(answers_rows(session)) == 1


def test_a_cancelled_event_takes_no_feedback(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    held = asked(session, make_event, attended=1)
    held.event.status = EventStatus.cancelled
    session.commit()
    response = client.get(f"/feedback/{token_of(held['attended'][0])}")
    assert response.status_code == 409
    assert "This event was cancelled" in response.get_data(as_text=True)
    with pytest.raises(NotOpen, match="cancelled"):
        give(session, held["attended"][0])
    session.rollback()
    assert answers_rows(session) == []


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Please rate the evening from 1 to 5."),
    ({"rating": "9"}, "The rating must be a whole number from 1 to 5."),
    ({"rating": "abc"}, "The rating must be a whole number from 1 to 5."),
    ({"rating": "4", "come_again": "perhaps"}, "Please answer “Would you come again?”."),
    ({"rating": "4", "before_OUTCOME": "2"}, "Choose both “before” and “now”, or neither."),
    ({"rating": "4", "worked": "x" * (limits.FEEDBACK_TEXT_MAX + 1)},
     f"Please keep the answer to {limits.FEEDBACK_TEXT_MAX} characters."),
    ({"rating": "4", "better": "bad\x00byte"}, "contains control characters"),
])
def test_bad_answers_are_refused_beside_their_field_and_what_was_stored_is_kept(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series, data: dict[str, str], message: str) -> None:
    place = asked(session, make_event, attended=1, series=series)["attended"][0]
    give(session, place, rating=2, worked="Kept")
    first = outcome_ids(session, series)[0]
    data = {key.replace("OUTCOME", str(first)): value for key, value in data.items()}

    response = post(client, f"/feedback/{token_of(place)}", data)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"').replace("&#39;", "'")
    assert 'class="error"' in html
    (row,) = answers_rows(session)
    assert (row.rating, row.worked) == (2, "Kept")


def test_a_no_show_answers_the_one_question(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    place = asked(session, make_event, no_show=1, series=series)["no_show"][0]
    path = f"/feedback/{token_of(place)}"
    page = client.get(path).get_data(as_text=True)
    assert "We missed you" in page and "What got in the way?" in page
    assert OUTCOMES[0] not in page and 'name="rating"' not in page
    assert post(client, path, {}).status_code == 422
    assert post(client, path, {"obstacle": "clash", "obstacle_note": "Choir night",
                               "rating": "5"}).status_code == 303
    (row,) = answers_rows(session)
    assert (row.questions, row.obstacle.value, row.obstacle_note, row.rating) == (
        Questions.no_show, "clash", "Choir night", None)


def test_the_follow_up_form_asks_its_two_questions(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    ended = utcnow().replace(microsecond=0) - limits.FOLLOW_UP_AFTER
    place = held_event(session, make_event, attended=1, series=series,
                       ended=ended)["attended"][0]
    assert feedback_requests.follow_up_due(session, utcnow()) == 1
    session.commit()
    path = f"/feedback/{token_of(place)}/follow-up"
    page = client.get(path).get_data(as_text=True)
    assert "Six weeks on: Leading from any chair" in page
    assert "Have you used or shared what you learned?" in page
    assert post(client, path, {"used": "yes", "how": "Ran a lunchtime session"}
                ).status_code == 303
    assert client.get(f"/feedback/{token_of(place)}").status_code == 404
    (row,) = answers_rows(session)
    assert (row.questions, row.used.value, row.how) == (Questions.follow_up, "yes",
                                                        "Ran a lunchtime session")


def test_the_personal_form_is_kept_out_of_caches_and_referrers(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    place = asked(session, make_event, attended=1)["attended"][0]
    response = client.get(f"/feedback/{token_of(place)}")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="robots" content="noindex"' in response.get_data(as_text=True)


def test_a_post_without_the_forms_csrf_token_stores_nothing(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    place = asked(session, make_event, attended=1)["attended"][0]
    response = client.post(f"/feedback/{token_of(place)}", data={"rating": "5"})
    assert response.status_code == 400
    assert answers_rows(session) == []


# -- Anonymity --------------------------------------------------------------------------

ANSWER_COLUMNS = {"locator", "event_id", "questions", "registration_id", "rating", "worked",
                  "better", "come_again", "topics", "share_with_speakers", "may_quote",
                  "obstacle", "obstacle_note", "used", "how"}


def test_the_answers_table_holds_no_person_and_no_time(session: Session) -> None:
    columns = {column["name"] for column in inspect(session.get_bind()).get_columns(
        "feedback_answers")}
    assert columns == ANSWER_COLUMNS
    assert {column["name"] for column in inspect(session.get_bind()).get_columns(
        "feedback_self_assessments")} == {"locator", "outcome_id", "score_before", "score_now"}


def request_state(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    return [tuple(getattr(row, c.key) for c in inspect(FeedbackRequest).column_attrs)
            for row in session.scalars(select(FeedbackRequest).order_by(FeedbackRequest.id))]


def test_an_anonymous_answer_is_kept_apart_from_who_was_asked(
        session: Session, make_event: Callable[..., Event], series: Series) -> None:
    held = asked(session, make_event, attended=2, series=series)
    place = held["attended"][0]
    requests_before = request_state(session)
    messages_before = session.scalar(select(func.count()).select_from(OutboxMessage))

    give(session, place, rating=5, worked="Everything")

    (row,) = answers_rows(session)
    assert row.registration_id is None
    # Answering writes nothing about who answered: not the request, not an e-mail.
    assert request_state(session) == requests_before
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == messages_before
    # The locator comes from the personal token, which needs the secret key: it is
    # neither the registration id nor anything made from it without the key.
    assert row.locator == feedback.locator(token_of(place), Purpose.after_event)
    other_secret = make_site(secret_key="another-secret")
    assert row.locator != feedback.locator(feedback.token(other_secret, place.id),
                                           Purpose.after_event)
    assert row.locator not in {hashlib.sha256(str(place.id).encode()).hexdigest(),
                               hashlib.sha256(str(place.person_id).encode()).hexdigest()}


def test_a_named_series_keeps_the_name_and_its_form_says_so(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    settings(session, series, named=True, outcomes=OUTCOMES)
    place = asked(session, make_event, attended=1, series=series)["attended"][0]
    assert "asks for <strong>named</strong> feedback" in client.get(
        f"/feedback/{token_of(place)}").get_data(as_text=True)
    give(session, place)
    (row,) = answers_rows(session)
    assert row.registration_id == place.id


def test_a_series_anonymity_and_outcomes_cannot_change_once_it_has_a_response(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        programme: Programme, series: Series) -> None:
    # Before anyone answers, both may change.
    settings(session, series, named=True, outcomes=OUTCOMES[:1])
    settings(session, series, named=False, outcomes=OUTCOMES)
    place = asked(session, make_event, attended=1, series=series)["attended"][0]
    give(session, place)

    current = session.get(feedback_models.SeriesFeedback, series.id)
    with pytest.raises(NotOpen, match="anonymity can no longer change"):
        feedback_settings.set_named(session, current, True)
    session.rollback()
    with pytest.raises(NotOpen, match="outcomes can no longer change"):
        settings(session, series, outcomes=OUTCOMES[:1])
    session.rollback()

    make_organiser(session, programme=programme)
    log_in(client)
    path = f"/organise/series/{series.id}/feedback"
    page = client.get(path).get_data(as_text=True)
    assert "can no longer change" in page and 'name="named" type="checkbox"' not in page
    response = post(client, path, {"named": "y", "automatic": "y", "delay_minutes": "0",
                                   "remind_at": "19:00", "outcome_1": OUTCOMES[0],
                                   "outcome_2": OUTCOMES[1]})
    assert response.status_code == 409
    assert "anonymity can no longer change" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(feedback_models.SeriesFeedback, series.id).named is False
    (row,) = answers_rows(session)
    assert row.registration_id is None
    assert session.scalar(select(func.count()).select_from(SelfAssessment)) == 0
