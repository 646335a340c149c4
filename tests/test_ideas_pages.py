"""The ideas board over HTTP: reading it, taking part with a confirmed address (the link
arrives by real SMTP), what others never see, refusals in words, rate limits, one-click
unsubscribe, and the organisers' pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import help_offers, idea_comments, ideas, verified_browsers, votes
from events.help_offers import HelpRole
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind, IdeaStatus
from events.idea_news import IdeaNewsOptOut
from events.models import Event, EventStatus, Person, Programme
from events.people import person_for
from events.verified_browsers import AddressCheck, VerifiedBrowser
from tests.conftest import SmtpInbox, csrf_token_from
from tests.test_auth import log_in, make_organiser
from webapp.browser_cookie import COOKIE
from webapp.extensions import db
from webapp.mailer import drain_once
from webapp.site import current_site

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
BOARD = "/programmes/conversations/ideas"


@pytest.fixture
def board(session: Session, programme: Programme) -> IdeaBoard:
    board = IdeaBoard(programme=programme, mode=BoardMode.topics, opens_at=NOW - DAY,
                      closes_at=NOW + 7 * DAY, vote_budget=2, ready_votes=3)
    session.add(board)
    session.commit()
    return board


@pytest.fixture
def aroha(session: Session) -> Person:
    person = person_for(session, "aroha.ngata@example.org", "Aroha Ngata")
    session.commit()
    return person


@pytest.fixture
def topic(session: Session, board: IdeaBoard, aroha: Person) -> Idea:
    idea = ideas.propose(session, board, aroha, IdeaKind.topic, "Copyright for podcasts",
                         "Who owns **what** we record?", now=NOW)
    session.commit()
    return idea


def confirmed(client: FlaskClient, person: Person) -> VerifiedBrowser:
    """Give the test client a browser confirmed for ``person``."""
    browser = VerifiedBrowser(person=person, expires_at=NOW + 30 * DAY)
    db.session.add(browser)
    db.session.commit()
    client.set_cookie(COOKIE, verified_browsers.browser_token(current_site(), browser))
    return browser


def token_of(client: FlaskClient, path: str = "/me") -> str:
    """A CSRF token of the client's session, from a page with a form."""
    return csrf_token_from(client.get(path).get_data(as_text=True))


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, pattern: str) -> str:
    found = re.search(pattern, body_of(message))
    assert found, body_of(message)
    return found.group(0)


def test_the_board_shows_counts_and_first_names_never_who_voted_or_addresses(
        client: FlaskClient, session: Session, board: IdeaBoard, topic: Idea) -> None:
    voter = person_for(session, "secret.voter@example.org", "Secretive Voter")
    votes.cast(session, topic, voter, NOW)
    session.commit()

    page = client.get(BOARD).get_data(as_text=True)
    idea_page = client.get(f"{BOARD}/{topic.id}").get_data(as_text=True)
    for html in (page, idea_page):
        assert "Copyright for podcasts" in html and "1 vote" in html
        assert "proposed by Aroha" in html.replace("Proposed by", "proposed by")
        assert "Ngata" not in html and "@example.org" not in html and "Secretive" not in html
    assert "<strong>what</strong>" in idea_page
    assert client.get("/programmes/nowhere/ideas").status_code == 404
    assert client.get(f"{BOARD}/99999").status_code == 404


