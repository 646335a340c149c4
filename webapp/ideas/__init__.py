"""The ideas board: a programme's challenges, ideas and votes, open to anyone with an address."""

from webapp.ideas.views import bp

__all__ = ["bp"]
