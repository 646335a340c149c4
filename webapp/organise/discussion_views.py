"""Book discussions in the workspace: plan one, offer groups, form them, publish, and run
them (moves, attendance, skipped weeks, closing, messages)."""

from __future__ import annotations

from flask import render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from events import scheduling, signed_links
from events.discussions import attendance, forming, meetings, membership, planning
from events.discussions.models import BookDiscussion, DiscussionGroup, GroupStatus
from events.discussions.signing_up import sign_up_counts
from events.errors import InvalidInput, NotFound
from events.grouping import Infeasible
from webapp.extensions import db
from webapp.organise.access import bp, load_programme
from webapp.organise.discussion_forms import (
    DiscussionForm,
    FormingForm,
    GroupForm,
    MessageForm,
    PlacesForm,
)
from webapp.organise.forms import ActionForm
from webapp.organise.views import saved
from webapp.pipeline import Page, act, button, form_page


def load_discussion(discussion_id: int) -> BookDiscussion:
    discussion = db.session.get(BookDiscussion, discussion_id)
    if discussion is None:
        raise NotFound("There is no such book discussion in your workspace.")
    load_programme(discussion.programme_id)
    return discussion


def load_group(discussion: BookDiscussion, group_id: int) -> DiscussionGroup:
    group = db.session.get(DiscussionGroup, group_id)
    if group is None or group.discussion_id != discussion.id:
        raise NotFound("There is no such group in this discussion.")
    return group


def _plan(form: DiscussionForm) -> planning.DiscussionPlan:
    return planning.DiscussionPlan(
        book_title=form.book_title.data or "", book_author=form.book_author.data or "",
        book_isbn=form.book_isbn.data or "", book_url=form.book_url.data or "",
        description=form.description.data or "",
        kickoff_starts_at_local=form.kickoff_starts_at.data,
        kickoff_meeting_url=form.kickoff_meeting_url.data or "", places=form.places.data,
        first_week_on=form.first_week_on.data, weeks=form.weeks.data,
        meeting_minutes=form.meeting_minutes.data, min_group_size=form.min_group_size.data,
        max_group_size=form.max_group_size.data, threads=form.threads.data or "",
        slots=form.slots.data or "", reading_plan=form.reading_plan.data or "")


def _discussion_form_page(form: DiscussionForm, programme_id: int,
                          discussion: BookDiscussion | None, problem: str | None) -> str:
    return render_template("organise/discussion_form.html", form=form, discussion=discussion,
                           programme=load_programme(programme_id), problem=problem)


