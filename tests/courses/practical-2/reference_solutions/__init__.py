"""The reference solutions of the example course Practical-2 (a test course: see
docs/course-authoring.md)."""
