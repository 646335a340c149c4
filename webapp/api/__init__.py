from webapp.api import openapi  # noqa: F401  (its route joins the blueprint)
from webapp.api.views import bp

__all__ = ["bp"]
