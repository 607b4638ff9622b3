"""The same inputs give the same bytes, whoever runs grade, from wherever, however they spell it.

One batch (sample sheets, a notebook, a sheet whose file name is not ASCII, a roster with a
student who handed nothing in) is graded by `grade` subprocesses that differ in working
directory, path spelling (absolute, relative, `./x//`, through a link), locale (C.UTF-8,
de_DE.ISO-8859-1 compiled at test time, the C locale without UTF-8 mode), time zone and hash
seed; every file of every gradebook must be byte-identical to the first.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_build import REPO, RUN_TIMEOUT, grade_command, grade_env, make_run_dirs, read_tree

SHEETS = ("pen_paper_curie.yaml", "pen_paper_euler.yaml", "pen_paper_hamilton.ipynb")
ROSTER = "student_id,name\ns1000001,Ada Lovelace\nzz-absent,Nobody Here\n"


@dataclass(frozen=True)
class Setting:
    """How one run differs: where it runs, how it names the folders, its environment."""

    name: str
    cwd: str  # "repo", "root" (the test's folder) or "tmp" (its parent)
    folder: str  # the submissions folder as typed, relative to cwd unless absolute
    roster: str
    env: tuple[tuple[str, str], ...] = ()


def _settings(root: Path) -> list[Setting]:
    return [
        Setting("absolute", "repo", str(root / "subs"), str(root / "roster.csv")),
        Setting("relative", "root", "subs", "roster.csv"),
        Setting("spelt oddly", "root", "./subs//", "./roster.csv"),
        Setting("through a link", "tmp", f"{root.name}/link/", f"{root.name}/roster.csv"),
        Setting("latin-1 locale, far east", "root", "subs", "roster.csv",
                (("LC_ALL", "de_DE.ISO-8859-1"), ("TZ", "Pacific/Kiritimati"),
                 ("PYTHONHASHSEED", "12345"))),
        Setting("C locale, no UTF-8 mode, far west", "root", "subs", "roster.csv",
                (("LC_ALL", "C"), ("PYTHONCOERCECLOCALE", "0"), ("PYTHONUTF8", "0"),
                 ("TZ", "America/St_Johns"), ("PYTHONHASHSEED", "0"))),
        Setting("utf-8 locale, another seed", "root", "subs", "roster.csv",
                (("LC_ALL", "C.UTF-8"), ("TZ", "UTC"), ("PYTHONHASHSEED", "987654321"))),
    ]  # fmt: skip


def _latin1_locale(folder: Path) -> Path | None:
    """de_DE.ISO-8859-1 compiled into `folder` (for LOCPATH), or None where it cannot be."""
    if shutil.which("localedef") is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["localedef", "-i", "de_DE", "-f", "ISO-8859-1", str(folder / "de_DE.ISO-8859-1")],
        capture_output=True,
        check=False,
    )
    return (
        folder if (folder / "de_DE.ISO-8859-1").exists() and result.returncode in (0, 1) else None
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("determinism")
    subs = root / "subs"
    subs.mkdir()
    for name in SHEETS:
        shutil.copyfile(REPO / "submissions" / name, subs / name)
    text = (REPO / "submissions" / "pen_paper_gauss.yaml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(("id:", "name:"))]
    (subs / "pen_paper_müller.yaml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (root / "link").symlink_to(subs, target_is_directory=True)
    _, home = make_run_dirs(root / "run")
    locales = _latin1_locale(root / "locales")
    places = {"repo": REPO, "root": root, "tmp": root.parent}
    outputs = {}
    for index, setting in enumerate(_settings(root)):
        env = grade_env(home) | dict(setting.env)
        if env.get("LC_ALL") == "de_DE.ISO-8859-1":
            if locales is None:
                continue  # reported by the test below
            env["LOCPATH"] = str(locales)
        out = root / f"out{index}" / "gradebook"
        command = grade_command(Path(setting.folder), out, "--quiet", "--jobs", "1",
                                "--roster", setting.roster)  # fmt: skip
        result = subprocess.run(
            command, cwd=places[setting.cwd], env=env, capture_output=True,
            timeout=RUN_TIMEOUT, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (setting.name, result.stderr.decode(errors="replace"))
        outputs[setting.name] = read_tree(out)
    return outputs


def test_the_latin1_locale_was_exercised(runs: dict[str, dict[str, bytes]]) -> None:
    if "latin-1 locale, far east" not in runs:
        pytest.skip("localedef cannot compile de_DE.ISO-8859-1 here")


def test_every_setting_gives_byte_identical_gradebooks(runs: dict[str, dict[str, bytes]]) -> None:
    (first, reference), *others = runs.items()
    assert "feedback/pen_paper_m_ller.md" in reference  # the non-ASCII name, read as UTF-8
    for name, files in others:
        assert sorted(files) == sorted(reference), (first, name)
        differ = [path for path in reference if files[path] != reference[path]]
        assert differ == [], (first, name)


def test_paths_in_results_are_relative(runs: dict[str, dict[str, bytes]]) -> None:
    for files in runs.values():
        text = files["results.json"].decode("utf-8")
        assert '"rubric":"rubrics/practical-1.yaml"' in text
        assert "/tmp/" not in text and str(REPO) not in text
