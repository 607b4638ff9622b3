"""grade's private matplotlib folder starts with a seeded font list (grader.plot_fonts): it is
the installed matplotlib's own format (taken, not rebuilt), holds matplotlib's fonts only, and
draws the same PNG as the list matplotlib builds from every font of the machine."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from grader import plot_fonts as fonts
from grader.plot_fonts import seed_font_list

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter whose MPLCONFIGDIR is the folder given: what matplotlib made of
# that folder's font list, as JSON, then the histogram's PNG (hex) drawn under it.
_PROBE = """
import json, sys
import matplotlib
from matplotlib import font_manager
manager = font_manager.fontManager
loaded = {"ttf": len(manager.ttflist), "afm": len(manager.afmlist),
          "attributes": sorted(vars(manager))}
from grader.report.bins import total_bins
from grader.report.histogram import render_histogram
png = render_histogram(total_bins([3.5, 4, 14.17, 28, 30], 30), 30, "Totals: $x$ (n = 5)")
loaded["fonts"] = sorted({entry.fname for entry in manager.ttflist + manager.afmlist})
loaded["data"] = matplotlib.get_data_path()
loaded["png"] = png.hex()
print(json.dumps(loaded))
"""


def _probe(folder: Path) -> dict[str, object]:
    env = {"MPLCONFIGDIR": str(folder), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603 -- our own code, no student input
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, check=True,
        timeout=300, text=True,
    )  # fmt: skip
    probed: dict[str, object] = json.loads(result.stdout)
    return probed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, dict[str, object]]:
    folder = tmp_path_factory.mktemp("seeded")
    assert seed_font_list(folder)
    (written,) = folder.glob("fontlist-*.json")
    before = written.read_bytes()
    return written, before, _probe(folder)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _probe(tmp_path_factory.mktemp("built"))  # matplotlib builds its own list


def test_the_installed_matplotlib_takes_the_seed_instead_of_building_a_list(
    seeded: tuple[Path, bytes, dict[str, object]],
) -> None:
    written, before, probed = seeded
    assert probed["ttf"] == 0 and probed["afm"] == 0  # loaded as written: nothing scanned
    assert written.read_bytes() == before  # and not rebuilt over


def test_the_seed_sets_every_attribute_matplotlib_gives_its_own_list(
    seeded: tuple[Path, bytes, dict[str, object]], built: dict[str, object]
) -> None:
    assert seeded[2]["attributes"] == built["attributes"]
    assert built["ttf"] != 0  # matplotlib's own list is the scanned one


def test_only_matplotlibs_own_fonts_are_known_after_drawing(
    seeded: tuple[Path, bytes, dict[str, object]],
) -> None:
    probed = seeded[2]
    known = probed["fonts"]
    assert isinstance(known, list) and known
    assert all(Path(name).is_relative_to(str(probed["data"])) for name in known)
    assert not any(name.endswith(".afm") for name in known)


def test_the_seeded_list_draws_the_same_png_as_matplotlibs_own(
    seeded: tuple[Path, bytes, dict[str, object]], built: dict[str, object]
) -> None:
    assert seeded[2]["png"] == built["png"]


def _fake_matplotlib(tmp_path: Path, source: str, font: bool) -> Path:
    package = tmp_path / "matplotlib"
    (package / "mpl-data" / "fonts" / "ttf").mkdir(parents=True)
    (package / "font_manager.py").write_text(source, encoding="utf-8")
    if font:
        (package / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf").write_bytes(b"")
    return package


def _found_at(monkeypatch: pytest.MonkeyPatch, package: Path | None) -> None:
    spec = None if package is None else types.SimpleNamespace(
        submodule_search_locations=[str(package)]
    )  # fmt: skip
    monkeypatch.setattr(fonts.importlib.util, "find_spec", lambda name: spec)


@pytest.mark.parametrize(
    ("source", "font", "expected"),
    [
        ("class FontManager:\n    __version__ = 390\n", True, 390),  # older releases: an int
        ("class FontManager:\n    __version__ = '9.1.0'\n", True, "9.1.0"),
        ("class FontManager:\n    __version__ = '9.1.0'\n", False, None),  # no fonts shipped
        ("class FontManager:\n    __version__ = make()\n", True, None),  # not a literal
        ("class Other:\n    __version__ = '9.1.0'\n", True, None),
        ("class FontManager(:\n", True, None),  # not Python
    ],
)
def test_the_seed_is_named_by_the_source_or_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, font: bool,
    expected: str | int | None,
) -> None:  # fmt: skip
    _found_at(monkeypatch, _fake_matplotlib(tmp_path, source, font))
    folder = tmp_path / "config"
    folder.mkdir()
    assert seed_font_list(folder) is (expected is not None)
    written = sorted(folder.iterdir())
    if expected is None:
        assert written == []
    else:
        assert [p.name for p in written] == [f"fontlist-v{expected}.json"]
        assert json.loads(written[0].read_text(encoding="utf-8"))["_version"] == expected


def test_no_seed_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _found_at(monkeypatch, None)
    assert not seed_font_list(tmp_path)
    assert list(tmp_path.iterdir()) == []
