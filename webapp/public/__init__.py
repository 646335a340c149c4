from webapp.public import discussion_views, help_views, programme_views  # noqa: F401
from webapp.public.views import bp

__all__ = ["bp"]
