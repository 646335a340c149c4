"""Mingle's domain: the programme, its events and the rules that run them.

Plain Python on SQLAlchemy; no web framework is imported anywhere below here.
"""
