"""What every page shares: the engine and blob store, the signed-in person, labels and badges.

Pages are scripts run by `st.navigation`; they reach shared state through these functions, never
through globals of `app.py`, so a page can be read (and tested) on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine

from domain.agreement_kinds import KIND_LABELS
from domain.agreements import AgreementKind, AgreementState, Phase
from domain.parties import Person, RoleGrant
from domain.reference import COUNTRIES
from settings import Settings, get_settings
from store import queries
from store.blobs import BlobStore
from store.db import init_db, make_engine
from store.models import ItemDetail

S = TypeVar("S")
log = logging.getLogger("helix.dashboard")

PERSON_KEY = "helix_person"
DETAIL_PAGE = Path(__file__).resolve().parent / "views" / "agreement.py"
FLASH_KEY = "helix_flash"

PHASE_COLORS: dict[str, Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]] = {
    Phase.DRAFT: "gray",
    Phase.REVIEW: "blue",
    Phase.APPROVAL: "orange",
    Phase.SIGNING: "violet",
    Phase.EXECUTING: "violet",
    Phase.ACTIVE: "green",
    Phase.RENEWAL: "yellow",
    Phase.TERMINATING: "orange",
    Phase.EXPIRED: "gray",
    Phase.TERMINATED: "red",
    Phase.VOIDED: "red",
}

ROLE_LABELS = {
    "liaison": "Liaison",
    "approver": "Approver",
    "signatory": "Signatory",
    "program_coordinator": "Programme coordinator",
    "fund_manager": "Fund manager",
    "reviewer": "Reviewer",
    "board_member": "Board member",
    "admin": "Administrator",
}


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)  # a fresh install shows empty pages rather than "no such table"
    return engine


def engine() -> Engine:
    """The read model, created once per database URL for the whole server process."""
    return _engine(settings().resolved_database_url)


def blobs() -> BlobStore:
    return BlobStore(settings().documents_dir)


def me() -> Person:
    """The person `app.py` signed in for this run; a page reached any other way stops here."""
    person = st.session_state.get(PERSON_KEY)
    if not isinstance(person, Person):
        st.warning("Please sign in.")
        st.stop()
    return person


def load_state(detail: dict[str, Any]) -> AgreementState | None:
    """The agreement's state from an item's `detail` JSON; None (and a log line) if it does not fit."""
    try:
        return AgreementState.model_validate(detail)
    except ValidationError:
        log.exception("an agreement snapshot in the read model does not match AgreementState")
        return None


def open_agreement(item_id: str) -> None:
    st.switch_page(DETAIL_PAGE, query_params={"id": item_id})


def agreement_link(item_id: str, label: str) -> None:
    st.page_link(DETAIL_PAGE, label=label, icon=":material/description:", query_params={"id": item_id})


# ---------------------------------------------------------------- labels


def phase_label(phase: str) -> str:
    return phase.replace("_", " ").capitalize()


def phase_badge(phase: str) -> None:
    st.badge(phase_label(phase), color=PHASE_COLORS.get(phase, "gray"))


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[AgreementKind(kind)]
    except ValueError:
        return kind.replace("_", " ").capitalize()


def country_name(code: str | None) -> str:
    if not code:
        return ""
    c = COUNTRIES.get(code.upper())
    return c.name() if c else code


def role_label(grant: RoleGrant, org_names: dict[str, str] | None = None) -> str:
    label = ROLE_LABELS.get(str(grant.role), str(grant.role))
    if grant.country:
        return f"{label} · {country_name(grant.country)}"
    if grant.organisation_id:
        return f"{label} · {(org_names or {}).get(grant.organisation_id, grant.organisation_id)}"
    return label


def when(dt: datetime | str | None) -> str:
    """A timestamp as people read it, in UTC (the network spans eight time zones)."""
    if dt is None:
        return "—"
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return f"{dt:%Y-%m-%d %H:%M} UTC"


def due_text(due_in_days: float) -> str:
    if due_in_days < 0:
        days = -due_in_days
        return f"overdue by {days:.0f} day{'s' if round(days) != 1 else ''}" if days >= 1 else "overdue (today)"
    if due_in_days < 1:
        return "due within a day"
    return f"due in {due_in_days:.0f} day{'s' if round(due_in_days) != 1 else ''}"


def short_hash(h: str | None) -> str:
    return (h or "")[:12]


# ---------------------------------------------------------------- messages that survive a rerun


def flash(ok: bool, message: str, scope: str = "page") -> None:
    """Keep an action's outcome for the next run, which redraws the page with fresh data."""
    st.session_state[FLASH_KEY] = (scope, ok, message)


def show_flash(scope: str = "page") -> None:
    pending = st.session_state.get(FLASH_KEY)
    if pending and pending[0] == scope:
        del st.session_state[FLASH_KEY]
        _, ok, message = pending
        (st.success if ok else st.error)(message)


def item_from_query(
    what: str,
    hint: str,
    item_type: str,
    load: Callable[[dict[str, Any]], S | None],
    visible: Callable[[ItemDetail, S], bool],
    noun: str | None = None,
) -> tuple[ItemDetail, S] | None:
    """The item a hidden detail page shows (`?id=`), with its state, or None after telling the
    person why: no id chosen, or an item that does not exist or is none of their business."""
    item_id = st.query_params.get("id")
    if not item_id:
        st.title(what)
        st.info(hint, icon=":material/list:")
        return None
    item = queries.get_item(engine(), item_id)
    state = load(item.detail) if item and item.item_type == item_type else None
    if item is None or state is None or not visible(item, state):
        st.title(what)
        st.warning(f"This {noun or what.lower()} does not exist or is not visible to you.", icon=":material/visibility_off:")
        return None
    return item, state
