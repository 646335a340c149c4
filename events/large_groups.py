"""What organisers and facilitators of large online groups do, shown where they plan.

An event with more seats than ``limits.LARGE_GROUP`` is a different evening
from a conversation among twenty: people join at once, a few microphones
left open drown the guest, and the chat runs faster than one person can read
while facilitating. The guidance below is what programmes of that size
settled on; the organiser's page of such an event and its facilitator's
briefing both show it (``Event.is_large_group`` decides which events).
"""

from __future__ import annotations

from events.models import Event

GUIDANCE = (
    "Use the meeting platform's webinar mode if it has one, so that only the guest and "
    "the facilitators are seen and heard.",
    "Let people in muted, with cameras off, and keep it so until questions.",
    "For discussion, open breakout rooms of six to eight people, each with one question "
    "to talk through, and bring everyone back five minutes before the end.",
    "Ask a second facilitator to watch the chat: to welcome people, answer questions about "
    "the room and pass the best audience questions on.",
)


def guidance_for(event: Event) -> tuple[str, ...]:
    """The large-group guidance if ``event`` needs it, else nothing."""
    return GUIDANCE if event.is_large_group else ()
