"""The organisers' workspace under /organise: every page needs an organiser's login."""

from webapp.organise import (  # noqa: F401
    announcement_views,
    briefing_views,
    copy_views,
    dashboard_views,
    discussion_views,
    event_views,
    feedback_views,
    help_views,
    idea_views,
    invitation_views,
    listing_views,
    resource_views,
    roster_views,
    views,
)
from webapp.organise.access import bp

__all__ = ["bp"]
