"""Rubrics: the format (spec.py), reading and validation (load.py), preparation (prepare.py)."""
