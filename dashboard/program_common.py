"""What the joint-program pages share: loading records and transfers, who may see them, labels,
links, update ids and documents rendered on demand.

Student records and credit transfers are items of the generic read model (`item_type` "student"
and "credit_transfer"); their `detail` is the workflow's state as JSON, read back here into the
domain models so every page shows what the workflow computed (the audits included) and never
recomputes it differently.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine, select

from dashboard import client, common
from domain import access
from domain import transfer_rules as rules
from domain.credits import CREDIT_SYSTEMS, CreditSystem, format_credits, plain_number
from domain.parties import Person
from domain.programs import JointProgram
from domain.student_record import StudentRecordState
from domain.transfer_decisions import TransferStage
from domain.transfer_state import CreditTransferState, ProgramRoster
from store import queries
from store.db import reading
from store.models import ItemDetail, ItemPublic, ItemRow

VIEWS = common.DETAIL_PAGE.parent
STUDENT_PAGE = VIEWS / "student.py"
TRANSFER_PAGE = VIEWS / "credit_transfer.py"
STUDENTS_PAGE = VIEWS / "students.py"
REQUESTS_PAGE = VIEWS / "credit_requests.py"
PROGRAMS_PAGE = VIEWS / "programs.py"
AGREEMENT_PAGE = common.DETAIL_PAGE

STUDENT = "student"
TRANSFER = "credit_transfer"
ITEM = ItemRow.__table__
_DETAIL_COLUMNS = [ITEM.c[name] for name in ItemDetail.model_fields]

Color = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]

RECORD_PHASE_LABELS = {"enrolled": "Enrolled", "abroad": "Abroad", "complete": "Complete"}
RECORD_PHASE_COLORS: dict[str, Color] = {"enrolled": "blue", "abroad": "violet", "complete": "green"}
STAGE_LABELS = {
    TransferStage.PRECHECK: "Pre-check",
    TransferStage.DEPARTMENT: "Department",
    TransferStage.HOME_REGISTRAR: "Home registrar",
    TransferStage.PARTNER_REGISTRAR: "Partner registrar",
    TransferStage.MINISTRY: "Ministry",
    TransferStage.POSTED: "Posted",
}
STAGE_COLORS: dict[str, Color] = {
    TransferStage.PRECHECK: "gray",
    TransferStage.DEPARTMENT: "blue",
    TransferStage.HOME_REGISTRAR: "orange",
    TransferStage.PARTNER_REGISTRAR: "orange",
    TransferStage.MINISTRY: "violet",
    TransferStage.POSTED: "green",
}


# ---------------------------------------------------------------- reading


def items_with_detail(engine: Engine, item_type: str, kind: str | None = None) -> list[ItemDetail]:
    """Every item of a type (optionally of one kind) with its detail, in one query, newest first."""
    query = select(*_DETAIL_COLUMNS).where(ITEM.c.item_type == item_type)
    if kind:
        query = query.where(ITEM.c.kind == kind)
    query = query.order_by(ITEM.c.updated_at.desc(), ITEM.c.item_id)
    with reading(engine) as conn:
        return [ItemDetail.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def load_record(detail: dict[str, Any]) -> StudentRecordState | None:
    try:
        return StudentRecordState.model_validate(detail)
    except ValidationError:
        common.log.exception("a student record in the read model does not match StudentRecordState")
        return None


def load_transfer(detail: dict[str, Any]) -> CreditTransferState | None:
    try:
        return CreditTransferState.model_validate(detail)
    except ValidationError:
        common.log.exception("a credit transfer in the read model does not match CreditTransferState")
        return None


def _student_person_id(detail: dict[str, Any]) -> str | None:
    try:
        return str(detail["record"]["person"]["id"])
    except (KeyError, TypeError):
        return None


# ---------------------------------------------------------------- who sees what


def program_orgs(program: JointProgram) -> list[str]:
    """The organisations a program's items concern: its institutions, and the ministry that authorizes."""
    orgs = list(program.institution_ids)
    if program.requires_ministry_authorization and program.ministry_organisation_id:
        orgs.append(program.ministry_organisation_id)
    return orgs


