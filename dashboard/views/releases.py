"""The releases matrix: every awarded film (rows) in every member country (columns), each cell the
stage its country release is at, coloured; filtered by edition and film; pick a cell to open it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import release_common as rc
from domain import access
from store.models import ItemPublic

FILM = "Film"


def matrix(rows: list[ItemPublic], countries: list[str]) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """The films × countries frame (cells: stage labels, “Home country” for an origin country, “—”
    where nothing started) and (film title, country) → item id of each cell that has a release."""
    films: dict[str, dict[str, Any]] = {}
    ids: dict[tuple[str, str], str] = {}
    for item in rows:
        s = item.summary
        film_id, title = str(s.get("film_id") or item.item_id), str(s.get("film") or item.title)
        row = films.setdefault(film_id, {FILM: title, "_origins": set(s.get("origin_countries") or ())})
        row[item.kind] = rc.stage_label(item.phase)
        ids[(title, item.kind)] = item.item_id
    out = []
    for row in sorted(films.values(), key=lambda r: r[FILM]):
        origins = row.pop("_origins")
        out.append({FILM: row[FILM], **{c: row.get(c, rc.HOME if c in origins else rc.NOT_STARTED) for c in countries}})
    return pd.DataFrame(out, columns=[FILM, *countries]), ids


def counts(rows: list[ItemPublic]) -> dict[str, int]:
    return {
        "Country releases": len(rows),
        "In progress": sum(1 for r in rows if r.phase in rc.IN_PROGRESS),
        "Released": sum(1 for r in rows if r.phase == "released"),
        "Refused or declined": sum(1 for r in rows if r.phase in ("refused", "declined")),
    }


def page() -> None:
    me = common.me()
    st.title("Releases")
    rows = rc.visible_release_rows(me)
    if access.sees_releases(me):
        st.caption("Every awarded film in every member country: the stage its release is at. "
                   "Liaisons act on their own country's releases.")  # fmt: skip
    else:
        st.caption("The country releases your organisation takes part in, as rights holder or licensee.")
    if not rows:
        st.info("No film has been recommended for release yet: an award starts one release per member country.",
                icon=":material/movie:")  # fmt: skip
        return
    editions = sorted({str(r.summary.get("edition_id") or "") for r in rows} - {""}, reverse=True)
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    edition = c1.selectbox("Edition", [None, *editions], format_func=lambda e: "Every edition" if e is None else e,
                           key="rel-edition")  # fmt: skip
    in_edition = [r for r in rows if edition is None or r.summary.get("edition_id") == edition]
    titles = sorted({str(r.summary.get("film") or r.title) for r in in_edition})
    chosen = c2.multiselect("Film", titles, key="rel-films", placeholder="Every film")
    shown = [r for r in in_edition if not chosen or str(r.summary.get("film") or r.title) in chosen]
    cols = st.columns(4)
    for col, (label, n) in zip(cols, counts(shown).items(), strict=True):
        col.metric(label, n, border=True)
    countries = rc.member_countries() if access.sees_releases(me) else sorted({r.kind for r in shown})
    frame, ids = matrix(shown, countries)
    if frame.empty:
        st.info("No release matches these filters.", icon=":material/filter_alt_off:")
        return
    event = st.dataframe(
        frame.style.map(rc.cell_style, subset=countries),
        hide_index=True,
        column_config={c: st.column_config.TextColumn(c, help=common.country_name(c), width="small") for c in countries},
        on_select="rerun",
        selection_mode="single-cell",
        key="release-matrix",
    )
    st.caption("“Home country”: a film is not recommended in its own origin countries. “—”: no release started there.")
    cells = list(getattr(getattr(event, "selection", None), "cells", []) or [])
    if cells:
        row, column = cells[0][0], str(cells[0][1])
        target = ids.get((frame.iloc[int(row)][FILM], column))
        if target:
            rc.open_release(target)
    labels = {item_id: f"{film} — {common.country_name(c)}" for (film, c), item_id in sorted(ids.items())}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    target = pick.selectbox("Open a country release", list(labels), format_func=labels.__getitem__, key="rel-pick")
    if go.button("Open", icon=":material/open_in_new:", key="rel-go", width="stretch") and target:
        rc.open_release(target)


page()
