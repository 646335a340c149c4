"""Benchmarks of Mingle's hot paths: ``python -m bench`` (or ``make bench``)."""
