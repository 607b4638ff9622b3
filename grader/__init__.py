"""grader: offline auto-grading of pen-and-paper maths and ML answer sheets."""
