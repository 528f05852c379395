"""The festival office: an edition's films and awards, and the form recording a jury's award, which
fans the film out to every member country."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common, release_actions
from dashboard import release_common as rc
from domain import access
from domain.releases.festival import SECTION_NAMES
from domain.releases.process import FestivalState
from store.models import ItemDetail

SCOPE = "festival"


def films_table(s: FestivalState) -> pd.DataFrame:
    won: dict[str, list[str]] = {}
    for a in s.awards:
        won.setdefault(a.film_id, []).append(rc.category_name(s.edition, a.category_id))
    rows = [{"Film": f.english_title, "Section": SECTION_NAMES[f.section], "Origin": ", ".join(f.origin_countries),
             "Rights holder": f.rights_holder.name, "Awards": "; ".join(won.get(f.id, [])),
             "Recommended to": len(s.recommended.get(f.id, []))} for f in s.films if f.edition_id == s.edition.id]  # fmt: skip
    return pd.DataFrame(rows)


def award_form(item: ItemDetail, s: FestivalState, me_id: str) -> None:
    key = f"award-{s.edition.id}"
    films = {f.id: f for f in s.films if f.edition_id == s.edition.id}
    st.markdown("**Record an award**")
    st.caption("The jury's award starts the film's release in every member country outside its origin, each with its "
               "recommendation letter. A second award of the same film is added to the recommendations already sent.")  # fmt: skip
    film_id = st.selectbox("Film", list(films), key=f"{key}-film", format_func=lambda f: films[f].english_title, index=None,
                           placeholder="Choose the film")  # fmt: skip
    film = films.get(film_id) if film_id else None
    categories = {c.id: c.name() for c in s.edition.categories if film is None or c.section is film.section}
    with st.form(key, border=True):
        st.selectbox("Category", list(categories), key=f"{key}-category", format_func=categories.__getitem__, index=None,
                     placeholder="Choose the category", help="The categories of the film's section")  # fmt: skip
        st.text_area("Jury note", key=f"{key}-note", height=80)
        st.date_input("Announced on", key=f"{key}-date", value=s.edition.closes_on, min_value=s.edition.opens_on,
                      max_value=s.edition.closes_on)  # fmt: skip
        st.form_submit_button("Record award", type="primary", icon=":material/emoji_events:",
                              on_click=release_actions.record_award, args=(item.item_id, s, me_id, key, SCOPE))  # fmt: skip


def page() -> None:
    me = common.me()
    st.title("Festival")
    pairs = rc.festivals()
    if not access.is_festival_admin(me, rc.festival_admin_ids(pairs)):
        st.warning("This page is for the festival's administrators.", icon=":material/visibility_off:")
        return
    if not pairs:
        st.info("No festival edition is recorded yet.", icon=":material/festival:")
        return
    by_id = {item.item_id: (item, s) for item, s in pairs}
    chosen = st.selectbox("Edition", list(by_id), format_func=lambda i: by_id[i][1].edition.name(), key="fest-edition")
    item, s = by_id[chosen]
    e = s.edition
    st.caption(f"{e.city}, {common.country_name(e.country)} · {e.opens_on} to {e.closes_on} · "
               f"{len(s.films)} films · {len(s.awards)} awards · administrators: "
               f"{', '.join(p.name for p in s.people.festival_admins)}")  # fmt: skip
    common.show_flash(SCOPE)
    if access.is_festival_admin(me, (p.id for p in s.people.festival_admins)):
        award_form(item, s, me.id)  # the workflow still refuses anyone the edition does not name
    else:
        st.caption("Only the edition's administrators record its awards.")
    st.subheader("Films")
    st.dataframe(films_table(s), hide_index=True)
    st.subheader("Awards")
    if not s.awards:
        st.caption("No award is recorded yet.")
    else:
        titles = {f.id: f.english_title for f in s.films}
        st.dataframe(
            pd.DataFrame([{"Award": a.id, "Category": rc.category_name(e, a.category_id), "Film": titles.get(a.film_id, a.film_id),
                           "On": a.awarded_on.isoformat(), "Jury note": a.jury_note} for a in s.awards]),
            hide_index=True,
        )  # fmt: skip


page()
