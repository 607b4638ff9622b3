"""Reference solvers: the course content that derives each exercise's reference answers.

One sub-package per assignment (`reference_solutions/<name>/`), each exposing `SOLVERS`, a
read-only mapping from the names a rubric uses to solver functions (see `grader.references`).
"""
