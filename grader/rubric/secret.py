"""The course secret that keys every student's variant: an environment variable or a file.

The rubric says where to look (`variants.secret`: `env:` first, then `file:`); the secret itself
is never in the rubric, and a secret file inside the course folder (the repository that holds
the rubric) is refused, so that it cannot be committed and handed out with the rubric.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from grader.rubric.errors import RubricError
from grader.rubric.variants import SecretSpec

MIN_SECRET_BYTES = 16
MAX_SECRET_BYTES = 4096


def course_folder(rubric_path: Path) -> Path:
    """The folder holding `rubrics/` and `reference_solutions/` (the course repository)."""
    return rubric_path.resolve().parent.parent


def read_secret(
    spec: SecretSpec, rubric_path: Path, environ: Mapping[str, str] | None = None
) -> bytes:
    """The secret's bytes (surrounding whitespace removed); RubricError saying where it was
    looked for when there is none, or when it is too short to key anything."""
    env = os.environ if environ is None else environ
    where = f"{rubric_path}: variants.secret"
    if spec.env and env.get(spec.env, "").strip():
        return _checked(env[spec.env].strip().encode("utf-8"), f"${spec.env}", where)
    if spec.file:
        path = _secret_path(spec.file, rubric_path)
        if _inside(path, course_folder(rubric_path)):
            raise RubricError(
                [f"{where}.file: {path} is inside the course folder; keep the secret outside "
                 "the repository (e.g. ~/.config/grader/)"]  # fmt: skip
            )
        if path.is_file():
            try:
                raw = path.read_bytes()[: MAX_SECRET_BYTES + 1]
            except OSError as exc:
                raise RubricError([f"{where}.file: cannot read {path}: {exc}"]) from exc
            return _checked(raw.strip(), str(path), where)
    places = [f"${spec.env}" if spec.env else "", str(spec.file or "")]
    raise RubricError(
        [f"{where}: no course secret: set {' or create '.join(p for p in places if p)} "
         f"(at least {MIN_SECRET_BYTES} characters, kept outside the repository)"]  # fmt: skip
    )


def _secret_path(text: str, rubric_path: Path) -> Path:
    path = Path(text).expanduser()
    return (path if path.is_absolute() else rubric_path.resolve().parent / path).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _checked(secret: bytes, source: str, where: str) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise RubricError(
            [f"{where}: the secret in {source} is shorter than {MIN_SECRET_BYTES} characters"]
        )
    if len(secret) > MAX_SECRET_BYTES:
        raise RubricError([f"{where}: the secret in {source} is over {MAX_SECRET_BYTES} bytes"])
    return secret
