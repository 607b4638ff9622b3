"""Part checkers and question graders, registered by name (see registry.py)."""