def roster_ids(roster: ProgramRoster) -> set[str]:
    ids = {p.id for p in roster.coordinators} | {p.id for p in roster.ministry_officers}
    for staff in roster.staff.values():
        ids |= {p.id for p in staff.department_reviewers} | {p.id for p in staff.registrars}
    return ids


def transfer_people(state: CreditTransferState) -> dict[str, str]:
    """id → name of everyone who takes part in a transfer, for naming who did what."""
    return {p.id: p.name for role in rules.TransferRole for p in rules.people(state, role)}


def can_see_record(me: Person, item: ItemPublic, state: StudentRecordState) -> bool:
    orgs = [*item.organisation_ids, *program_orgs(state.program)]
    return access.can_view_program_item(me, orgs, state.record.person.id, {p.id for p in state.roster.coordinators})


def can_see_transfer(me: Person, item: ItemPublic, state: CreditTransferState) -> bool:
    orgs = [*item.organisation_ids, *program_orgs(state.program)]
    return access.can_view_program_item(me, orgs, state.student.id, transfer_people(state))


def _worth_loading(me: Person, item: ItemDetail) -> bool:
    """A cheap first sieve before validating a whole state: could this item be visible at all?"""
    if access.sees_everything(me) or access.program_staff_organisations(me):
        return True
    return _student_person_id(item.detail) == me.id or me.id in json.dumps(item.detail.get("roster", {}))


def visible_records(me: Person, program_id: str | None = None) -> list[tuple[ItemDetail, StudentRecordState]]:
    out = []
    for item in items_with_detail(common.engine(), STUDENT, program_id):
        if not _worth_loading(me, item):
            continue
        state = load_record(item.detail)
        if state is not None and can_see_record(me, item, state):
            out.append((item, state))
    return out


def visible_transfers(me: Person) -> list[tuple[ItemDetail, CreditTransferState]]:
    out = []
    for item in items_with_detail(common.engine(), TRANSFER):
        if not _worth_loading(me, item):
            continue
        state = load_transfer(item.detail)
        if state is not None and can_see_transfer(me, item, state):
            out.append((item, state))
    return out


def own(me: Person, pairs: Iterable[tuple[ItemDetail, Any]]) -> list[tuple[ItemDetail, Any]]:
    """Only the items whose student is `me`."""
    return [(i, s) for i, s in pairs if _student_person_id(i.detail) == me.id]


# ---------------------------------------------------------------- labels and links


def record_phase_badge(phase: str) -> None:
    st.badge(RECORD_PHASE_LABELS.get(phase, common.phase_label(phase)), color=RECORD_PHASE_COLORS.get(phase, "gray"))


def stage_label(stage: str) -> str:
    try:
        return STAGE_LABELS[TransferStage(stage)]
    except ValueError:
        return common.phase_label(stage)


def stage_badge(stage: str) -> None:
    st.badge(stage_label(stage), color=STAGE_COLORS.get(stage, "gray"), icon=":material/swap_horiz:")


def credits(amount: Decimal | None, system: CreditSystem) -> str:
    return "—" if amount is None else format_credits(amount, system)


def system_name(system: CreditSystem) -> str:
    info = CREDIT_SYSTEMS[system]
    return f"{info.name()} ({info.short})"


def number(amount: Decimal | None) -> str:
    return "—" if amount is None else plain_number(amount)


def institution_name(program: JointProgram, institution_id: str) -> str:
    found = next((i for i in program.institutions if i.organisation_id == institution_id), None)
    return found.name() if found else institution_id


