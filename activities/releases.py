"""Award-to-release activities: reservations in a film's rights ledger, recommendation letters.

The release workflows decide; these activities do the I/O their decisions need, each safe to retry:

- `rights_operation` sends the reservation (or the freeing of a deal) to the film's `FilmRights`
  workflow as an update whose id is the request's key, so a retried activity delivers it once. A
  refusal by the ledger (a licence overlapping an exclusive deal, a holdback in the way) is an
  answer, not a failure: it comes back as `RightsReply(applied=False, message=…)` with the
  ledger's sentence naming the deal in the way, and the country's release workflow tells the
  liaison. Only transport errors (and any failure that is not the ledger's refusal) raise, and
  the activity retries.
- `render_recommendation` is cached by `render_key` like every document activity
  (`activities.documents`), so a retry never renders or stores the letter twice.

Rendering runs in a thread while heartbeating (`heartbeating`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.documents import DocumentActivities, heartbeating, render_key, rendered
from activities.entity import apply_to_entity
from documents import releases as release_documents
from domain.readmodel import ItemDocument
from domain.releases.activity_names import RENDER_RECOMMENDATION, RIGHTS_OPERATION
from domain.releases.process import RecommendationLetterRequest, RightsReply, RightsRequest
from store.blobs import BlobStore

RECOMMENDATION_KIND = "recommendation_letter"


def rights_workflow_id(film_id: str) -> str:
    """The id of a film's `FilmRights` workflow (one per film); the same as `workflows.film_rights`'."""
    return f"rights-{film_id}"


class ReleaseActivities(DocumentActivities):
    """Bound to the read model, the blob store, a Temporal client (for the rights ledger) and the font cache."""

    def __init__(self, engine: Engine, blobs: BlobStore, client: Client | None = None, font_cache: Path | None = None) -> None:
        super().__init__(blobs, None, font_cache)
        self.engine = engine
        self.client = client

    # ------------------------------------------------------------ rights

    @activity.defn(name=RIGHTS_OPERATION)
    async def rights_operation(self, req: RightsRequest) -> RightsReply:
        return await apply_to_entity(self.client, rights_workflow_id(req.film_id), req, req.request_key, RightsReply,
                                     lambda message: RightsReply(applied=False, message=message))  # fmt: skip

    # ------------------------------------------------------------ recommendation letter

    def _recommendation_sync(self, req: RecommendationLetterRequest) -> ItemDocument:
        key = render_key(RECOMMENDATION_KIND, req.model_dump(mode="json"))
        hit = self._cached(key)
        if hit is None:
            try:
                pdf, pages = rendered(release_documents.render_recommendation_letter, req, font_cache_dir=self.font_cache)
            except release_documents.WrongCountryRules as e:  # the rules of another country: retrying cannot fix the request
                raise ApplicationError(str(e), type="BadRecommendation", non_retryable=True) from None
            hit = (self._store(key, pdf, pages), pages)
        sha, pages = hit
        label = f"Recommendation letter — {req.film.english_title} ({req.country})"
        return ItemDocument(sha256=sha, kind=RECOMMENDATION_KIND, label=label[:300], pages=pages,
                            size=self.blobs.path(sha).stat().st_size, created_at=req.issued_at)  # fmt: skip

    @activity.defn(name=RENDER_RECOMMENDATION)
    async def render_recommendation(self, req: RecommendationLetterRequest) -> ItemDocument:
        return await heartbeating(self._recommendation_sync, req)


__all__ = ["RECOMMENDATION_KIND", "ReleaseActivities", "rights_workflow_id"]
