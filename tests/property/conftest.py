"""Fixtures for the property tests: the font cache the document tests use, kept between runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def font_cache(request: pytest.FixtureRequest) -> Path:
    """pytest's cache folder when there is one (shared with tests/documents), else a folder in the
    system's temporary directory that later runs find again: deriving the CJK faces takes about a
    minute the first time and nothing after (files are named by content, written atomically)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("helix-font-cache"))
    folder = Path(tempfile.gettempdir()) / "helix-font-cache"
    folder.mkdir(exist_ok=True)
    return folder
