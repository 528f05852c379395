"""What the award-to-release pages share: loading festivals, country releases and film rights from
the read model, who may see them, stage labels and colours, links and the target's records.

A festival edition is an item of type "festival" (detail: `FestivalState`), each film in each
member country an item of type "country_release" (kind: the country; phase: the `ReleaseStage`;
detail: `ReleaseState`) and each film's rights ledger an item of type "film_rights". Pages read
the workflows' states back into the domain models, so they show what the workflows decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine, select

from dashboard import common
from domain import access
from domain.agreement_rules import Rejected
from domain.parties import Person
from domain.reference import COUNTRIES, NetworkStatus
from domain.releases.festival import Edition, Film, JuryAward
from domain.releases.process import STAGE_ORDER, FestivalState, ReleaseStage, ReleaseState
from domain.releases.rights import MEDIA_ORDER, Media, RightsLedger
from domain.releases.targets import ReleaseRecord
from store import queries
from store.db import reading
from store.models import ItemDetail, ItemPartyRow, ItemPublic, ItemRow

VIEWS = common.DETAIL_PAGE.parent
RELEASE_PAGE = VIEWS / "release.py"
MATRIX_PAGE = VIEWS / "releases.py"
QUEUE_PAGE = VIEWS / "my_country.py"

FESTIVAL = "festival"
RELEASE = "country_release"
RIGHTS = "film_rights"
ITEM = ItemRow.__table__
PARTY = ItemPartyRow.__table__
_DETAIL_COLUMNS = [ITEM.c[name] for name in ItemDetail.model_fields]

Color = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]

STAGE_LABELS: dict[str, str] = {
    ReleaseStage.ACKNOWLEDGE: "To acknowledge",
    ReleaseStage.CLASSIFICATION: "Classification",
    ReleaseStage.QUOTA: "Import quota",
    ReleaseStage.SUBSIDY: "Subsidy",
    ReleaseStage.LICENCE: "Licence",
    ReleaseStage.SCHEDULING: "Scheduling",
    ReleaseStage.RELEASING: "Scheduled",
    ReleaseStage.RELEASED: "Released",
    ReleaseStage.REFUSED: "Refused",
    ReleaseStage.DECLINED: "Declined",
}
STAGE_COLORS: dict[str, Color] = {
    ReleaseStage.ACKNOWLEDGE: "gray",
    ReleaseStage.CLASSIFICATION: "blue",
    ReleaseStage.QUOTA: "blue",
    ReleaseStage.SUBSIDY: "blue",
    ReleaseStage.LICENCE: "violet",
    ReleaseStage.SCHEDULING: "orange",
    ReleaseStage.RELEASING: "yellow",
    ReleaseStage.RELEASED: "green",
    ReleaseStage.REFUSED: "red",
    ReleaseStage.DECLINED: "red",
}
HOME = "Home country"
NOT_STARTED = "—"
CELL_BACKGROUNDS: dict[str, str] = {  # light fills that read in both themes, keyed by the cell's text
    **{STAGE_LABELS[s]: c for s, c in {
        ReleaseStage.ACKNOWLEDGE: "#e5e7eb", ReleaseStage.CLASSIFICATION: "#dbeafe", ReleaseStage.QUOTA: "#dbeafe",
        ReleaseStage.SUBSIDY: "#dbeafe", ReleaseStage.LICENCE: "#ede9fe", ReleaseStage.SCHEDULING: "#ffedd5",
        ReleaseStage.RELEASING: "#fef9c3", ReleaseStage.RELEASED: "#bbf7d0", ReleaseStage.REFUSED: "#fecaca",
        ReleaseStage.DECLINED: "#fecaca",
    }.items()},
    HOME: "#f3f4f6",
}  # fmt: skip
IN_PROGRESS = [s.value for s in STAGE_ORDER if s is not ReleaseStage.RELEASED]
CLOSED = [ReleaseStage.RELEASED.value, ReleaseStage.REFUSED.value, ReleaseStage.DECLINED.value]


def member_countries() -> list[str]:
    """The countries recommendations go to: every SCO member state and Korea, by code."""
    return sorted(c.code for c in COUNTRIES.values() if c.status in (NetworkStatus.MEMBER, NetworkStatus.PARTNER))


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, common.phase_label(stage))


def stage_badge(stage: str) -> None:
    st.badge(stage_label(stage), color=STAGE_COLORS.get(stage, "gray"), icon=":material/movie:")


def cell_style(value: object) -> str:
    color = CELL_BACKGROUNDS.get(str(value))
    return f"background-color: {color}; color: #111827" if color else "color: #9ca3af"


# ---------------------------------------------------------------- reading


def items_with_detail(engine: Engine, item_type: str, phase: str | list[str] | None = None) -> list[ItemDetail]:
    query = select(*_DETAIL_COLUMNS).where(ITEM.c.item_type == item_type)
    if phase:
        query = query.where(ITEM.c.phase.in_([phase] if isinstance(phase, str) else phase))
    query = query.order_by(ITEM.c.updated_at.desc(), ITEM.c.item_id)
    with reading(engine) as conn:
        return [ItemDetail.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def load_release(detail: dict[str, Any]) -> ReleaseState | None:
    try:
        return ReleaseState.model_validate(detail)
    except ValidationError:
        common.log.exception("a country release in the read model does not match ReleaseState")
        return None


def load_festival(detail: dict[str, Any]) -> FestivalState | None:
    try:
        return FestivalState.model_validate(detail)
    except ValidationError:
        common.log.exception("a festival in the read model does not match FestivalState")
        return None


def festivals() -> list[tuple[ItemDetail, FestivalState]]:
    out = []
    for item in items_with_detail(common.engine(), FESTIVAL):
        state = load_festival(item.detail)
        if state is not None:
            out.append((item, state))
    return sorted(out, key=lambda p: (-p[1].edition.year, p[1].edition.id))


def release_items() -> list[ItemPublic]:
    """Every country release as its list row (summary only): enough for the matrix and the queue."""
    return queries.list_items(common.engine(), item_type=RELEASE, limit=5000)


def participant_ids(detail: dict[str, Any]) -> list[str]:
    """The people a release names: its liaison and the festival's administrators."""
    try:
        ids = [str(detail["liaison"]["id"])]
        ids += [str(p["id"]) for p in detail["people"]["festival_admins"]]
        return ids
    except (KeyError, TypeError):
        return []


