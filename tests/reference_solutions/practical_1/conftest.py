"""Shared fixtures: the sheet's data block, as it will appear in rubrics/practical-1.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

_DATA_FILE = Path(__file__).with_name("p1_data.yaml")


@pytest.fixture
def sheet_data() -> dict[str, Any]:
    """A fresh copy of the Exercise 2 data block (our own file, read with safe_load)."""
    loaded = yaml.safe_load(_DATA_FILE.read_text(encoding="utf-8"))
    return dict(loaded["data"])
