from webapp.api.views import bp

__all__ = ["bp"]
