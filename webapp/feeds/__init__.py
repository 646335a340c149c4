from webapp.feeds.views import bp

__all__ = ["bp"]
