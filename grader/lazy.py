"""Packages that import their exported names on first use.

A package lists each exported name and the submodule that defines it in `_HOMES`, imports them
under `TYPE_CHECKING` for type checkers, and calls `export_lazily(__name__)`: a name is then
imported from its submodule when first asked for, so a command that needs one submodule does not
load the others (`grade check` never loads the judge or the gradebook writer).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any


class _LazyPackage(ModuleType):
    """A package module whose exported names (its `_HOMES`) come from their submodules."""

    def __getattr__(self, name: str) -> Any:
        # Called only when `name` is not yet in the module: an exported name, or an error
        # (which also lets `from package import submodule` import the submodule).
        home = _homes(self).get(name)
        if home is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{self.__name__}.{home}"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing a submodule binds its name in the package: where that is also an exported
        # name (`grader.engine.judge`, the function `judge`), the name stays the exported object.
        if name in _homes(self) and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


def _homes(module: ModuleType) -> Mapping[str, str]:
    homes: Mapping[str, str] = module.__dict__.get("_HOMES", {})
    return homes


def export_lazily(package: str) -> None:
    """Make the package `package` (already in sys.modules, its `_HOMES` set) import its
    exported names on first use."""
    sys.modules[package].__class__ = _LazyPackage
