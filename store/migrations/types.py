"""The column types migrations use, kept stable here so an old revision means what it meant."""

from __future__ import annotations

from store.models import JSONType as JSON_TYPE
from store.models import UTCDateTime

__all__ = ["JSON_TYPE", "UTCDateTime"]
