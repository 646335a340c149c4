"""The organisers' workspace under /organise: every page needs an organiser's login."""

import webapp.organise.feedback_views  # noqa: F401  (its routes join the blueprint)
from webapp.organise import dashboard_views, event_views, roster_views, views  # noqa: F401
from webapp.organise.access import bp

__all__ = ["bp"]
