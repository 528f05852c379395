"""One awarded film in one member country: the film and its awards, the country's path, the stages
with their dates, each decision (classification, quota, subsidy, licence, schedule, release), the
recommendation letter, the timeline — and the liaison's form for the current stage."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common, release_actions
from dashboard import grant_common as gc
from dashboard import program_common as pc
from dashboard import release_common as rc
from domain import access
from domain.parties import Person
from domain.releases.country_rules import EXPEDITED_DUE_DAYS, Step, languages_to_add
from domain.releases.festival import SECTION_NAMES
from domain.releases.process import STAGE_ORDER, ClassificationOutcome, ReleaseStage, ReleaseState
from domain.releases.rights import media_text
from store import queries
from store.models import ItemDetail, StepPublic

SCOPE = release_actions.SCOPE
STEP_OF_STAGE = {
    ReleaseStage.ACKNOWLEDGE: Step.ACKNOWLEDGE, ReleaseStage.CLASSIFICATION: Step.CLASSIFICATION, ReleaseStage.QUOTA: Step.QUOTA,
    ReleaseStage.SUBSIDY: Step.SUBSIDY, ReleaseStage.LICENCE: Step.LICENCE, ReleaseStage.SCHEDULING: Step.SCHEDULING,
    ReleaseStage.RELEASING: Step.RELEASE,
}  # fmt: skip


def header(item: ItemDetail, s: ReleaseState, step: StepPublic | None) -> None:
    st.title(f"{s.film.english_title} in {common.country_name(s.country)}")
    with st.container(horizontal=True):
        rc.stage_badge(s.stage.value)
        st.badge(s.edition.name(), color="gray", icon=":material/festival:")
        st.badge(s.country, color="gray", icon=":material/flag:")
        if step is not None:
            gc.due_badge(step)
    st.caption(f"`{item.item_id}` · liaison {s.liaison.name} · recommended {common.when(s.created_at)} · "
               f"updated {common.when(item.updated_at)}")  # fmt: skip
    m = st.columns(4)
    m[0].metric("Stage", rc.stage_label(s.stage.value), border=True)
    m[1].metric("Rating", (s.classification.rating or "—") if s.classification else "—", border=True)
    m[2].metric("Licensee", s.licence.grant.licensee_name if s.licence else "—", border=True)
    m[3].metric("Released" if s.released_on else "Release date", rc.day(s.released_on or s.release_on), border=True)
    if s.stage is ReleaseStage.DECLINED and s.decline_reason:
        st.warning(f"Declined: {s.decline_reason}", icon=":material/block:")
    if s.stage is ReleaseStage.REFUSED:
        why = (s.classification.reason if s.classification and s.classification.reason else "") or (
            s.quota.reason if s.quota else ""
        )
        st.warning("Refused" + (f": {why}" if why else "."), icon=":material/gpp_bad:")


def film_section(s: ReleaseState) -> None:
    f = s.film
    st.markdown(f"**{f.english_title}**" + (f" ({f.original_title})" if f.original_title != f.english_title else ""))
    st.caption(
        f"{SECTION_NAMES[f.section].capitalize()} · {f.runtime_minutes} min · {f.year} · languages: {', '.join(f.languages)} · "
        f"origin: {', '.join(common.country_name(c) for c in f.origin_countries)} · rights: {f.rights_holder.name}"
        + (f" · EIDR {f.eidr_id}" if f.eidr_id else "")
    )
    if s.awards:
        st.dataframe(
            pd.DataFrame([{"Award": rc.category_name(s.edition, a.category_id), "On": a.awarded_on.isoformat(),
                           "Jury note": a.jury_note} for a in s.awards]),
            hide_index=True, column_config={"Jury note": st.column_config.TextColumn(width="large")},
        )  # fmt: skip


def path_section(s: ReleaseState) -> None:
    r = s.rules
    scale = ", ".join(r.ratings) if r.ratings else "approval without age ratings"
    add = languages_to_add(r, s.film)
    lines = [
        f"Classification by **{r.classification_authority}** ({scale}).",
        "An **import-quota exception** is needed." if r.quota_exception_required else "No import-quota exception is needed.",
        (f"Subsidy: **{r.subsidy_body}**" + (f", at most {r.subsidy_maximum}" if r.subsidy_maximum else "") + ".")
        if r.subsidy_available else "No dubbing or subtitling subsidy.",
        f"Release languages: {', '.join(r.release_languages)}"
        + (f"; dubbing or subtitles needed for {', '.join(add)}." if add else "; the film already has them."),
    ]  # fmt: skip
    for line in lines:
        st.markdown(f"- {line}")


def done_on(s: ReleaseState, stage: ReleaseStage) -> str | None:
    value = {
        ReleaseStage.ACKNOWLEDGE: s.acknowledged_on,
        ReleaseStage.CLASSIFICATION: s.classification.on if s.classification else None,
        ReleaseStage.QUOTA: s.quota.on if s.quota else None,
        ReleaseStage.SUBSIDY: s.subsidy.on if s.subsidy else None,
        ReleaseStage.LICENCE: s.licence.signed_on if s.licence else None,
        ReleaseStage.SCHEDULING: s.release_on if s.stage in (ReleaseStage.RELEASING, ReleaseStage.RELEASED) else None,
        ReleaseStage.RELEASING: s.released_on,
    }.get(stage)
    return value.isoformat() if value else None


def chain_rows(s: ReleaseState, step: StepPublic | None) -> list[dict[str, Any]]:
    """The country's stages in order: done (with the date), current (with its due date), to come, or skipped."""
    stages = [x for x in STAGE_ORDER if x is not ReleaseStage.RELEASED]
    if not s.rules.quota_exception_required:
        stages.remove(ReleaseStage.QUOTA)
    current = STAGE_ORDER.index(s.stage) if s.stage in STAGE_ORDER else None
    rows = []
    for x in stages:
        on = done_on(s, x)
        if s.stage is x:
            status = "current"
        elif on or (current is not None and STAGE_ORDER.index(x) < current):
            status = "done"
        elif s.stage in (ReleaseStage.REFUSED, ReleaseStage.DECLINED):
            status = "not reached"
        else:
            status = "to come"
        due = step.due_at.date().isoformat() if status == "current" and step else ""
        days = s.rules.due_days.get(STEP_OF_STAGE[x], EXPEDITED_DUE_DAYS[STEP_OF_STAGE[x]])
        rows.append({"Stage": rc.stage_label(x.value), "Status": status, "Done on": on or "", "Due": due, "Days allowed": days})
    return rows


