"""Requests for the release documents, built from the worked examples of the 2026 festival in Qingdao."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.parties import PersonRef
from domain.releases.country_rules import RULES
from domain.releases.festival import Film
from domain.releases.process import RecommendationLetterRequest
from domain.releases.rights import RightsLedger
from tests.domain.releases.examples import AWARDS, EDITION, FILMS, LICENCES, STEPPE_WIND

ISSUED = datetime(2026, 6, 19, 9, 0, tzinfo=UTC)
CATALOG_DAY = date(2027, 3, 1)  # lic-kz-001, lic-ca-001 and lic-kr-001 (with its holdback) all run
TERRITORIES = ["CN", "RU", "KZ", "KG", "TJ", "UZ", "IN", "PK", "IR", "BY", "KR"]

LIAISONS = {
    "KR": PersonRef(id="kim-minji", name="Kim Minji", email="minji.kim@kofic.example", title="International Relations"),
    "RU": PersonRef(id="olga-ivanova", name="Olga Ivanova", email="o.ivanova@culture.example", title="Film Department"),
    "IR": PersonRef(id="reza-ahmadi", name="Reza Ahmadi", email="r.ahmadi@farhang.example"),
}


def liaison(country: str) -> PersonRef:
    return LIAISONS.get(country) or PersonRef(
        id=f"liaison-{country.lower()}", name=f"Liaison {country}", email=f"{country.lower()}@example.org"
    )


def letter_request(film: Film = STEPPE_WIND, country: str = "KR", **changes: Any) -> RecommendationLetterRequest:
    data: dict[str, Any] = {
        "edition": EDITION,
        "film": film,
        "awards": [a for a in AWARDS if a.film_id == film.id],
        "country": country,
        "rules": RULES[country],
        "liaison": liaison(country),
        "issued_at": ISSUED,
    }
    return RecommendationLetterRequest.model_validate({**data, **changes})


def catalog_films() -> list[Film]:
    return [f for f in FILMS if f.edition_id == EDITION.id]


def catalog_ledgers() -> dict[str, RightsLedger]:
    return {"paper-cranes": RightsLedger(film_id="paper-cranes", grants=LICENCES)}
