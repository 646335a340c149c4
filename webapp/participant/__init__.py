from webapp.participant import discussion_views, feedback_views  # noqa: F401
from webapp.participant.views import bp

__all__ = ["bp"]