def decisions_section(s: ReleaseState) -> None:
    c = s.classification
    if c is not None:
        what = {ClassificationOutcome.APPROVED: "approved", ClassificationOutcome.APPROVED_WITH_CUTS: "approved with cuts",
                ClassificationOutcome.REFUSED: "refused"}[c.outcome]  # fmt: skip
        st.markdown(f"**Classification** — {what}" + (f", rated **{c.rating}**" if c.rating else "") + f" on {c.on}")
        if c.cuts:
            st.caption(f"Cuts: {c.cuts}")
        if c.reason:
            st.caption(f"Reason: {c.reason}")
    if s.quota is not None:
        q = s.quota
        st.markdown(f"**Import quota** — {'exception granted' if q.granted else 'refused'} on {q.on}"
                    + (f" ({q.reference})" if q.reference else ""))  # fmt: skip
        if q.reason:
            st.caption(f"Reason: {q.reason}")
    if s.subsidy is not None:
        b = s.subsidy
        amount = f": {gc.money(b.amount, b.currency)}" if b.amount is not None and b.currency else ""
        st.markdown(f"**Subsidy** — {b.outcome.value}" + (f" ({b.kind.value})" if b.kind else "") + amount + f" on {b.on}")
        if b.reason:
            st.caption(b.reason)
    for lic, past in [*[(x, True) for x in s.past_licences], *([(s.licence, False)] if s.licence else [])]:
        g = lic.grant
        state = "fell through" if past else ("signed on " + lic.signed_on.isoformat() if lic.signed_on else "being signed")
        st.markdown(f"**Licence {g.deal_id}** — {g.licensee_name}, {media_text(g.media)}, {g.starts_on} to {g.ends_on}"
                    f"{', exclusive' if g.exclusive else ''}, {gc.money(g.fee, g.currency)}: {state}")  # fmt: skip
        common.agreement_link(lic.agreement_workflow_id, "Open the licence agreement")
    if s.release_on:
        st.markdown(f"**Release** — scheduled for {s.release_on}" + (f" on {s.platform}" if s.platform else ""))
    if s.released_on:
        st.success(f"Released on {s.released_on}" + (f" ({s.platform})" if s.platform else "") + ".", icon=":material/theaters:")
    if not any([c, s.quota, s.subsidy, s.licence, s.past_licences, s.release_on]):
        st.caption("No decision recorded yet.")


def visible_item(me: Person) -> tuple[ItemDetail, ReleaseState] | None:
    return common.item_from_query('Country release', "Choose a country release from the releases matrix or your country's queue.", rc.RELEASE, rc.load_release, lambda item, s: rc.can_see_release(me, item, s))


def page() -> None:
    me = common.me()
    found = visible_item(me)
    if found is None:
        return
    item, s = found
    steps = [x for x in queries.open_steps(common.engine(), item_id=item.item_id) if x.kind == "release"]
    step = steps[0] if steps else None
    header(item, s, step)
    common.show_flash(SCOPE)
    drawn = release_actions.release_actions(item.item_id, s, me, SCOPE)
    if not drawn and step is not None and me.id not in step.awaited_ids:
        st.caption(f"Awaiting {', '.join(step.awaited_names)}: {step.label}.")
    elif not drawn and access.acts_for_release(me, s.country) and s.liaison.id != me.id:
        st.caption(f"This release is taken through by {s.liaison.name}, the liaison the festival named for {s.country}.")
    if s.stage is ReleaseStage.LICENCE and s.licence is not None:
        st.info(f"Licence {s.licence.grant.deal_id} is with the parties for signature; the release can be scheduled once "
                "it is executed.", icon=":material/signature:")  # fmt: skip
    tabs = st.tabs(["Path & stages", "Film & awards", "Decisions", "Recommendation letter", "Timeline"])
    with tabs[0]:
        path_section(s)
        st.dataframe(pd.DataFrame(chain_rows(s, step)), hide_index=True)
    with tabs[1]:
        film_section(s)
    with tabs[2]:
        decisions_section(s)
    with tabs[3]:
        if not gc.stored_downloads(item.item_id, ["recommendation_letter"], f"{s.film.id}-{s.country.lower()}"):
            st.caption("The recommendation letter is issued when the release starts.")
    with tabs[4]:
        pc.timeline(item.item_id)


page()
