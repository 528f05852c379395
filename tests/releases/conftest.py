"""Fixtures for the award-to-release documents and activities: one font cache per machine, as for the other documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.blobs import BlobStore


@pytest.fixture(scope="session")
def font_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same folder as tests/documents' cache (.pytest_cache, git-ignored): fonts are derived once."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("helix-font-cache"))
    return tmp_path_factory.mktemp("helix-font-cache")


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")