def test_proposing_sends_a_link_and_following_it_posts_the_idea_and_confirms_the_browser(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        board: IdeaBoard) -> None:
    _, inbox = mail_app
    reply = client.post(f"{BOARD}/new", data={
        "csrf_token": token_of(client, f"{BOARD}/new"), "kind": "topic", "anyway": "1",
        "action": "propose", "title": "Reading groups across branches",
        "name": "Mei Lin Chen", "email": "MeiLin.Chen@Example.org"})
    assert reply.status_code == 200
    assert "Check your e-mail" in reply.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Idea)) == 0  # waits for the link
    assert drain_once() == (1, 0)
    [message] = inbox.wait_for(1)
    assert inbox.envelopes[0][0] == ["meilin.chen@example.org"]
    assert "Confirm your address" in message["Subject"]
    link = link_in(message, r"https://mingle\.example\.org/programmes/conversations/ideas/"
                            r"confirm/\S+")
    path = link.removeprefix("https://mingle.example.org")

    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert session.scalar(select(func.count()).select_from(Idea)) == 0  # GET changes nothing
    done = client.post(path, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert done.status_code == 303
    assert COOKIE in done.headers["Set-Cookie"] and "HttpOnly" in done.headers["Set-Cookie"]
    idea = session.scalars(select(Idea)).one()
    assert (idea.title, idea.proposer.email) == ("Reading groups across branches",
                                                 "meilin.chen@example.org")
    board_page = client.get(BOARD).get_data(as_text=True)
    assert "Taking part as Mei Lin Chen" in board_page

    # Following the link again confirms another browser, but does nothing twice.
    other = client.application.test_client()
    other.post(path, data={"csrf_token": token_of(other, path)})
    assert session.scalar(select(func.count()).select_from(Idea)) == 1


def test_votes_before_confirming_join_one_link_and_all_count_after_it(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        board: IdeaBoard, topic: Idea, aroha: Person) -> None:
    _, inbox = mail_app
    second = ideas.propose(session, board, aroha, IdeaKind.topic, "Mentoring", now=NOW)
    session.commit()
    client.get(BOARD)
    board_page = client.application.test_client().get(BOARD)  # another reader: a kept copy
    assert "csrf_token" not in board_page.get_data(as_text=True)  # a reader's board has no form
    assert "Set-Cookie" not in board_page.headers  # nor a session to sign
    for idea in (topic, second):
        asked = client.get(f"{BOARD}/{idea.id}/vote?back=board")
        assert "Who are you?" in asked.get_data(as_text=True)  # nothing sent yet
        sent = client.post(f"{BOARD}/{idea.id}/vote", data={
            "csrf_token": token_of(client), "name": "Ben Okafor", "email": "ben@example.org"})
        assert "Check your e-mail" in sent.get_data(as_text=True)
    assert drain_once() == (1, 0)  # one e-mail for both
    [message] = inbox.wait_for(1)
    path = link_in(message, r"https://\S+/confirm/\S+").removeprefix(
        "https://mingle.example.org")
    client.post(path, data={"csrf_token": token_of(client, path)})
    assert (votes.count_for(session, topic.id), votes.count_for(session, second.id)) == (1, 1)


def test_similar_ideas_are_shown_before_posting_and_it_can_be_posted_anyway(
        client: FlaskClient, session: Session, board: IdeaBoard, topic: Idea,
        aroha: Person) -> None:
    confirmed(client, aroha)
    form = {"csrf_token": token_of(client, f"{BOARD}/new"), "kind": "topic",
            "title": "Podcasts and copyright", "action": "propose"}
    shown = client.post(f"{BOARD}/new", data=form).get_data(as_text=True)
    assert "Similar ones on the board" in shown and "Copyright for podcasts" in shown
    assert "Propose it anyway" in shown
    assert session.scalar(select(func.count()).select_from(Idea)) == 1
    posted = client.post(f"{BOARD}/new", data={**form, "anyway": "1"})
    assert posted.status_code == 303
    assert session.scalar(select(func.count()).select_from(Idea)) == 2
    similar = client.get(f"{BOARD}/similar?title=copyright%20podcast").get_json()
    assert [found["title"] for found in similar["similar"]][:1] == ["Copyright for podcasts"]


def test_a_confirmed_browser_votes_within_its_budget_and_is_told_why_not_beyond_it(
        client: FlaskClient, session: Session, board: IdeaBoard, topic: Idea,
        aroha: Person) -> None:
    confirmed(client, aroha)
    more = [ideas.propose(session, board, aroha, IdeaKind.topic, f"Topic {n}", now=NOW)
            for n in range(2)]
    session.commit()
    for idea in (topic, more[0]):
        assert client.post(f"{BOARD}/{idea.id}/vote",
                           data={"csrf_token": token_of(client)}).status_code == 303
    refused = client.post(f"{BOARD}/{more[1].id}/vote", data={"csrf_token": token_of(client)})
    assert refused.status_code == 409
    assert "You have used all 2 of your votes" in refused.get_data(as_text=True)
    assert "Votes left: 0 of 2" in client.get(BOARD).get_data(as_text=True)
    client.post(f"{BOARD}/{topic.id}/unvote", data={"csrf_token": token_of(client)})
    assert client.post(f"{BOARD}/{more[1].id}/vote",
                       data={"csrf_token": token_of(client)}).status_code == 303
    assert votes.count_for(session, topic.id) == 0


def test_a_forged_expired_or_forgotten_browser_acts_for_nobody(
        client: FlaskClient, session: Session, board: IdeaBoard, topic: Idea,
        aroha: Person) -> None:
    browser = confirmed(client, aroha)
    client.set_cookie(COOKIE, f"{browser.id}-forged")
    assert "Who are you?" in client.post(f"{BOARD}/{topic.id}/vote", data={
        "csrf_token": token_of(client)}).get_data(as_text=True)
    browser = confirmed(client, aroha)
    browser.expires_at = NOW - DAY
    session.commit()
    assert "Taking part as" not in client.get(BOARD).get_data(as_text=True)
    confirmed(client, aroha)
    assert "Taking part as" in client.get(BOARD).get_data(as_text=True)
    client.post(f"{BOARD}/forget", data={"csrf_token": token_of(client)})
    assert "Taking part as" not in client.get(BOARD).get_data(as_text=True)
    assert client.get(f"{BOARD}/confirm/1-wrong").status_code == 404
    assert client.get(f"{BOARD}/confirm/nonsense").status_code == 404


def test_comments_are_sanitised_as_descriptions_are(client: FlaskClient, session: Session,
                                                   topic: Idea, aroha: Person) -> None:
    confirmed(client, aroha)
    client.post(f"{BOARD}/{topic.id}/comment", data={
        "csrf_token": token_of(client),
        "body": "<script>alert(1)</script> See [the act](javascript:alert(1)) and **this**"})
    page = client.get(f"{BOARD}/{topic.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
    assert "<strong>this</strong>" in page
    empty = client.post(f"{BOARD}/{topic.id}/comment", data={"csrf_token": token_of(client),
                                                             "body": "  "})
    assert empty.status_code == 422 and "Please enter the comment" in empty.get_data(
        as_text=True)


def test_an_address_outside_the_allow_list_is_told_why_and_nothing_is_sent(
        client: FlaskClient, session: Session, programme: Programme, board: IdeaBoard,
        topic: Idea) -> None:
    programme.allowed_domains, programme.allowed_domains_label = "*.ac.nz", "library staff"
    session.commit()
    refused = client.post(f"{BOARD}/{topic.id}/vote", data={
        "csrf_token": token_of(client), "name": "Di", "email": "di@gmail.com"})
    assert refused.status_code == 422
    assert ("This programme&#39;s ideas board is open to library staff addresses only: "
            "*.ac.nz") in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AddressCheck)) == 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_VOTES_PERSON="2 per minute",
                        RATELIMIT_COMMENTS="1 per minute", RATELIMIT_PROPOSALS_PERSON="1/minute")
