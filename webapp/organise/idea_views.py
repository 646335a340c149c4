"""A programme's ideas board in the workspace: its settings, statuses, merges, moderation,
and turning ideas into draft events and series."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from events import idea_boards, idea_comments, idea_drafts, idea_listing, idea_merges, ideas
from events.errors import DomainError, NotFound
from events.idea_boards import BoardPlan, Idea, IdeaBoard
from events.models import Programme
from events.scheduling import to_local
from webapp.errors import status_of
from webapp.extensions import db
from webapp.organise.access import bp, load_programme, organiser
from webapp.organise.forms import ActionForm
from webapp.organise.idea_forms import BoardForm, HideForm, MergeForm, StatusForm
from webapp.organise.views import saved
from webapp.pipeline import Page, act, button, form_page

WINDOWS = ("opens_at", "closes_at", "ideas_open_at", "ideas_close_at")
ALLOWED = ("allowed_domains", "allowed_domains_label", "allowed_domains_for_rsvps")


def _board_form(programme: Programme, board: IdeaBoard | None) -> BoardForm:
    form = BoardForm(obj=board)
    if not form.is_submitted():
        for name in ALLOWED:
            getattr(form, name).data = getattr(programme, name)
        if board is not None:
            form.mode.data = board.mode.value
            for name in WINDOWS:
                moment = getattr(board, name)
                getattr(form, name).data = (to_local(moment, programme.timezone)
                                            if moment is not None else None)
    return form


def _plan(form: BoardForm) -> BoardPlan:
    return BoardPlan(
        mode=form.mode.data or "", intro=form.intro.data or "",
        **{name: getattr(form, name).data for name in WINDOWS},
        vote_budget=form.vote_budget.data, ready_votes=form.ready_votes.data,
        finalists=form.finalists.data, allowed_domains=form.allowed_domains.data or "",
        allowed_domains_label=form.allowed_domains_label.data or "",
        allowed_domains_for_rsvps=bool(form.allowed_domains_for_rsvps.data))


@bp.route("/programmes/<int:programme_id>/ideas", methods=["GET", "POST"])
def idea_board(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    board = idea_boards.board_of(db.session, programme)
    form = _board_form(programme, board)
    return form_page(
        form, lambda: idea_boards.save_board(db.session, programme, _plan(form)),
        page=lambda problem: _board_page(programme, board, form, problem),
        done=lambda _: saved("The ideas board is saved.", "organise.idea_board",
                             programme_id=programme_id),
        fallback_field="mode")


def _board_page(programme: Programme, board: IdeaBoard | None, form: BoardForm,
                problem: str | None = None) -> str:
    overview = idea_listing.organiser_board(db.session, board) if board is not None else None
    return render_template("organise/ideas.html", programme=programme, board=board,
                           overview=overview, form=form, action=ActionForm(), problem=problem)


def load_idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("There is no such idea in your workspace.")
    load_programme(idea.board.programme_id)
    return idea


@bp.get("/ideas/<int:idea_id>")
def idea(idea_id: int) -> str:
    return _idea_page(load_idea(idea_id))


def _idea_page(idea: Idea, status_form: StatusForm | None = None,
               merge_form: MergeForm | None = None, hide_form: HideForm | None = None,
               problem: str | None = None) -> str:
    page = idea_listing.idea_page(db.session, idea.board, idea.id, for_organisers=True)
    status_form = status_form or StatusForm()
    status_form.status.choices = [(status.value, status.label)  # type: ignore[assignment]
                                  for status in ideas.organiser_moves(idea)]
    merge_form = merge_form or MergeForm()
    targets = db.session.execute(
        select(Idea.id, Idea.title).where(Idea.board_id == idea.board_id, Idea.kind == idea.kind,
                                          Idea.id != idea.id, Idea.takes_votes)
        .order_by(Idea.title)).all()
    merge_form.target_id.choices = [(0, "Choose an idea")] + [  # type: ignore[assignment]
        (target.id, target.title) for target in targets]
    return render_template("organise/idea.html", idea=idea, page=page, board=idea.board,
                           programme=idea.board.programme, status_form=status_form,
                           merge_form=merge_form, hide_form=hide_form or HideForm(),
                           action=ActionForm(), problem=problem)


def _back(idea: Idea) -> str:
    return url_for("organise.idea", idea_id=idea.id)


@bp.post("/ideas/<int:idea_id>/status")
def idea_status(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    form = StatusForm()
    form.status.choices = [(status.value, status.label)  # type: ignore[assignment]
                           for status in ideas.organiser_moves(idea)]
    return form_page(
        form, lambda: ideas.set_status(db.session, idea, form.status.data, form.reason.data),
        page=lambda problem: _idea_page(idea, status_form=form, problem=problem),
        done=lambda changed: saved(f"It is now {changed.status.label.lower()}; its people "
                                   "are being told.", "organise.idea", idea_id=idea_id),
        fallback_field="status")


@bp.post("/ideas/<int:idea_id>/merge")
def merge_idea(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    form = MergeForm()
    return form_page(
        form, lambda: idea_merges.merge(db.session, idea, form.target_id.data or 0, organiser()),
        page=lambda problem: _idea_page(idea, merge_form=form, problem=problem),
        done=lambda merge: saved(f"Merged into “{merge.target.title}”. You can undo it on the "
                                 "board's page.", "organise.idea", idea_id=merge.target_id),
        fallback_field="target_id")


@bp.post("/ideas/<int:idea_id>/hide")
def hide_idea(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    form = HideForm()
    return form_page(
        form, lambda: ideas.hide(db.session, idea, form.reason.data),
        page=lambda problem: _idea_page(idea, hide_form=form, problem=problem),
        done=lambda _: saved("Hidden from the board.", "organise.idea", idea_id=idea_id),
        fallback_field="reason")


@bp.post("/ideas/<int:idea_id>/unhide")
def unhide_idea(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    return button(lambda: ideas.unhide(db.session, idea), done=lambda _: "Back on the board.",
                  back=_back(idea), page=lambda problem: _idea_page(idea, problem=problem))


@bp.post("/ideas/<int:idea_id>/comments/<int:comment_id>/hide")
def hide_comment(idea_id: int, comment_id: int) -> Page:
    idea = load_idea(idea_id)
    found = idea_comments.comment_on(db.session, idea, comment_id)
    form = HideForm()
    return form_page(
        form, lambda: ideas.hide(db.session, found, form.reason.data),
        page=lambda problem: _idea_page(idea, problem=problem),
        done=lambda _: saved("The comment is hidden.", "organise.idea", idea_id=idea_id),
        fallback_field="reason")


@bp.post("/ideas/<int:idea_id>/comments/<int:comment_id>/unhide")
def unhide_comment(idea_id: int, comment_id: int) -> Page:
    idea = load_idea(idea_id)
    found = idea_comments.comment_on(db.session, idea, comment_id)
    return button(lambda: ideas.unhide(db.session, found),
                  done=lambda _: "The comment is shown again.", back=_back(idea),
                  page=lambda problem: _idea_page(idea, problem=problem))


def _planned(idea: Idea, call: Callable[[], object], endpoint: str, what: str) -> Page:
    try:
        made = act(call)
    except DomainError as error:
        return _idea_page(idea, problem=error.message), status_of(error)
    flash(f"A draft {what} is made from the idea: finish it here, then publish it. The idea's "
          "people hear of it, and may RSVP first, when it is published.", "good")
    key = "event_id" if what == "event" else "series_id"
    return redirect(url_for(endpoint, **{key: made.id}), code=303)  # type: ignore[attr-defined]


@bp.post("/ideas/<int:idea_id>/event")
def idea_to_event(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    return _planned(idea, lambda: idea_drafts.turn_into_event(db.session, idea),
                    "organise.edit_event", "event")


@bp.post("/ideas/<int:idea_id>/series")
def idea_to_series(idea_id: int) -> Page:
    idea = load_idea(idea_id)
    return _planned(idea, lambda: idea_drafts.turn_into_series(db.session, idea),
                    "organise.edit_series", "series")


@bp.post("/idea-merges/<int:merge_id>/undo")
def undo_merge(merge_id: int) -> Response | Page:
    record = db.session.get(idea_merges.IdeaMerge, merge_id)
    if record is None:
        raise NotFound("There is no such merge in your workspace.")
    programme = load_programme(record.target.board.programme_id)
    back = url_for("organise.idea_board", programme_id=programme.id)

    def said(undone: idea_merges.Undone) -> str:
        left = (f" {undone.votes_not_restored} of its votes could not come back: those voters "
                "have spent them since." if undone.votes_not_restored else "")
        return f"“{undone.merge.duplicate.title}” is back as it was.{left}"

    return button(lambda: idea_merges.undo(db.session, record), done=said, back=back)
