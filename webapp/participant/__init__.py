from webapp.participant.views import bp

__all__ = ["bp"]