@bp.route("/programmes/<int:programme_id>/discussions/new", methods=["GET", "POST"])
def new_discussion(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = DiscussionForm()
    return form_page(
        form, lambda: planning.save_discussion(db.session, programme, _plan(form)),
        page=lambda problem: _discussion_form_page(form, programme_id, None, problem),
        done=lambda discussion: saved(
            f"Book discussion “{discussion.book_title}” saved, its kick-off a draft. Offer "
            "groups, then publish the kick-off to open sign-ups.",
            "organise.discussion", discussion_id=discussion.id),
        fallback_field="book_title")


@bp.route("/discussions/<int:discussion_id>/edit", methods=["GET", "POST"])
def edit_discussion(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    form = DiscussionForm(obj=discussion)
    if not form.is_submitted():
        kickoff = discussion.kickoff
        form.description.data = kickoff.description
        form.kickoff_starts_at.data = scheduling.to_local(kickoff.starts_at, kickoff.timezone)
        form.kickoff_meeting_url.data = kickoff.meeting_url
        form.places.data = kickoff.capacity
        form.threads.data = "\n".join(thread.name for thread in discussion.threads)
        form.slots.data = "\n".join(slot.typed for slot in discussion.slots)
        form.reading_plan.data = planning.reading_plan_text(discussion)
    return form_page(
        form, lambda: planning.save_discussion(db.session, discussion.programme, _plan(form),
                                               discussion),
        page=lambda problem: _discussion_form_page(form, discussion.programme_id, discussion,
                                                   problem),
        done=lambda _: saved("Book discussion saved.", "organise.discussion",
                             discussion_id=discussion_id),
        fallback_field="book_title")


def _group_form(discussion: BookDiscussion, group: DiscussionGroup | None = None) -> GroupForm:
    form = GroupForm(obj=group, prefix="group")
    form.thread_id.choices = [SelectChoice(t.id, t.name)  # type: ignore[misc]
                              for t in discussion.threads]
    form.slot_id.choices = [SelectChoice(s.id, s.label)  # type: ignore[misc]
                            for s in discussion.slots]
    if group is not None and not form.is_submitted() and group.facilitator is not None:
        form.facilitator_name.data = group.facilitator.name
        form.facilitator_email.data = group.facilitator.email
    return form


def _message_form(groups: list[DiscussionGroup]) -> MessageForm:
    form = MessageForm(prefix="message")
    form.group_id.choices = [SelectChoice(0, "Every group")] + [  # type: ignore[operator]
        SelectChoice(g.id, g.name) for g in groups if g.status == GroupStatus.running]
    return form


def _discussion_page(discussion: BookDiscussion, group_form: GroupForm | None = None,
                     message_form: MessageForm | None = None,
                     problem: str | None = None) -> str:
    session = db.session
    candidates = forming.candidate_groups(session, discussion)
    published = attendance.running_groups(session, discussion)
    return render_template(
        "organise/discussion.html", discussion=discussion, counts=sign_up_counts(
            session, discussion), candidates=candidates, groups=published,
        members=attendance.member_counts(session, published),
        heatmap=attendance.heatmap(session, discussion),
        concerns=attendance.week_two_check(session, discussion),
        group_form=group_form or _group_form(discussion),
        message_form=message_form or _message_form(published),
        places_form=PlacesForm(places=discussion.kickoff.capacity), action=ActionForm(),
        problem=problem)


@bp.get("/discussions/<int:discussion_id>")
def discussion(discussion_id: int) -> str:
    return _discussion_page(load_discussion(discussion_id))


def _back(discussion: BookDiscussion) -> str:
    return url_for("organise.discussion", discussion_id=discussion.id)


def _group_plan(form: GroupForm) -> planning.GroupPlan:
    return planning.GroupPlan(
        form.thread_id.data, form.slot_id.data, form.facilitator_name.data or "",
        form.facilitator_email.data or "", form.meeting_url.data or "", form.min_size.data,
        form.max_size.data)


@bp.post("/discussions/<int:discussion_id>/groups")
def add_group(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    form = _group_form(discussion)
    return form_page(
        form, lambda: planning.save_group(db.session, discussion, _group_plan(form)),
        page=lambda problem: _discussion_page(discussion, group_form=form, problem=problem),
        done=lambda group: saved(f"Group “{group.name}” offered.", "organise.discussion",
                                 discussion_id=discussion_id),
        fallback_field="facilitator_name")


@bp.post("/discussions/<int:discussion_id>/groups/offer")
def offer_groups(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    return button(
        lambda: planning.offer_groups_for_every_thread_and_slot(db.session, discussion),
        done=lambda added: f"{len(added)} groups offered.", back=_back(discussion),
        page=lambda problem: _discussion_page(discussion, problem=problem))


@bp.post("/discussions/<int:discussion_id>/places")
def change_places(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    form = PlacesForm()
    return form_page(
        form, lambda: planning.set_places(db.session, discussion, form.places.data),
        page=lambda problem: _discussion_page(discussion, problem=problem or " ".join(
            error for errors in form.errors.values() for error in errors)),
        done=lambda _: saved("Places changed; people waiting took the new ones in turn.",
                             "organise.discussion", discussion_id=discussion_id))


@bp.post("/discussions/<int:discussion_id>/messages")
def message_groups(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    form = _message_form(attendance.running_groups(db.session, discussion))
    return form_page(
        form, lambda: membership.message(
            db.session, discussion,
            load_group(discussion, form.group_id.data) if form.group_id.data else None,
            form.subject.data, form.body.data),
        page=lambda problem: _discussion_page(discussion, message_form=form, problem=problem),
        done=lambda sent: saved(f"Your message is on its way to {sent.recipients} people.",
                                "organise.discussion", discussion_id=discussion_id),
        fallback_field="body")


# Forming: the draft, moved and locked by hand, formed again, published.

def _forming_page(discussion: BookDiscussion, form: FormingForm | None = None,
                  formed: forming.Formed | None = None, infeasible: Infeasible | None = None,
                  problem: str | None = None) -> str:
    session = db.session
    if form is None:
        form = FormingForm(facilitator_seats=discussion.facilitator_seats,
                           size_exception_sides=discussion.size_exception_sides,
                           reason=discussion.size_exception_reason)
    groups = forming.candidate_groups(session, discussion)
    return render_template(
        "organise/forming.html", discussion=discussion, form=form, action=ActionForm(),
        sign_ups=forming.confirmed_sign_ups(session, discussion), groups=groups,
        drafts=forming.drafts_of(session, discussion),
        slots={slot.id: slot.label for slot in discussion.slots},
        threads={thread.id: thread.name for thread in discussion.threads},
        counts=sign_up_counts(session, discussion), formed=formed,
        infeasible=infeasible or (formed.infeasible if formed else None), problem=problem)


@bp.get("/discussions/<int:discussion_id>/forming")
def forming_page(discussion_id: int) -> str:
    return _forming_page(load_discussion(discussion_id))


@bp.post("/discussions/<int:discussion_id>/forming")
def form_groups(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    form = FormingForm()

    def run() -> forming.Formed:
        plan = forming.ConcessionsPlan(form.facilitator_seats.data or 0, form.reason.data or "",
                                       form.size_exception_sides.data or "")
        return forming.form(db.session, discussion, plan)

    return form_page(form, run, page=lambda problem: _forming_page(discussion, form,
                                                                   problem=problem),
                     done=lambda formed: (_forming_page(discussion, form, formed),
                                          409 if formed.infeasible else 200),
                     fallback_field="reason")


def _wanted() -> dict[int, tuple[int | None, bool]]:
    """The draft table's rows: ``group-<sign-up id>`` and ``lock-<sign-up id>`` fields."""
    wanted = {}
    locked = set(request.form.getlist("lock"))
    for name, value in request.form.items():
        if not name.startswith("group-"):
            continue
        sign_up_id = signed_links.small_id(name.removeprefix("group-"))
        if sign_up_id is None:
            raise InvalidInput("The table was not sent whole; reload the page.", field="group")
        wanted[sign_up_id] = (signed_links.small_id(value) or None, str(sign_up_id) in locked)
    return wanted


@bp.post("/discussions/<int:discussion_id>/forming/adjust")
def adjust_draft(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    return button(lambda: forming.adjust(db.session, discussion, _wanted()),
                  done=lambda changed: f"{changed} changes kept. Nothing is published yet.",
                  back=url_for("organise.forming_page", discussion_id=discussion_id),
                  page=lambda problem: _forming_page(discussion, problem=problem))


@bp.post("/discussions/<int:discussion_id>/forming/publish")
def publish_groups(discussion_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    try:
        opened = act(lambda: membership.publish(db.session, discussion))
    except membership.DraftBreaksRules as refused:
        return _forming_page(discussion, infeasible=refused.infeasible,
                             problem=refused.message), 409
    return saved(f"{len(opened)} groups published; their members are being told.",
                 "organise.discussion", discussion_id=discussion_id)


# One group after publishing: its details, members, attendance, weeks, closing.

def _group_page(discussion: BookDiscussion, group: DiscussionGroup,
                form: GroupForm | None = None, problem: str | None = None) -> str:
    session = db.session
    members = meetings.active_members(session, group)
    others = [g for g in attendance.running_groups(session, discussion)
              if g.status == GroupStatus.running and g.id != group.id]
    week = request.args.get("week", "")
    chosen = signed_links.small_id(week) or 1
    present = attendance.present(session, group, chosen) if group.meetings else set()
    return render_template("organise/group.html", discussion=discussion, group=group,
                           members=members, others=others, form=form or _group_form(
                               discussion, group), action=ActionForm(), week=chosen,
                           present=present, problem=problem)


@bp.route("/discussions/<int:discussion_id>/groups/<int:group_id>", methods=["GET", "POST"])
def group(discussion_id: int, group_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    found = load_group(discussion, group_id)
    form = _group_form(discussion, found)
    return form_page(
        form, lambda: planning.save_group(db.session, discussion, _group_plan(form), found),
        page=lambda problem: _group_page(discussion, found, form, problem),
        done=lambda _: saved("Group saved.", "organise.group", discussion_id=discussion_id,
                             group_id=group_id),
        fallback_field="facilitator_name")


def _group_back(discussion: BookDiscussion, group: DiscussionGroup, **values: object) -> str:
    return url_for("organise.group", discussion_id=discussion.id, group_id=group.id, **values)


def _posted_id(name: str) -> int:
    found = signed_links.small_id(request.form.get(name, ""))
    if found is None:
        raise InvalidInput("Choose one.", field=name)
    return found


@bp.post("/discussions/<int:discussion_id>/groups/<int:group_id>/attendance")
def mark_group_attendance(discussion_id: int, group_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    found = load_group(discussion, group_id)
    week = signed_links.small_id(request.form.get("week", "")) or 0
    present = [value for value in map(signed_links.small_id, request.form.getlist("present"))
               if value is not None]
    return button(lambda: attendance.mark(db.session, found, week, present),
                  done=lambda count: f"Week {week}: {count} marked present.",
                  back=_group_back(discussion, found, week=week),
                  page=lambda problem: _group_page(discussion, found, problem=problem))


@bp.post("/discussions/<int:discussion_id>/groups/<int:group_id>/skip")
def skip_group_week(discussion_id: int, group_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    found = load_group(discussion, group_id)
    week = signed_links.small_id(request.form.get("week", "")) or 0
    return button(lambda: meetings.skip_week(db.session, found, week),
                  done=lambda _: f"No meeting in week {week}; members are being told.",
                  back=_group_back(discussion, found),
                  page=lambda problem: _group_page(discussion, found, problem=problem))


@bp.post("/discussions/<int:discussion_id>/groups/<int:group_id>/close")
def close_discussion_group(discussion_id: int, group_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    found = load_group(discussion, group_id)
    into_id = signed_links.small_id(request.form.get("into", ""))
    return button(
        lambda: membership.close_group(db.session, found,
                                       load_group(discussion, into_id) if into_id else None),
        done=lambda _: "The group is closed.", back=_back(discussion),
        page=lambda problem: _group_page(discussion, found, problem=problem))


@bp.post("/discussions/<int:discussion_id>/sign-ups/<int:sign_up_id>/move")
def move_member(discussion_id: int, sign_up_id: int) -> Page:
    discussion = load_discussion(discussion_id)
    back = request.form.get("back_group", "")
    came_from = load_group(discussion, signed_links.small_id(back) or 0) if back else None
    return button(
        lambda: membership.move(db.session, discussion, sign_up_id, _posted_id("group")),
        done=lambda member: f"{member.sign_up.person.name} is in {member.group.name} now and "
                            "is being told.",
        back=_group_back(discussion, came_from) if came_from else _back(discussion),
        page=lambda problem: (_group_page(discussion, came_from, problem=problem) if came_from
                              else _discussion_page(discussion, problem=problem)))
