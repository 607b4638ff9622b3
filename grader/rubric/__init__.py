"""Rubrics: the format (spec.py), reading and validation (load.py), solver modules (solvers.py).

Preparing a rubric against its solver and checkers is `grader.checkers.prepare` (a layer up).
"""
