"""What the board pages share: the person's scope, the "as of" day, exports, and the way from a
figure to the items behind it and on to their detail pages and PDFs."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.grant_common import blob_download
from domain import access
from domain.board import ITEM_TYPE_LABELS, OpenStep, Scope, parse_as_of, scope_for
from domain.reference import COUNTRIES
from store import directory, queries
from store.models import ItemPublic

VIEWS = Path(__file__).resolve().parent / "views"
REFRESH_SECONDS = 30

# The detail page of each item type (all take `?id=<item id>`).
DETAIL_PAGES: dict[str, str] = {
    "agreement": "agreement.py",
    "student": "student.py",
    "credit_transfer": "credit_transfer.py",
    "grant_application": "application.py",
    "grant": "grant.py",
    "country_release": "release.py",
}


def my_scope() -> Scope:
    """The signed-in person's board scope; a page reached without one stops here."""
    person = common.me()
    orgs = {o.id: o.name() for o in directory.list_organisations(common.engine())}
    scope = scope_for(person, {c: v.name() for c, v in COUNTRIES.items()}, orgs)
    if scope is None:
        st.warning("The board pages are for board members, liaisons, university staff and fund managers.")
        st.stop()
    return scope


def scope_caption(scope: Scope, what: str) -> None:
    note = "" if access.can_act(common.me()) else " Read-only: the board oversees; people act from their own pages."
    st.caption(f"{what} for {scope.label}.{note}")


def as_of_picker(key: str) -> datetime | None:
    """An "as of" day: today shows the live state; a past day is read from the event history."""
    today = datetime.now(UTC).date()
    chosen = st.columns([1, 3])[0].date_input("As of", value=today, max_value=today, min_value=date(2020, 1, 1), key=key, format="YYYY-MM-DD",
                           help="Pick a past day to see the network as it stood at the end of that day.")  # fmt: skip
    return parse_as_of(chosen if isinstance(chosen, date) else None, today)


def type_label(item_type: str) -> str:
    return ITEM_TYPE_LABELS.get(item_type, item_type.replace("_", " ").capitalize())


def days_text(days: float) -> str:
    """A duration as people read it: minutes or hours under a day, else days."""
    if days < 1 / 24:
        return f"{max(days * 1440, 0):.0f} min"
    if days < 1:
        return f"{days * 24:.1f} h"
    return f"{days:.1f} days"


# ---------------------------------------------------------------- exports


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    out = io.BytesIO()
    clean = frame.copy()
    for col in clean.columns:  # Excel has no time zones: write UTC wall time
        if isinstance(clean[col].dtype, pd.DatetimeTZDtype):
            clean[col] = clean[col].dt.tz_convert("UTC").dt.tz_localize(None)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        clean.to_excel(writer, sheet_name=sheet[:31] or "Sheet1", index=False)
    return out.getvalue()


def export_buttons(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel downloads of a table exactly as shown."""
    if frame.empty:
        return
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("CSV", frame.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv-{key}", icon=":material/download:")  # fmt: skip
    c2.download_button("Excel", lambda: excel_bytes(frame, name), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx-{key}",
                       icon=":material/table_view:")  # fmt: skip


# ---------------------------------------------------------------- drill-down


def items_frame(items: list[ItemPublic]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i.item_id,
                "type": i.item_type,
                "Title": i.title,
                "Kind": type_label(i.item_type),
                "Phase": common.phase_label(i.phase),
                "Countries": ", ".join(i.countries),
                "Updated": i.updated_at,
            }
            for i in items
        ],
        columns=["id", "type", "Title", "Kind", "Phase", "Countries", "Updated"],
    )


def items_table(items: list[ItemPublic], key: str, name: str) -> None:
    """The items behind a figure; selecting one shows the way to its page and its PDFs."""
    if not items:
        st.info("No item is behind this figure.", icon=":material/filter_alt_off:")
        return
    frame = items_frame(items)
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=["Title", "Kind", "Phase", "Countries", "Updated"],
        column_config={"Title": st.column_config.TextColumn(width="large"),
                       "Updated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC")},
        on_select="rerun",
        selection_mode="single-row",
        key=f"items-{key}",
    )  # fmt: skip
    export_buttons(frame.drop(columns=["type"]), name, key)
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if rows:
        row = frame.iloc[rows[0]]
        item_panel(str(row["id"]), str(row["type"]), str(row["Title"]), key)
    else:
        st.caption("Select a row to open the item or download its documents.")


def item_panel(item_id: str, item_type: str, title: str, key: str) -> None:
    """One item's way onward: its detail page, and every PDF it has."""
    with st.container(border=True):
        st.markdown(f"**{title}** · {type_label(item_type)}")
        page = DETAIL_PAGES.get(item_type)
        if page:
            st.page_link(str(VIEWS / page), label=f"Open the {type_label(item_type).lower()}", icon=":material/open_in_new:",
                         query_params={"id": item_id})  # fmt: skip
        docs = queries.documents_for(common.engine(), item_id)
        if not docs:
            st.caption("No documents yet.")
        for d in docs[-6:]:
            label = d.label or d.kind.replace("_", " ").capitalize()
            blob_download(d.sha256, f"{label} (PDF)", f"{item_id}-{d.kind}-{d.sha256[:8]}.pdf", key=f"{key}-{d.sha256[:16]}")


def steps_frame(steps: list[OpenStep]) -> pd.DataFrame:
    orgs = {o.id: o.name() for o in directory.list_organisations(common.engine())}
    return pd.DataFrame(
        [
            {
                "item": s.item_id,
                "type": s.item_type,
                "Item": s.item_title,
                "Kind": type_label(s.item_type),
                "Step": s.label,
                "Awaited": ", ".join(s.awaited_names),
                "Organisation": orgs.get(s.organisation_id or "", s.organisation_id or ""),
                "Country": common.country_name(s.country),
                "Waiting": days_text(s.age_days),
                "Days": s.age_days,
                "Due": s.due_at,
                "Overdue": s.overdue,
            }
            for s in steps
        ],
        columns=["item", "type", "Item", "Kind", "Step", "Awaited", "Organisation", "Country", "Waiting", "Days", "Due", "Overdue"],
    )


def _overdue_red(row: pd.Series) -> list[str]:
    return ["background-color: #fde2e1" if row["Overdue"] else "" for _ in row]


def steps_table(steps: list[OpenStep], key: str, name: str) -> None:
    """Open steps, longest waiting first, overdue rows highlighted; a row leads to its item."""
    if not steps:
        st.info("No open step here.", icon=":material/task_alt:")
        return
    frame = steps_frame(steps)
    shown = frame.style.apply(_overdue_red, axis=1) if len(frame) <= 1000 else frame
    event = st.dataframe(
        shown,
        hide_index=True,
        column_order=["Item", "Kind", "Step", "Awaited", "Organisation", "Country", "Waiting", "Due", "Overdue"],
        column_config={"Item": st.column_config.TextColumn(width="medium"),
                       "Step": st.column_config.TextColumn(width="medium"),
                       "Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
                       "Overdue": st.column_config.CheckboxColumn()},
        on_select="rerun",
        selection_mode="single-row",
        key=f"steps-{key}",
    )  # fmt: skip
    export_buttons(frame.drop(columns=["type"]), name, key)
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if rows:
        row = frame.iloc[rows[0]]
        item_panel(str(row["item"]), str(row["type"]), str(row["Item"]), key)
    else:
        st.caption("Select a row to open the item it belongs to.")
