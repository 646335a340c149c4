"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from webapp import create_app
from webapp.malloc import keep_small

keep_small()
app = create_app()
