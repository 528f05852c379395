"""What the co-production fund pages share: loading applications, grants and fund ledgers from the
read model, who may see them, labels, links and stored documents.

Applications, grants and funds are items of the generic read model (`item_type`
"grant_application", "grant" and "fund"); their `detail` is the workflow's state as JSON, read
back here into the domain models so every page shows what the workflows computed (eligibility,
weighted scores, the ledger's figures) and never recomputes it differently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, String, and_, cast, or_, select

from dashboard import common
from dashboard import program_common as pc
from domain import access
from domain.agreement_rules import Rejected
from domain.grants.application_state import ApplicationState
from domain.grants.conflicts import Reviewer
from domain.grants.funds import Fund
from domain.grants.grant_state import GrantState
from domain.grants.ledger import Ledger
from domain.grants.money import format_money
from domain.grants.process import APPLICATION_CLOSED, ApplicationStage, GrantStage
from domain.parties import Person
from services.grants import list_funds
from store import queries
from store.blobs import BlobError
from store.db import reading
from store.models import ItemDetail, ItemRow, StepPublic

VIEWS = common.DETAIL_PAGE.parent
APPLICATION_PAGE = VIEWS / "application.py"
GRANT_PAGE = VIEWS / "grant.py"

APPLICATION = "grant_application"
GRANT = "grant"
FUND = "fund"
ITEM = ItemRow.__table__

Color = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]

APPLICATION_STAGE_LABELS = {
    ApplicationStage.SUBMITTED: "Submitted",
    ApplicationStage.SCREENING: "Screening",
    ApplicationStage.REVIEW: "Panel review",
    ApplicationStage.BOARD: "Board vote",
    ApplicationStage.AWARDED: "Awarded",
    ApplicationStage.WAITLISTED: "Waiting list",
    ApplicationStage.REJECTED: "Rejected",
    ApplicationStage.WITHDRAWN: "Withdrawn",
}
APPLICATION_STAGE_COLORS: dict[str, Color] = {
    ApplicationStage.SUBMITTED: "gray",
    ApplicationStage.SCREENING: "blue",
    ApplicationStage.REVIEW: "orange",
    ApplicationStage.BOARD: "violet",
    ApplicationStage.AWARDED: "green",
    ApplicationStage.WAITLISTED: "yellow",
    ApplicationStage.REJECTED: "red",
    ApplicationStage.WITHDRAWN: "gray",
}
GRANT_STAGE_LABELS = {
    GrantStage.AGREEMENT: "Agreement",
    GrantStage.ACTIVE: "Active",
    GrantStage.CLOSEOUT: "Closeout",
    GrantStage.CLOSED: "Closed",
    GrantStage.CANCELLED: "Cancelled",
}
GRANT_STAGE_COLORS: dict[str, Color] = {
    GrantStage.AGREEMENT: "violet",
    GrantStage.ACTIVE: "green",
    GrantStage.CLOSEOUT: "blue",
    GrantStage.CLOSED: "gray",
    GrantStage.CANCELLED: "red",
}
DOCUMENT_LABELS = {
    "award_letter": "Award letter (PDF)",
    "rejection_letter": "Rejection letter (PDF)",
    "payment_instruction": "Payment instruction (PDF)",
}

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------- reading


def _load(model: type[M], detail: dict[str, Any], what: str) -> M | None:
    try:
        return model.model_validate(detail)
    except ValidationError:
        common.log.exception("a %s in the read model does not match %s", what, model.__name__)
        return None


def load_application(detail: dict[str, Any]) -> ApplicationState | None:
    return _load(ApplicationState, detail, "grant application")


def load_grant(detail: dict[str, Any]) -> GrantState | None:
    return _load(GrantState, detail, "grant")


@dataclass(frozen=True)
class FundBooks:
    item: ItemDetail
    fund: Fund
    ledger: Ledger


def load_fund(item: ItemDetail) -> FundBooks | None:
    try:
        return FundBooks(item, Fund.model_validate(item.detail["fund"]), Ledger.model_validate(item.detail["ledger"]))
    except (ValidationError, KeyError, TypeError):
        common.log.exception("a fund ledger in the read model does not match Fund/Ledger")
        return None


def can_see_application(me: Person, state: ApplicationState) -> bool:
    return access.can_view_application(me, state.application.contact.id, [r.reviewer.id for r in state.reviews])


def grantee_ids(state: GrantState) -> list[str]:
    return [p.id for p in state.parties.grantee_party.signatories]


def can_see_grant(me: Person, state: GrantState) -> bool:
    return access.can_view_grant(me, state.application.contact.id, grantee_ids(state))


def _worth_loading(me: Person, item: ItemDetail) -> bool:
    """A cheap sieve before validating a whole state: overseers see all, others only items naming them."""
    return access.sees_grants(me) or f'"{me.id}"' in json.dumps(item.detail)


def visible_applications(me: Person) -> list[tuple[ItemDetail, ApplicationState]]:
    out = []
    for item in pc.items_with_detail(common.engine(), APPLICATION):
        if not _worth_loading(me, item):
            continue
        state = load_application(item.detail)
        if state is not None and can_see_application(me, state):
            out.append((item, state))
    return out


def visible_grants(me: Person) -> list[tuple[ItemDetail, GrantState]]:
    out = []
    for item in pc.items_with_detail(common.engine(), GRANT):
        if not _worth_loading(me, item):
            continue
        state = load_grant(item.detail)
        if state is not None and can_see_grant(me, state):
            out.append((item, state))
    return out


def fund_books() -> list[FundBooks]:
    out = []
    for item in pc.items_with_detail(common.engine(), FUND):
        books = load_fund(item)
        if books is not None:
            out.append(books)
    return out


def is_grant_contact(engine: Engine, person_id: str) -> bool:
    """Whether the person is the contact of some application or grant (or signs a grant for the
    producer). The JSON text is searched first, so only candidate items are read and checked."""
    text = cast(ITEM.c.detail, String)
    query = select(ITEM.c.item_type, ITEM.c.detail).where(
        ITEM.c.item_type.in_([APPLICATION, GRANT]),
        or_(
            text.like(f'%"contact": {{"id": "{person_id}"%'),
            and_(ITEM.c.item_type == GRANT, text.like(f'%"id": "{person_id}"%')),
        ),
    )
    with reading(engine) as conn:
        rows = conn.execute(query.limit(500)).all()
    for item_type, detail in rows:
        try:
            if detail["application"]["contact"]["id"] == person_id:
                return True
            if item_type == GRANT and any(p["id"] == person_id for p in detail["parties"]["grantee_party"]["signatories"]):
                return True
        except (KeyError, TypeError):
            continue
    return False


def reviewer_pool() -> list[Reviewer]:
    """Every reviewer of every fund's pool (once each), from the funds' stored definitions."""
    seen: dict[str, Reviewer] = {}
    for d in list_funds(common.engine()):
        for r in d.people.reviewers:
            seen.setdefault(r.person.id, r)
    return list(seen.values())


# ---------------------------------------------------------------- labels, money, links


def stage_label(stage: str) -> str:
    try:
        return APPLICATION_STAGE_LABELS[ApplicationStage(stage)]
    except ValueError:
        return common.phase_label(stage)


def stage_badge(stage: str) -> None:
    st.badge(stage_label(stage), color=APPLICATION_STAGE_COLORS.get(stage, "gray"), icon=":material/movie:")


def grant_stage_label(stage: str) -> str:
    try:
        return GRANT_STAGE_LABELS[GrantStage(stage)]
    except ValueError:
        return common.phase_label(stage)


def grant_stage_badge(stage: str) -> None:
    st.badge(grant_stage_label(stage), color=GRANT_STAGE_COLORS.get(stage, "gray"), icon=":material/payments:")


def decided(state: ApplicationState) -> bool:
    return state.stage in APPLICATION_CLOSED


def money(amount: Decimal | str | None, currency: str) -> str:
    if amount is None or amount == "":
        return "—"
    return format_money(Decimal(str(amount)), currency)


def score_text(score: Decimal | None) -> str:
    return "—" if score is None else f"{score}"


def application_link(item_id: str, label: str) -> None:
    st.page_link(APPLICATION_PAGE, label=label, icon=":material/movie:", query_params={"id": item_id})


def grant_link(item_id: str, label: str) -> None:
    st.page_link(GRANT_PAGE, label=label, icon=":material/payments:", query_params={"id": item_id})


def open_application(item_id: str) -> None:
    st.switch_page(APPLICATION_PAGE, query_params={"id": item_id})


def open_grant(item_id: str) -> None:
    st.switch_page(GRANT_PAGE, query_params={"id": item_id})


def due_badge(step: StepPublic) -> None:
    if step.overdue:
        st.badge(common.due_text(step.due_in_days), color="red", icon=":material/warning:")
    else:
        color: Color = "orange" if step.due_in_days < 3 else "gray"
        st.badge(common.due_text(step.due_in_days), color=color, icon=":material/schedule:")


def allowed(check: Callable[..., Any], state: Any, action: BaseModel) -> str | None:
    """Run one of the workflow's pure checks: None when the person may act, else its sentence."""
    try:
        check(state, action)
    except Rejected as e:
        return str(e)
    return None


