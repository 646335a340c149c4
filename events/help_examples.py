"""Which of an organiser's own programme, series and event the organisers' help links to,
so that each step of the season it walks through opens the organiser's real screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.accounts import Account, visible_programmes
from events.models import Event, Programme, Series


@dataclass(frozen=True)
class HelpExamples:
    """The organiser's first programme, a series of it and an event of that series (or of
    the programme); each ``None`` when there is none yet."""

    programme: Programme | None
    series: Series | None
    event: Event | None


def examples_for(session: Session, account: Account) -> HelpExamples:
    """The programme, series and event the help page's links point at, for ``account``.

    Three statements at most, whatever the size of the workspace.
    """
    programmes = visible_programmes(session, account)
    if not programmes:
        return HelpExamples(None, None, None)
    programme = programmes[0]
    series = session.execute(
        select(Series).where(Series.programme_id == programme.id).order_by(Series.id).limit(1)
    ).scalar_one_or_none()
    events = select(Event).where(Event.programme_id == programme.id)
    if series is not None:
        # An event of the series, if it has one; else any of the programme's.
        events = events.order_by((Event.series_id == series.id).desc(), Event.starts_at)
    else:
        events = events.order_by(Event.starts_at)
    event = session.execute(events.limit(1)).scalar_one_or_none()
    return HelpExamples(programme, series, event)
