"""The award-to-release part of the seeded read model: the 2026 festival, three awarded films fanned
out to the member countries, and one film's rights ledger.

Built from the domain's worked examples (`tests/domain/releases/examples.py`) with real
`FestivalState` and `ReleaseState` objects, projected the way the workflows do. The liaisons are
the demo directory's; steps of kind "release" await them.

- The Steppe Wind (KZ, Best Film): released in RU (Moskino Distribution) and KR (Jinjin Pictures) —
  one film released abroad, counted once; scheduled in UZ; at the import quota in CN; every other
  country still to acknowledge.
- Paper Cranes over the Volga (CN–RU, Best Director): to acknowledge in KZ (overdue, Aigerim
  Nurlanova), a licence to agree in UZ (Dilshod Yusupov), declined in KR, to acknowledge elsewhere.
- Tunduk (KG, Best Short Film): at classification in KZ (Aigerim Nurlanova), refused in KR, to
  acknowledge elsewhere.

Kim Min-ji (KR) has nothing open here: the agreement tests count her inbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from domain.agreements import Event, PartySpec, Phase
from domain.human_steps import OpenStep, StepKind
from domain.parties import Organisation, OrganisationKind, Person, PersonRef, Role, RoleGrant
from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
from domain.releases.country_rules import RULES, Step
from domain.releases.festival import Film, member_countries_for
from domain.releases.process import (
    Classification,
    ClassificationOutcome,
    FestivalState,
    Licence,
    ReleasePeople,
    ReleaseStage,
    ReleaseState,
    Subsidy,
    SubsidyOutcome,
)
from domain.releases.rights import Media, RightsGrant, RightsLedger
from store import accounts, directory
from store.blobs import BlobStore
from store.projections import project_item
from tests.domain.releases.examples import AWARD_DAY, EDITION, FILMS, award

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "helix-demo"
FESTIVAL_ITEM = "festival-sco-2026"
STEPPE, CRANES, TUNDUK = "steppe-wind", "paper-cranes", "tunduk"
AWARDS = (
    award("sco-2026-steppe-wind-best-film", STEPPE, "best_film", jury_note="For a landscape that listens."),
    award("sco-2026-paper-cranes-best-director", CRANES, "best_director"),
    award("sco-2026-tunduk-best-short", TUNDUK, "best_short"),
)
LIAISON_IDS = {
    "KR": "kim-minji", "CN": "wang-lei", "RU": "ivanova-anna", "KZ": "aigerim-nurlanova", "KG": "bakyt-osmonov",
    "TJ": "rustam-karimov", "UZ": "dilshod-yusupov", "IN": "arjun-mehta", "PK": "sana-qureshi", "IR": "reza-ahmadi",
    "BY": "olga-kovalenko",
}  # fmt: skip
STEP_LABELS = {
    ReleaseStage.ACKNOWLEDGE: "Acknowledge the release recommendation",
    ReleaseStage.CLASSIFICATION: "Record the classification decision",
    ReleaseStage.QUOTA: "Record the import-quota exception",
    ReleaseStage.SUBSIDY: "Record the dubbing or subtitling subsidy (or skip it)",
    ReleaseStage.LICENCE: "Agree a licence with a distributor",
    ReleaseStage.SCHEDULING: "Schedule the release",
    ReleaseStage.RELEASING: "Confirm the release",
}
STEP_OF = {ReleaseStage.ACKNOWLEDGE: Step.ACKNOWLEDGE, ReleaseStage.CLASSIFICATION: Step.CLASSIFICATION,
           ReleaseStage.QUOTA: Step.QUOTA, ReleaseStage.SUBSIDY: Step.SUBSIDY, ReleaseStage.LICENCE: Step.LICENCE,
           ReleaseStage.SCHEDULING: Step.SCHEDULING, ReleaseStage.RELEASING: Step.RELEASE}  # fmt: skip

ORGANISATIONS = [
    ("volga-pictures", "Volga Pictures", "RU", OrganisationKind.PRODUCER),
    ("moskino-dist", "Moskino Distribution", "RU", OrganisationKind.DISTRIBUTOR),
    ("jinjin-pictures", "Jinjin Pictures", "KR", OrganisationKind.DISTRIBUTOR),
    ("arman-cinemas", "Arman Cinemas", "KZ", OrganisationKind.DISTRIBUTOR),
    ("steppe-screens", "Steppe Screens", "KZ", OrganisationKind.DISTRIBUTOR),
    ("kino-uz", "Kino UZ", "UZ", OrganisationKind.DISTRIBUTOR),
]
# (id, name, organisation, roles, username): test accounts are prefixed `t.`.
PEOPLE: list[tuple[str, str, str | None, list[RoleGrant], str | None]] = [
    ("fest-wu", "Wu Fang", "sco-festival", [], "t.festival.wu"),
    ("moskino-head", "Pavel Orlov", "moskino-dist", [RoleGrant(role=Role.SIGNATORY, organisation_id="moskino-dist")],
     "t.dist.moskino"),
    ("aigerim-nurlanova", "", None, [], "t.liaison.kz"),  # the demo's KZ liaison: an account only
    ("dilshod-yusupov", "", None, [], "t.liaison.uz"),  # the demo's UZ liaison: an account only
    ("liu-yang", "", None, [], "t.admin"),  # the demo's administrator: an account only
]  # fmt: skip


def release_item(film_id: str, country: str) -> str:
    return f"release-{film_id}-{country.lower()}"


def _ref(engine: Engine, pid: str) -> PersonRef:
    p = directory.get_person(engine, pid)
    assert p is not None, pid
    return PersonRef.of(p)


def _people(engine: Engine) -> ReleasePeople:
    for oid, name, country, kind in ORGANISATIONS:
        if directory.get_organisation(engine, oid) is None:
            directory.upsert_organisation(engine, Organisation(id=oid, names={"en": name}, kind=kind, country=country))
    for pid, name, org, roles, username in PEOPLE:
        if name:
            directory.upsert_person(engine, Person(id=pid, name=name, email=f"{pid}@demo.helix.example", organisation_id=org,
                                                   roles=tuple(roles)))  # fmt: skip
        if username:
            accounts.create_account(engine, username, pid, PASSWORD)
    return ReleasePeople(
        festival_admins=(_ref(engine, "liu-yang"), _ref(engine, "fest-wu")),
        liaisons={c: _ref(engine, pid) for c, pid in LIAISON_IDS.items()},
        board=(_ref(engine, "board-ahmed"),),
    )


def licensor(film: Film) -> PartySpec:
    h = film.rights_holder
    rep = PersonRef(id=f"{h.organisation_id}-head"[:64], name=f"{h.name} (rights)", email=f"rights@{h.organisation_id}.example",
                    organisation_id=h.organisation_id)  # fmt: skip
    return PartySpec(
        organisation_id=h.organisation_id, names={"en": h.name}, country=h.country, approvers=[rep], signatories=[rep]
    )


def _event(seq: int, at: datetime, kind: str, actor: PersonRef | None, detail: str) -> Event:
    return Event(seq=seq, at=at, kind=kind, actor_id=actor.id if actor else None, actor_name=actor.name if actor else None,
                 detail=detail)  # fmt: skip


def _grant(deal: str, film_id: str, org: str, name: str, country: str, starts: date, fee: str, currency: str) -> RightsGrant:
    return RightsGrant(deal_id=deal, film_id=film_id, licensee_id=org, licensee_name=name, territories=(country,),
                       media=(Media.THEATRICAL,), starts_on=starts, ends_on=starts.replace(year=starts.year + 2),
                       exclusive=True, fee=Decimal(fee), currency=currency)  # fmt: skip


def _state(people: ReleasePeople, film: Film, country: str, created: datetime) -> ReleaseState:
    awards = [a for a in AWARDS if a.film_id == film.id]
    return ReleaseState(film=film, awards=awards, edition=EDITION, country=country, rules=RULES[country],
                        liaison=people.liaisons[country], people=people, licensor=licensor(film), created_at=created)  # fmt: skip


def _through_classification(s: ReleaseState, on: date, rating: str | None) -> None:
    s.acknowledged_on = on
    s.classification = Classification(outcome=ClassificationOutcome.APPROVED, rating=rating, by=s.liaison.id, on=on)


def _released(s: ReleaseState, grant: RightsGrant, released_on: date, platform: str) -> None:
    start = grant.starts_on
    _through_classification(s, start - timedelta(days=40), s.rules.scale[-1])
    s.subsidy = Subsidy(outcome=SubsidyOutcome.SKIPPED, by=s.liaison.id, on=start - timedelta(days=35))
    s.licence = Licence(grant=grant, agreement_workflow_id=f"agreement-licence-{grant.deal_id}", agreement_phase=Phase.ACTIVE,
                        signed_on=start - timedelta(days=20))  # fmt: skip
    s.release_on, s.released_on, s.platform = released_on, released_on, platform
    s.stage, s.closed_at = ReleaseStage.RELEASED, datetime(released_on.year, released_on.month, released_on.day, 18, tzinfo=UTC)


def project_release(engine: Engine, blobs: BlobStore, s: ReleaseState, opened: datetime | None = None) -> None:
    """Project one country release with its recommendation letter, timeline and (if open) its step."""
    wid = release_item(s.film.id, s.country)
    created = s.created_at or NOW
    letter = ItemDocument(sha256=blobs.put(f"%PDF-1.7 fake recommendation letter {wid}".encode()), kind="recommendation_letter",
                          label=f"Recommendation letter — {s.country}", pages=2, created_at=created)  # fmt: skip
    events = [_event(1, created, "recommended", None, f"“{s.film.english_title}” is recommended for release in {s.country}")]
    if s.acknowledged_on:
        events.append(_event(2, created + timedelta(days=1), "acknowledged", s.liaison, "Recommendation acknowledged"))
    if s.stage is ReleaseStage.DECLINED:
        events.append(_event(len(events) + 1, s.closed_at or NOW, "declined", s.liaison, s.decline_reason or ""))
    if s.released_on:
        events.append(_event(len(events) + 1, s.closed_at or NOW, "released", s.liaison, f"Released on {s.released_on}"))
    s.documents = [letter]
    s.projected_seq = s.event_count = len(events)
    if s.stage in STEP_LABELS and not (s.stage is ReleaseStage.LICENCE and s.licence is not None):
        at = opened or created
        s.steps = [OpenStep(step_id=s.stage.value, kind=StepKind.RELEASE, label=STEP_LABELS[s.stage], country=s.country,
                            awaited=[s.liaison], opened_at=at, due_at=at + timedelta(days=s.rules.due_days[STEP_OF[s.stage]]))]  # fmt: skip
    parties = [ItemParty(organisation_id=s.licensor.organisation_id, country=s.licensor.country, role="rights_holder",
                         name=s.licensor.names["en"]),
               ItemParty(organisation_id=s.liaison.organisation_id or "sco-festival", country=s.country, role="release_country",
                         name=s.country)]  # fmt: skip
    if s.licence is not None:
        parties.append(ItemParty(organisation_id=s.licence.grant.licensee_id, country=s.country, role="licensee",
                                 name=s.licence.grant.licensee_name))  # fmt: skip
    item = ItemSnapshot(
        item_id=wid, item_type="country_release", kind=s.country, title=f"{s.film.english_title} in {s.country}",
        phase=s.stage.value, parties=parties, summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}),
        projected_seq=s.projected_seq, created_at=created, closed_at=s.closed_at,
    )  # fmt: skip
    project_item(engine, item, s.steps, events, [letter])


def seed_releases(engine: Engine, blobs: BlobStore) -> None:
    people = _people(engine)
    films = {f.id: f for f in FILMS}
    recommended: dict[str, list[str]] = {}
    created = datetime(AWARD_DAY.year, AWARD_DAY.month, AWARD_DAY.day, 12, tzinfo=UTC)
    released_ru, released_kr = (NOW - timedelta(days=60)).date(), (NOW - timedelta(days=30)).date()
    ru_grant = _grant("lic-ru-steppe-wind", STEPPE, "moskino-dist", "Moskino Distribution", "RU", released_ru - timedelta(days=5),
                      "30000", "USD")  # fmt: skip
    kr_grant = _grant("lic-kr-steppe-wind", STEPPE, "jinjin-pictures", "Jinjin Pictures", "KR", released_kr - timedelta(days=5),
                      "40000000", "KRW")  # fmt: skip
    uz_grant = _grant("lic-uz-steppe-wind", STEPPE, "kino-uz", "Kino UZ", "UZ", NOW.date(), "5000", "USD")
    for film_id in (STEPPE, CRANES, TUNDUK):
        film = films[film_id]
        countries = member_countries_for(film)
        recommended[film_id] = [release_item(film_id, c) for c in countries]
        for country in countries:
            s = _state(people, film, country, created)
            opened: datetime | None = None
            if film_id == STEPPE and country == "RU":
                _released(s, ru_grant, released_ru, "Karo Premiere cinemas")
            elif film_id == STEPPE and country == "KR":
                _released(s, kr_grant, released_kr, "CGV cinemas")
            elif film_id == STEPPE and country == "UZ":
                _released(s, uz_grant, NOW.date(), "")
                s.stage, s.closed_at, s.released_on = ReleaseStage.RELEASING, None, None
                s.release_on, s.platform = (NOW + timedelta(days=10)).date(), "Kino UZ cinemas"
                opened = NOW - timedelta(days=3)
            elif film_id == STEPPE and country == "CN":
                _through_classification(s, (NOW - timedelta(days=12)).date(), None)
                s.stage, opened = ReleaseStage.QUOTA, NOW - timedelta(days=10)
            elif film_id == CRANES and country == "KZ":
                opened = NOW - timedelta(days=6)  # five days allowed: overdue
            elif film_id == CRANES and country == "UZ":
                _through_classification(s, (NOW - timedelta(days=20)).date(), "12+")
                s.subsidy = Subsidy(outcome=SubsidyOutcome.SKIPPED, by=s.liaison.id, on=(NOW - timedelta(days=15)).date())
                s.stage, s.revision, opened = ReleaseStage.LICENCE, 4, NOW - timedelta(days=15)
            elif film_id == CRANES and country == "KR":
                s.decline_reason, s.stage, s.closed_at = (
                    "No distributor takes it this year.",
                    ReleaseStage.DECLINED,
                    NOW - timedelta(days=40),
                )
            elif film_id == TUNDUK and country == "KZ":
                s.acknowledged_on, s.stage, s.revision = (NOW - timedelta(days=2)).date(), ReleaseStage.CLASSIFICATION, 1
                opened = NOW - timedelta(days=2)
            elif film_id == TUNDUK and country == "KR":
                s.acknowledged_on = created.date()
                s.classification = Classification(outcome=ClassificationOutcome.REFUSED, reason="Runtime too short for release.",
                                                   by=s.liaison.id, on=created.date() + timedelta(days=10))  # fmt: skip
                s.stage, s.closed_at = ReleaseStage.REFUSED, created + timedelta(days=10)
            project_release(engine, blobs, s, opened)
    festival = FestivalState(edition=EDITION, films=list(FILMS), licensors={f.id: licensor(f) for f in FILMS}, people=people,
                             rules=dict(RULES), awards=list(AWARDS), recommended=recommended, revision=3)  # fmt: skip
    events = [_event(1, created - timedelta(days=7), "opened", None, f"sco-2026: {len(FILMS)} films")]
    events += [_event(i + 2, created, "award", people.festival_admins[0], a.category_id) for i, a in enumerate(AWARDS)]
    festival.projected_seq = festival.event_count = len(events)
    project_item(engine, ItemSnapshot(
        item_id=FESTIVAL_ITEM, item_type="festival", kind="2026", title="SCO Film Festival 2026, Qingdao", phase="open",
        summary={"films": len(FILMS), "awards": len(AWARDS), "recommended": len(recommended)},
        detail=festival.model_dump(mode="json", exclude={"events"}), projected_seq=festival.projected_seq, created_at=events[0].at,
    ), [], events)  # fmt: skip
    ledger = RightsLedger(film_id=STEPPE, grants=(ru_grant, kr_grant, uz_grant))
    project_item(engine, ItemSnapshot(
        item_id=f"rights-{STEPPE}", item_type="film_rights", kind=STEPPE, title=films[STEPPE].english_title, phase="open",
        summary={"deals": 3}, detail={"film": films[STEPPE].model_dump(mode="json"), "ledger": ledger.model_dump(mode="json")},
        projected_seq=1,
    ), [], [_event(1, created, "reserved", None, "three deals")])  # fmt: skip
