"""The release activities' documents: a recommendation letter is rendered and stored once, whatever the retries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

import documents.releases as release_documents
from activities.releases import ReleaseActivities, rights_workflow_id
from domain.releases.country_rules import RULES
from store.blobs import BlobStore
from tests.domain.releases.examples import PAPER_CRANES, STEPPE_WIND
from tests.grants.test_grant_documents import text_of
from tests.releases.builders import ISSUED, letter_request


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(film, country) of every recommendation letter rendered during the test."""
    seen: list[tuple[str, str]] = []
    real = release_documents.render_recommendation_letter

    def counting(req, **kw):  # type: ignore[no-untyped-def]
        seen.append((req.film.id, req.country))
        return real(req, **kw)

    monkeypatch.setattr(release_documents, "render_recommendation_letter", counting)
    return seen


async def test_a_letter_is_rendered_and_stored_once(blobs: BlobStore, font_cache: Path, renders: list[tuple[str, str]]) -> None:
    acts = ReleaseActivities(create_engine("sqlite://"), blobs, font_cache=font_cache)
    env = ActivityEnvironment()
    req = letter_request(STEPPE_WIND, "KR")
    doc = await env.run(acts.render_recommendation, req)
    assert (doc.kind, doc.label, doc.created_at) == (
        "recommendation_letter",
        "Recommendation letter — The Steppe Wind (KR)",
        ISSUED,
    )
    pdf = blobs.get(doc.sha256)
    assert doc.size == len(pdf) and doc.pages >= 1 and "신속 개봉 추천서" in text_of(pdf)
    stored = _files(blobs.root)
    pdfs = [p for p in stored if p.read_bytes().startswith(b"%PDF")]
    assert len(pdfs) == 1

    again = await env.run(acts.render_recommendation, req)  # Temporal retried after the answer was lost
    assert again == doc and renders == [("steppe-wind", "KR")] and _files(blobs.root) == stored

    # a worker restarted with a fresh instance finds the letter in the store, too
    fresh = ReleaseActivities(create_engine("sqlite://"), blobs, font_cache=font_cache)
    assert await env.run(fresh.render_recommendation, req) == doc and len(renders) == 1


async def test_each_country_gets_its_own_letter(blobs: BlobStore, font_cache: Path, renders: list[tuple[str, str]]) -> None:
    acts = ReleaseActivities(create_engine("sqlite://"), blobs, font_cache=font_cache)
    env = ActivityEnvironment()
    kz = await env.run(acts.render_recommendation, letter_request(PAPER_CRANES, "KZ"))
    uz = await env.run(acts.render_recommendation, letter_request(PAPER_CRANES, "UZ"))
    assert kz.sha256 != uz.sha256 and uz.label == "Recommendation letter — Paper Cranes over the Volga (UZ)"
    assert renders == [("paper-cranes", "KZ"), ("paper-cranes", "UZ")]


async def test_a_letter_with_another_country_s_rules_fails_for_good(blobs: BlobStore) -> None:
    acts = ReleaseActivities(create_engine("sqlite://"), blobs)
    with pytest.raises(ApplicationError, match="given the rules of RU") as e:
        await ActivityEnvironment().run(acts.render_recommendation, letter_request(STEPPE_WIND, "KR", rules=RULES["RU"]))
    assert e.value.non_retryable and e.value.type == "BadRecommendation"
    assert _files(blobs.root) == []


def test_the_rights_workflow_id_is_the_film_rights_workflow_s() -> None:
    from workflows.film_rights import rights_workflow_id as workflow_side

    assert rights_workflow_id("paper-cranes") == workflow_side("paper-cranes") == "rights-paper-cranes"