def test_votes_comments_and_proposals_are_rate_limited(
        client: FlaskClient, session: Session, topic: Idea, aroha: Person) -> None:
    confirmed(client, aroha)
    statuses = [client.post(f"{BOARD}/{topic.id}/{does}", data={
        "csrf_token": token_of(client)}).status_code for does in ("vote", "unvote", "vote")]
    assert statuses == [303, 303, 429]
    comments = [client.post(f"{BOARD}/{topic.id}/comment", data={
        "csrf_token": token_of(client), "body": "Hi"}).status_code for _ in range(2)]
    assert comments == [303, 429]
    proposals = [client.post(f"{BOARD}/new", data={
        "csrf_token": token_of(client), "kind": "topic", "title": f"New {n}",
        "anyway": "1"}).status_code for n in range(2)]
    assert proposals == [303, 429]


def test_status_news_arrives_once_with_a_one_click_unsubscribe(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        topic: Idea, aroha: Person) -> None:
    _, inbox = mail_app
    voter = person_for(session, "voter@example.org", "Vi Voter")
    votes.cast(session, topic, voter, NOW)
    help_offers.offer(session, topic, voter, HelpRole.facilitate, NOW)
    session.commit()
    ideas.set_status(session, topic, "declined", "We had one last year: see the recording.")
    session.commit()
    assert drain_once() == (2, 0)
    messages = {message["To"]: message for message in inbox.wait_for(2)}
    message = messages["Vi Voter <voter@example.org>"]
    assert message["Subject"] == "“Copyright for podcasts” is now declined"
    text = body_of(message)
    assert "We had one last year" in text and "yours to give again" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link in text
    path = link.removeprefix("https://mingle.example.org")
    assert "Stop these e-mails" in client.get(path).get_data(as_text=True)
    # RFC 8058: the mail client POSTs with no form token.
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert session.scalar(select(IdeaNewsOptOut.person_id)) == voter.id
    assert client.post(path.rsplit("-", 1)[0] + "-forged").status_code == 404