# ---------------------------------------------------------------- stored documents


def stored_downloads(item_id: str, kinds: Iterable[str], file_prefix: str) -> int:
    """Download buttons for the item's stored PDFs of these kinds (letters, payment instructions),
    read from the blob store only when clicked; returns how many documents there were."""
    docs = [d for d in queries.documents_for(common.engine(), item_id) if d.kind in set(kinds)]
    store = common.blobs()
    for d in docs:
        label = d.label or DOCUMENT_LABELS.get(d.kind, d.kind)
        label = f"{label} (PDF)" if not label.endswith("(PDF)") else label
        if not store.has(d.sha256):
            st.button(label, disabled=True, key=f"missing-{d.sha256}", help="Not in the document store on this server.")
            continue

        def read(sha: str = d.sha256) -> bytes:
            try:
                return store.get(sha)
            except BlobError:
                common.log.exception("document %s could not be served", sha)
                return b""

        st.download_button(
            label,
            read,
            file_name=f"{file_prefix}-{d.kind}-{d.sha256[:8]}.pdf",
            mime="application/pdf",
            key=f"doc-{d.sha256}",
            icon=":material/download:",
        )
    return len(docs)


def blob_download(sha: str, label: str, file_name: str, key: str) -> None:
    """One stored PDF by its hash (a payment instruction), disabled if this server lacks it."""
    store = common.blobs()
    if not store.has(sha):
        st.button(label, disabled=True, key=f"missing-{key}", help="Not in the document store on this server.")
        return

    def read() -> bytes:
        try:
            return store.get(sha)
        except BlobError:
            common.log.exception("document %s could not be served", sha)
            return b""

    st.download_button(label, read, file_name=file_name, mime="application/pdf", key=f"blob-{key}", icon=":material/download:")


def short_money(amount: Decimal, currency: str) -> str:
    """An amount for a metric tile: whole units when there are no cents, so it fits the tile."""
    return f"{amount:,.0f} {currency}" if amount == amount.to_integral_value() else format_money(amount, currency)
