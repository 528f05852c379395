"""Fixtures for document tests: one font cache per machine, so fonts are derived once, not per run."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def font_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest's own cache folder (.pytest_cache, git-ignored) outlives the run: deriving the CJK faces
    takes about a minute the first time and nothing after. Falls back to a temporary folder."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("helix-font-cache"))
    return tmp_path_factory.mktemp("helix-font-cache")
