import webapp.participant.feedback_views  # noqa: F401  (its routes join the blueprint)
from webapp.participant.views import bp

__all__ = ["bp"]
