from webapp.dev.views import bp

__all__ = ["bp"]
