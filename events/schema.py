"""Every table of the domain in one metadata, for migrations and schema checks.

Models live beside the rules they serve (accounts, announcements, ...); this
module imports them all so nothing depends on import order to see a table.
"""

from __future__ import annotations

from events import (
    accounts,
    announcements,
    briefings,
    co_organisers,
    early_access,
    feedback_models,
    help_offers,
    idea_boards,
    idea_comments,
    idea_merges,
    idea_news,
    login_guard,
    models,
    pending_invitations,
    resources,
    speaker_access,
    speaker_reminders,
    verified_browsers,
    votes,
)
from events.discussions import models as discussions

metadata = models.Base.metadata

__all__ = ["accounts", "announcements", "briefings", "co_organisers", "discussions",
           "early_access", "feedback_models", "help_offers", "idea_boards", "idea_comments",
           "idea_merges", "idea_news", "login_guard", "metadata", "models", "pending_invitations",
           "resources", "speaker_access", "speaker_reminders", "verified_browsers", "votes"]
