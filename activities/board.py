"""The board digest activity: read the network's figures at the digest's moment, render, record.

Idempotent on the digest's week, in three layers:

- a digest already recorded for the week (`digest_id`) is returned as it is, without reading or
  rendering anything: a retry, a second run in the same week (the "produce it now" button after
  Monday's run) or a replay of the workflow all get the same PDF;
- the figures are read for `as_of`, which the workflow fixed, and the render is cached under the
  week and that moment (`render_key`), so an attempt that died after storing the PDF but before
  recording it finds the same PDF and records it;
- the record is written in one transaction that first upserts the digests' item (on PostgreSQL
  that takes the item's row lock; SQLite writers queue anyway) and checks again under it, so two
  attempts that overlap still leave one document row per week.

Reading and rendering run in a thread while heartbeating (`heartbeating`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, select
from temporalio import activity

from activities.documents import DocumentActivities, heartbeating, render_key, rendered
from documents.board import render_board_digest
from domain.board import REFRESH_BOARD_SNAPSHOTS, Lifecycle, RefreshReport, Scope
from domain.board_digest import (
    DIGEST_ITEM_ID,
    DIGEST_ITEM_TITLE,
    DIGEST_ITEM_TYPE,
    DIGEST_KIND,
    LONGEST_WAITING,
    RENDER_BOARD_DIGEST,
    SLOWEST_STEPS,
    DigestContent,
    DigestRequest,
    DigestResult,
    digest_seq,
    digest_title,
)
from domain.readmodel import ItemDocument, ItemSnapshot
from store import audit, board, board_snapshot
from store.blobs import BlobStore
from store.db import reading, transaction
from store.models import DocumentRow
from store.projections import project_item_in

DOCUMENT = DocumentRow.__table__
WHOLE_NETWORK = Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)


def digest_content(engine: Engine, req: DigestRequest) -> DigestContent:
    """The digest's figures, read from the board's read model as they stood at `req.as_of`."""
    return DigestContent(
        digest_id=req.digest_id,
        as_of=req.as_of,
        overview=board.overview(engine, WHOLE_NETWORK, req.as_of),
        open_steps=board.open_steps(engine, WHOLE_NETWORK, req.as_of, limit=LONGEST_WAITING),
        medians=board.step_medians(engine, WHOLE_NETWORK, req.as_of, by="country")[:SLOWEST_STEPS],
        **dict(zip(("audit_head_seq", "audit_head_hash"), audit.head(engine), strict=True)),
    )


def _recorded(conn: Connection, digest_id: str) -> DigestResult | None:
    """The digest already recorded for the week, if any (the week is the document's `version`)."""
    row = conn.execute(
        select(DOCUMENT.c.sha256, DOCUMENT.c.pages, DOCUMENT.c.label, DOCUMENT.c.created_at)
        .where(DOCUMENT.c.item_id == DIGEST_ITEM_ID, DOCUMENT.c.kind == DIGEST_KIND, DOCUMENT.c.version == digest_seq(digest_id))
        .order_by(DOCUMENT.c.created_at, DOCUMENT.c.sha256)
        .limit(1)
    ).first()
    if row is None:
        return None
    return DigestResult(digest_id=digest_id, sha256=row.sha256, pages=row.pages, label=row.label, as_of=row.created_at)


def digests_item(req: DigestRequest, sha256: str) -> ItemSnapshot:
    """The one read-model item the digests are documents of. Its `projected_seq` is the week
    (`digest_seq`), so the item follows the newest digest and an older week's late run never rolls it back."""
    return ItemSnapshot(
        item_id=DIGEST_ITEM_ID, item_type=DIGEST_ITEM_TYPE, title=DIGEST_ITEM_TITLE, phase="open",
        summary={"latest_digest": req.digest_id, "latest_sha256": sha256, "latest_as_of": req.as_of.isoformat()},
        projected_seq=digest_seq(req.digest_id), created_at=req.as_of, updated_at=req.as_of,
    )  # fmt: skip


class BoardActivities(DocumentActivities):
    """Bound to the read model, the blob store and the font cache."""

    def __init__(self, engine: Engine, blobs: BlobStore, font_cache: Path | None = None) -> None:
        super().__init__(blobs, None, font_cache)
        self.engine = engine

    def _digest_sync(self, req: DigestRequest) -> DigestResult:
        with reading(self.engine) as conn:
            done = _recorded(conn, req.digest_id)
        if done is not None:
            return done
        key = render_key(DIGEST_KIND, req.digest_id, req.as_of.isoformat())
        hit = self._cached(key)
        if hit is None:
            pdf, pages = rendered(render_board_digest, digest_content(self.engine, req), font_cache_dir=self.font_cache)
            hit = (self._store(key, pdf, pages), pages)
        sha, pages = hit
        label = digest_title(req.digest_id)
        doc = ItemDocument(sha256=sha, kind=DIGEST_KIND, label=label, version=digest_seq(req.digest_id), pages=pages,
                           size=self.blobs.path(sha).stat().st_size, created_at=req.as_of)  # fmt: skip
        item = digests_item(req, sha)
        with transaction(self.engine) as conn:
            project_item_in(conn, item, (), (), ())  # the item row first: its lock orders overlapping attempts
            done = _recorded(conn, req.digest_id)
            if done is not None:
                return done
            project_item_in(conn, item, (), (), (doc,))
        return DigestResult(digest_id=req.digest_id, sha256=sha, pages=pages, label=label, as_of=req.as_of)

    @activity.defn(name=RENDER_BOARD_DIGEST)
    async def render_board_digest(self, req: DigestRequest) -> DigestResult:
        return await heartbeating(self._digest_sync, req)

    @activity.defn(name=REFRESH_BOARD_SNAPSHOTS)
    async def refresh_board_snapshots(self) -> RefreshReport:
        """Recompute the board views people keep open (store/board_snapshot.py). Idempotent: it
        only ever replaces a kept view with a newer reading of the read model."""
        return await heartbeating(board_snapshot.refresh, self.engine)


__all__ = ["WHOLE_NETWORK", "BoardActivities", "digest_content", "digests_item"]