def age_days(created_at: datetime | None, now: datetime | None = None) -> int | None:
    """Whole days since a request was made (now − created_at)."""
    if created_at is None:
        return None
    now = now or datetime.now(UTC)
    return max(int((now - created_at).total_seconds() // 86_400), 0)


def student_link(item_id: str, label: str) -> None:
    st.page_link(STUDENT_PAGE, label=label, icon=":material/school:", query_params={"id": item_id})


def transfer_link(item_id: str, label: str) -> None:
    st.page_link(TRANSFER_PAGE, label=label, icon=":material/swap_horiz:", query_params={"id": item_id})


def open_student(item_id: str) -> None:
    st.switch_page(STUDENT_PAGE, query_params={"id": item_id})


def open_transfer(item_id: str) -> None:
    st.switch_page(TRANSFER_PAGE, query_params={"id": item_id})


def timeline(item_id: str, hide: frozenset[str] = frozenset()) -> None:
    """The item's events, newest first, as the workflow recorded them (without the kinds in `hide`)."""
    events = [e for e in queries.events_for(common.engine(), item_id) if e.kind not in hide]
    if not events:
        st.caption("No events recorded yet.")
        return
    rows = [
        {"When": e.at, "Event": e.kind.replace("_", " "), "By": e.actor_name or "Helix", "Detail": e.detail}
        for e in reversed(events)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "Detail": st.column_config.TextColumn(width="large"),
        },
    )


# ---------------------------------------------------------------- actions


def update_id(workflow_id: str, action: str, person_id: str, version: int, data: dict[str, Any]) -> str:
    """The same click on the same screen gives the same id (Temporal counts it once); another
    version of the item, or other fields, give a new one."""
    text = json.dumps(data, sort_keys=True, default=str)
    return f"{workflow_id}:{action}:{person_id}:r{version}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def send(workflow_id: str, action: str, data: dict[str, Any], version: int, scope: str) -> bool:
    """Send one action and keep its outcome for the next run (which redraws from the read model);
    True when the workflow accepted it."""
    uid = update_id(workflow_id, action, str(data.get("actor_id", "")), version, data)
    outcome = client.perform(workflow_id, action, data, uid)
    common.flash(outcome.ok, outcome.message, scope)
    return outcome.ok


# ---------------------------------------------------------------- optional modules


def optional_module(name: str) -> ModuleType | None:
    """A module that may not be installed on this server yet (documents, exports): None, logged."""
    try:
        return importlib.import_module(name)
    except ImportError:
        common.log.warning("%s is not available; its downloads are not offered", name)
        return None


def font_cache_kwargs(fn: Callable[..., Any]) -> dict[str, Any]:
    """Renderers take the data folder's font cache when they accept one (as the worker's do)."""
    try:
        if "font_cache_dir" in inspect.signature(fn).parameters:
            return {"font_cache_dir": common.settings().data_dir / "fonts-cache"}
    except (TypeError, ValueError):
        pass
    return {}


def on_demand_download(
    key: str,
    label: str,
    produce: Callable[[], bytes | tuple[bytes, int]],
    file_name: str,
    mime: str = "application/pdf",
    help: str | None = None,
    explained: tuple[type[Exception], ...] = (),
    disabled_because: str | None = None,
) -> None:
    """A button that produces a document only when asked, then offers it for download.

    Rendering takes a moment, so nothing is rendered while the page is drawn; a failure becomes a
    sentence, never a trace. Exceptions of the `explained` types carry a sentence meant for people
    (an exporter saying why there is nothing to export yet), which is shown as it is.
    """
    store_key = f"ondemand-{key}"

    def make() -> None:
        try:
            result = produce()
        except explained as e:
            st.session_state.pop(store_key, None)
            common.flash(False, str(e), key)
            return
        except Exception:  # noqa: BLE001 - any renderer failure is a sentence for the person
            common.log.exception("producing %s failed", file_name)
            st.session_state.pop(store_key, None)
            common.flash(
                False, f"“{label}” could not be produced right now. Please try again; if it persists, tell an administrator.", key
            )
            return
        data, pages = result if isinstance(result, tuple) else (result, 0)
        st.session_state[store_key] = (data, pages)

    st.button(
        label,
        key=f"{key}-make",
        icon=":material/picture_as_pdf:" if mime.endswith("pdf") else ":material/code:",
        on_click=make,
        help=disabled_because or help,
        disabled=disabled_because is not None,
    )
    common.show_flash(key)
    ready = st.session_state.get(store_key)
    if ready:
        data, pages = ready
        size = f"{len(data) / 1024:.0f} KB" + (f", {pages} page{'s' if pages != 1 else ''}" if pages else "")
        st.download_button(
            f"Download {file_name} ({size})",
            data,
            file_name=file_name,
            mime=mime,
            key=f"{key}-download",
            icon=":material/download:",
            type="primary",
        )
