"""Test-wide settings: hypothesis runs derandomized (the same examples every run) in CI.

`HYPOTHESIS_PROFILE=ci` (set by .ci/run and the landing script) makes property tests reproducible, so a
red CI run is a real regression and not a newly drawn example; locally the default profile keeps
exploring new examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
