from webapp.public.views import bp

__all__ = ["bp"]