def test_organiser_pages_need_a_login_and_the_programme(
        client: FlaskClient, session: Session, programme: Programme, topic: Idea) -> None:
    assert client.get(f"/organise/ideas/{topic.id}").status_code == 302
    other = Programme(slug="other", name="Other")
    session.add(other)
    session.commit()
    make_organiser(session, programme=other)
    token = log_in(client)
    assert client.get(f"/organise/ideas/{topic.id}").status_code == 404
    assert client.get(f"/organise/programmes/{programme.id}/ideas").status_code == 404
    assert client.post(f"/organise/ideas/{topic.id}/status",
                       data={"csrf_token": token, "status": "done"}).status_code == 404


def test_organisers_see_who_posted_set_statuses_merge_undo_hide_and_plan(
        client: FlaskClient, session: Session, programme: Programme, board: IdeaBoard,
        topic: Idea, aroha: Person) -> None:
    make_organiser(session, programme=programme)
    token = log_in(client)
    twin = ideas.propose(session, board, person_for(session, "bo@example.org", "Bo Li"),
                         IdeaKind.topic, "Podcast copyright", now=NOW)
    votes.cast(session, twin, aroha, NOW)
    comment = idea_comments.comment(session, topic, aroha, "Rude words", NOW)
    session.commit()

    overview = client.get(f"/organise/programmes/{programme.id}/ideas").get_data(as_text=True)
    assert "aroha.ngata@example.org" in overview and "Aroha Ngata" in overview

    declined = client.post(f"/organise/ideas/{topic.id}/status",
                           data={"csrf_token": token, "status": "declined", "reason": ""})
    assert declined.status_code == 422 and "Say why" in declined.get_data(as_text=True)

    merged = client.post(f"/organise/ideas/{twin.id}/merge",
                         data={"csrf_token": token, "target_id": topic.id})
    assert merged.status_code == 303
    session.expire_all()
    assert (twin.status, votes.count_for(session, topic.id)) == (IdeaStatus.duplicate, 1)
    public = client.get(f"{BOARD}/{twin.id}").get_data(as_text=True)
    assert "This is a duplicate of" in public and "Comment</button>" not in public
    merge_id = re.search(r"/organise/idea-merges/(\d+)/undo", client.get(
        f"/organise/programmes/{programme.id}/ideas").get_data(as_text=True)).group(1)
    client.post(f"/organise/idea-merges/{merge_id}/undo", data={"csrf_token": token})
    session.expire_all()
    assert (twin.status, votes.count_for(session, twin.id)) == (IdeaStatus.open, 1)

    client.post(f"/organise/ideas/{topic.id}/comments/{comment.id}/hide",
                data={"csrf_token": token, "reason": "Keep it kind."})
    page = client.get(f"{BOARD}/{topic.id}").get_data(as_text=True)
    assert "Rude words" not in page and "Keep it kind." in page

    planned = client.post(f"/organise/ideas/{topic.id}/event", data={"csrf_token": token})
    event = session.scalars(select(Event)).one()
    assert planned.headers["Location"].endswith(f"/organise/events/{event.id}/edit")
    assert (event.title, event.status) == ("Copyright for podcasts", EventStatus.draft)
    assert "From the idea" in client.get(f"/organise/events/{event.id}").get_data(as_text=True)

    idea_comments.comment(session, twin, aroha, "Spam link", NOW)
    session.commit()
    client.post(f"/organise/ideas/{twin.id}/hide",
                data={"csrf_token": token, "reason": "Off topic"})
    assert "Podcast copyright" not in client.get(BOARD).get_data(as_text=True)
    hidden = client.get(f"{BOARD}/{twin.id}").get_data(as_text=True)
    assert "The organisers hid this topic: Off topic" in hidden and "Spam link" not in hidden


