from webapp.speaker.views import bp

__all__ = ["bp"]
