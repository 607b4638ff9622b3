#!/usr/bin/env bash
# Gradescope runs this ONCE, as root, while it builds the autograder image (Ubuntu base image).
# Everything the grader needs is installed here, so run_autograder installs nothing per
# submission. The zip's root holds this file, run_autograder and the grader's source tree
# (grader/, reference_solutions/, rubrics/, pyproject.toml); Gradescope unzips it to
# /autograder/source.
set -euo pipefail

SOURCE=/autograder/source
VENV=/opt/grader-venv

apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip

# The grader needs Python >= 3.11: Ubuntu 24.04 images have 3.12; on 22.04 use 3.11 from universe.
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
    PYTHON=python3.11
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --no-cache-dir --upgrade pip
# Installs the grader and its pinned dependency ranges from pyproject.toml.
"$VENV/bin/pip" install --no-cache-dir "$SOURCE"
chmod +x "$SOURCE/run_autograder"