def test_organisers_open_a_board_and_are_told_what_is_wrong_with_its_settings(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    make_organiser(session, programme=programme)
    token = log_in(client)
    path = f"/organise/programmes/{programme.id}/ideas"
    assert "This programme has no ideas board yet" in client.get(path).get_data(as_text=True)
    form = {"csrf_token": token, "mode": "staged", "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-02-01T09:00", "vote_budget": "5", "ready_votes": "5",
            "finalists": "3", "allowed_domains": "*.ac.nz, not a domain!"}
    wrong = client.post(path, data=form)
    assert wrong.status_code == 422 and "A stage must close after it opens" in wrong.get_data(
        as_text=True)
    wrong = client.post(path, data={**form, "closes_at": "2027-04-01T09:00"})
    assert "is not a domain" in wrong.get_data(as_text=True)
    saved = client.post(path, data={**form, "closes_at": "2027-04-01T09:00",
                                    "allowed_domains": "*.ac.nz", "allowed_domains_label":
                                    "library staff", "allowed_domains_for_rsvps": "y"})
    assert saved.status_code == 303
    session.expire_all()
    assert (programme.allowed_domains, programme.allowed_domains_for_rsvps) == ("*.ac.nz", True)
    assert client.get(BOARD).status_code == 200


def test_the_demo_seeds_a_board_with_a_dozen_challenges_and_ideas_and_votes(
        client: FlaskClient, session: Session) -> None:
    from events import demo
    from events.votes import Vote, VoteBudget

    programme = demo.seed_demo(session)
    session.commit()
    kinds = dict(session.execute(select(Idea.kind, func.count()).group_by(Idea.kind)).all())
    assert kinds[IdeaKind.challenge] + kinds[IdeaKind.idea] >= 12
    assert session.scalar(select(func.count()).select_from(Vote)) > 20
    assert session.scalar(select(func.max(VoteBudget.active_votes))) <= 5
    page = client.get(f"/programmes/{programme.slug}/ideas").get_data(as_text=True)
    assert "Stage 2 of 2" in page and "needs a helper" in page


def test_readers_get_a_kept_board_that_follows_each_vote_and_never_someone_elses_view(
        app_factory: Callable[..., Flask], session: Session, topic: Idea,
        aroha: Person) -> None:
    from sqlalchemy import event as engine_event

    # An app of its own, so that each request gets its own context as in production.
    app = app_factory()
    reader, voter = app.test_client(), app.test_client()
    confirmed(voter, aroha)
    with app.app_context():
        engine = db.engine
    assert "0 votes" in reader.get(BOARD).get_data(as_text=True)
    statements: list[str] = []
    engine_event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert "0 votes" in reader.get(BOARD).get_data(as_text=True)
    if engine.dialect.name == "sqlite":
        # The kept copy: no query of the app's own. (PostgreSQL's snapshot moves with any
        # write anywhere in the cluster, which other databases on it may make meanwhile.)
        assert statements == []

    votes.cast(session, topic, aroha, NOW)
    session.commit()
    assert "1 vote" in reader.get(BOARD).get_data(as_text=True)
    assert "Taking part as Aroha Ngata" in voter.get(BOARD).get_data(as_text=True)
    assert "Taking part as" not in reader.get(BOARD).get_data(as_text=True)


def test_the_board_sorts_by_support_newest_and_needing_a_helper_and_shows_full_names_chosen(
        client: FlaskClient, session: Session, board: IdeaBoard, aroha: Person) -> None:
    bo = person_for(session, "bo@example.org", "Bo Li")
    old = ideas.propose(session, board, aroha, IdeaKind.topic, "Older, popular", now=NOW - DAY)
    new = ideas.propose(session, board, bo, IdeaKind.topic, "Newer, helped", now=NOW,
                        show_full_name=True)
    votes.cast(session, old, aroha, NOW)
    help_offers.offer(session, new, aroha, HelpRole.co_host, NOW)
    help_offers.offer(session, old, bo, HelpRole.co_host, NOW)
    needy = ideas.propose(session, board, bo, IdeaKind.topic, "Nobody to run it", now=NOW - DAY)
    session.commit()

    def order(sort: str) -> list[str]:
        page = client.get(f"{BOARD}?sort={sort}").get_data(as_text=True)
        return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)

    assert order("support")[0] == "Older, popular"
    assert order("newest")[0] == "Newer, helped"
    assert order("helper")[0] == needy.title
    page = client.get(BOARD).get_data(as_text=True)
    assert "proposed by Bo Li" in page and "proposed by Aroha<" in page