def can_see_release_row(me: Person, item: ItemPublic) -> bool:
    return access.can_view_release(me, item.organisation_ids)


def can_see_release(me: Person, item: ItemPublic | ItemDetail, state: ReleaseState) -> bool:
    return access.can_view_release(me, item.organisation_ids, [state.liaison.id, *(p.id for p in state.people.festival_admins)])


def visible_release_rows(me: Person) -> list[ItemPublic]:
    return [i for i in release_items() if can_see_release_row(me, i)]


def festival_admin_ids(pairs: Iterable[tuple[ItemDetail, FestivalState]] | None = None) -> set[str]:
    pairs = festivals() if pairs is None else pairs
    return {p.id for _, s in pairs for p in s.people.festival_admins}


def is_festival_admin(engine: Engine, person: Person) -> bool:
    """Named by some festival as one of its administrators (the JSON text narrows the candidates)."""
    if access.is_admin(person):
        return True
    query = select(ITEM.c.detail).where(ITEM.c.item_type == FESTIVAL)
    with reading(engine) as conn:
        rows = conn.execute(query.limit(50)).all()
    for (detail,) in rows:
        try:
            if any(p["id"] == person.id for p in detail["people"]["festival_admins"]):
                return True
        except (KeyError, TypeError):
            continue
    return False


def is_release_party(engine: Engine, person: Person) -> bool:
    """Whether an organisation of the person is a party of some country release (rights holder, licensee)."""
    orgs = access.organisations_of(person)
    if not orgs or access.sees_releases(person):
        return False
    query = (
        select(PARTY.c.item_id)
        .join(ITEM, ITEM.c.item_id == PARTY.c.item_id)
        .where(ITEM.c.item_type == RELEASE, PARTY.c.organisation_id.in_(sorted(orgs)))
        .limit(1)
    )
    with reading(engine) as conn:
        return conn.execute(query).first() is not None


def ledgers() -> dict[str, RightsLedger]:
    out: dict[str, RightsLedger] = {}
    for item in items_with_detail(common.engine(), RIGHTS):
        try:
            ledger = RightsLedger.model_validate(item.detail["ledger"])
        except (ValidationError, KeyError, TypeError):
            common.log.exception("a film's rights ledger in the read model does not match RightsLedger")
            continue
        out[ledger.film_id] = ledger
    return out


# ---------------------------------------------------------------- the target


def release_medium(state: ReleaseState) -> Media:
    """The medium a confirmed release counts under: the licence's (cinemas first), else read from
    the platform's name, else theatrical."""
    if state.licence is not None:
        return next(m for m in MEDIA_ORDER if m in state.licence.grant.media)
    platform = (state.platform or "").casefold()
    if "stream" in platform or "online" in platform:
        return Media.STREAMING
    if platform == "tv" or "television" in platform or " tv" in f" {platform}":
        return Media.TV
    return Media.THEATRICAL


def release_record(state: ReleaseState) -> ReleaseRecord | None:
    if state.stage is not ReleaseStage.RELEASED or state.released_on is None:
        return None
    deal = state.licence.grant.deal_id if state.licence else None
    return ReleaseRecord(film_id=state.film.id, country=state.country, released_on=state.released_on,
                         platform=release_medium(state), origin_countries=state.film.origin_countries, deal_id=deal)  # fmt: skip


@dataclass(frozen=True)
class Released:
    item: ItemDetail
    state: ReleaseState
    record: ReleaseRecord


def released() -> list[Released]:
    """Every confirmed release in the network (the target counts all of them, whoever looks)."""
    out = []
    for item in items_with_detail(common.engine(), RELEASE, phase=ReleaseStage.RELEASED.value):
        state = load_release(item.detail)
        record = release_record(state) if state else None
        if state is not None and record is not None:
            out.append(Released(item, state, record))
    return out


def catalog_inputs(year: int) -> tuple[list[Film], list[JuryAward], list[Edition]]:
    """The films and awards of the year's editions (every edition's if none is of that year)."""
    pairs = festivals()
    of_year = [s for _, s in pairs if s.edition.year == year] or [s for _, s in pairs]
    films: dict[str, Film] = {}
    awards: list[JuryAward] = []
    for s in of_year:
        for f in s.films:
            if f.edition_id == s.edition.id:
                films.setdefault(f.id, f)
        awards += s.awards
    return list(films.values()), awards, [s.edition for s in of_year]


# ---------------------------------------------------------------- links and small helpers


def release_link(item_id: str, label: str) -> None:
    st.page_link(RELEASE_PAGE, label=label, icon=":material/local_movies:", query_params={"id": item_id})


def open_release(item_id: str) -> None:
    st.switch_page(RELEASE_PAGE, query_params={"id": item_id})


def allowed(check: Any, state: Any, action: Any) -> str | None:
    """Run one of the workflow's pure checks: None when the person may act, else its sentence."""
    try:
        check(state, action)
    except Rejected as e:
        return str(e)
    return None


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else value.isoformat()


def category_name(edition: Edition, category_id: str) -> str:
    found = next((c for c in edition.categories if c.id == category_id), None)
    return found.name() if found else category_id.replace("_", " ")
