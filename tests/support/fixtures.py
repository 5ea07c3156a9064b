"""The pytest fixture and check every suite shares. A suite's conftest.py
imports the fixture by name, which is how pytest finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.binary import find_testgap


def require_testgap() -> Path:
    """The binary under test, or the test fails (never skips) saying how to
    build it."""
    try:
        return find_testgap()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _testgap_is_built() -> None:
    """Every test of a suite fails at once, with one clear sentence, when the
    binary is missing."""
    require_testgap()
