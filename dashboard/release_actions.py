"""The liaison's forms on a country release, and the festival office's award form.

Exactly one form is offered for the release's current stage (acknowledge, classify, quota,
subsidy, licence, schedule, confirm), plus declining; which one follows the workflow's own pure
checks (`domain.releases.process.check_*`) run with a harmless stand-in action, so a person who
is not the country's liaison sees no form. The workflow's validator still has the last word, and
its sentence is shown when it says no.

The `*_data` functions turn what was typed into an action's fields, or into a sentence saying
what to fix (nothing is sent then); they are pure, so the forms' rules are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import streamlit as st

from dashboard import client, common
from dashboard import program_common as pc
from dashboard import release_common as rc
from domain.grants.money import money_in
from domain.parties import Person
from domain.releases import process as rules
from domain.releases.festival import Edition, Film, JuryAward, check_award
from domain.releases.process import (
    AcknowledgeAction,
    ClassificationOutcome,
    ClassifyAction,
    ConfirmReleaseAction,
    DeclineAction,
    FestivalState,
    QuotaAction,
    ReleaseStage,
    ReleaseState,
    ScheduleAction,
    SubsidyAction,
    SubsidyOutcome,
)
from domain.releases.rights import MEDIA_NAMES, MEDIA_ORDER
from store import directory

SCOPE = "release"
OUTCOME_LABELS = {
    ClassificationOutcome.APPROVED: "Approved",
    ClassificationOutcome.APPROVED_WITH_CUTS: "Approved with cuts",
    ClassificationOutcome.REFUSED: "Refused",
}
SUBSIDY_LABELS = {SubsidyOutcome.SKIPPED: "Not applied for (skip)", SubsidyOutcome.GRANTED: "Granted",
                  SubsidyOutcome.REFUSED: "Refused"}  # fmt: skip


def _text(key: str) -> str:
    return str(st.session_state.get(key) or "").strip()


# ---------------------------------------------------------------- pure: what is sent


def acknowledge_data(actor_id: str, note: str = "") -> dict[str, Any]:
    return {"actor_id": actor_id, "note": note.strip()}


def classify_data(actor_id: str, outcome: str, rating: str | None, cuts: str = "", reason: str = "") -> dict[str, Any] | str:
    try:
        o = ClassificationOutcome(outcome)
    except ValueError:
        return "Please choose the classification outcome."
    if o is ClassificationOutcome.REFUSED:
        if not reason.strip():
            return "Please say why classification was refused: the rights holder reads the reason."
        return {"actor_id": actor_id, "outcome": o.value, "rating": None, "cuts": "", "reason": reason.strip()}
    if not rating:
        return "Please choose the rating the authority gave."
    if o is ClassificationOutcome.APPROVED_WITH_CUTS and not cuts.strip():
        return "Please describe the cuts required: the distributor must make them."
    return {"actor_id": actor_id, "outcome": o.value, "rating": rating, "cuts": cuts.strip(), "reason": ""}


def quota_data(actor_id: str, granted: bool, reference: str = "", reason: str = "") -> dict[str, Any] | str:
    if not granted and not reason.strip():
        return "Please say why the import-quota exception was refused."
    return {"actor_id": actor_id, "granted": granted, "reference": reference.strip(), "reason": reason.strip()}


def _amount(text: str, what: str) -> str | None:
    """The amount as an exact decimal string, or None when it cannot be read (the caller says so)."""
    try:
        return str(money_in(text.replace(" ", "").replace(",", ""), what))
    except Exception:  # noqa: BLE001 - `Rejected` or anything odd typed
        return None


def subsidy_data(
    actor_id: str, outcome: str, kind: str | None = None, amount: str = "", currency: str = "", reason: str = ""
) -> dict[str, Any] | str:
    try:
        o = SubsidyOutcome(outcome)
    except ValueError:
        return "Please choose what happened to the subsidy."
    data: dict[str, Any] = {"actor_id": actor_id, "outcome": o.value, "reason": reason.strip()}
    if o is SubsidyOutcome.SKIPPED:
        return data
    if not kind:
        return "Please say whether the subsidy is for dubbing or subtitling."
    data["kind"] = kind
    if o is SubsidyOutcome.GRANTED:
        value = _amount(amount, "the subsidy") if amount.strip() else None
        if value is None:
            return "Please give the granted amount as a number, e.g. 12000000."
        cur = currency.strip().upper()
        if len(cur) != 3 or not cur.isalpha():
            return "Please give the currency as a three-letter code, e.g. KZT."
        data |= {"amount": value, "currency": cur}
    return data


def suggested_deal_id(state: ReleaseState) -> str:
    """lic-<country>-<film>, numbered after deals that fell through: ids stay unique and readable."""
    base = f"lic-{state.country.lower()}-{state.film.id}"[:58]
    n = len(state.past_licences)
    return base if n == 0 else f"{base}-{n + 1}"


def licence_data(
    actor_id: str, deal_id: str, licensee_id: str | None, media: Sequence[str], starts_on: date | None, ends_on: date | None,
    exclusive: bool, fee: str, currency: str,
) -> dict[str, Any] | str:  # fmt: skip
    """The licence's fields; the distributor goes as `licensee_id` and the service makes it a party."""
    if not licensee_id:
        return "Please choose the distributor."
    if not media:
        return "Please choose at least one medium."
    if starts_on is None or ends_on is None:
        return "Please give the licence term."
    if ends_on < starts_on:
        return f"The licence cannot end ({ends_on}) before it starts ({starts_on})."
    deal = deal_id.strip().lower()
    if not deal:
        return "Please give the deal id."
    value = _amount(fee, "the fee") if fee.strip() else None
    if value is None:
        return "Please give the licence fee as a number, e.g. 25000."
    cur = currency.strip().upper()
    if len(cur) != 3 or not cur.isalpha():
        return "Please give the currency as a three-letter code, e.g. USD."
    order = [m.value for m in MEDIA_ORDER]
    return {"actor_id": actor_id, "deal_id": deal, "licensee_id": licensee_id, "media": sorted(set(media), key=order.index),
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "exclusive": bool(exclusive), "fee": value,
            "currency": cur}  # fmt: skip


def dated_data(actor_id: str, field: str, on: date | None, platform: str) -> dict[str, Any] | str:
    """schedule_release (`release_on`) and confirm_release (`released_on`)."""
    if on is None:
        return "Please give the date."
    if len(platform.strip()) < 2:
        return "Please name the platform: the cinema chain, streaming service or channel."
    return {"actor_id": actor_id, field: on.isoformat(), "platform": platform.strip()}


def decline_data(actor_id: str, reason: str) -> dict[str, Any] | str:
    if len(reason.strip()) < 3:
        return "Please say why the country declines the recommendation: the festival reads the reason."
    return {"actor_id": actor_id, "reason": reason.strip()}


def award_id(edition_id: str, film_id: str, category_id: str) -> str:
    """edition + film + category: the same award recorded twice has the same id, so it counts once."""
    return f"{edition_id}-{film_id}-{category_id}".replace("_", "-")[:64]


def award_data(actor_id: str, edition: Edition, films: Sequence[Film], awarded: Sequence[JuryAward], film_id: str | None,
               category_id: str | None, jury_note: str, awarded_on: date | None) -> dict[str, Any] | str:  # fmt: skip
    """The record_award fields, checked against the edition as the festival workflow will check them."""
    if not film_id or not category_id:
        return "Please choose the film and the award category."
    if awarded_on is None:
        return "Please give the date the jury announced the award."
    award = {"id": award_id(edition.id, film_id, category_id), "edition_id": edition.id, "film_id": film_id,
             "category_id": category_id, "jury_note": jury_note.strip(), "awarded_on": awarded_on.isoformat()}  # fmt: skip
    if any(a.id == award["id"] for a in awarded):
        return f"Award {award['id']} is already recorded."
    problem = rc.allowed(lambda _s, a: check_award(edition, films, a, awarded=awarded), None, JuryAward.model_validate(award))
    return problem or {"actor_id": actor_id, "award": award}


# ---------------------------------------------------------------- which form


def form_for(state: ReleaseState, me_id: str) -> ReleaseStage | None:
    """The stage whose form this person may use now (None: nothing to do), by the workflow's checks."""
    g = state.licence.grant if state.licence else None
    on = g.starts_on if g else date.today()
    probes: list[tuple[ReleaseStage, Any, Any]] = [
        (ReleaseStage.ACKNOWLEDGE, rules.check_acknowledge, AcknowledgeAction(actor_id=me_id)),
        (ReleaseStage.CLASSIFICATION, rules.check_classify,
         ClassifyAction(actor_id=me_id, outcome=ClassificationOutcome.REFUSED, reason="probe")),
        (ReleaseStage.QUOTA, rules.check_quota, QuotaAction(actor_id=me_id, granted=True)),
        (ReleaseStage.SUBSIDY, rules.check_subsidy, SubsidyAction(actor_id=me_id, outcome=SubsidyOutcome.SKIPPED)),
        (ReleaseStage.SCHEDULING, rules.check_schedule, ScheduleAction(actor_id=me_id, release_on=on, platform="probe")),
        (ReleaseStage.RELEASING, rules.check_confirm, ConfirmReleaseAction(actor_id=me_id, released_on=on, platform="probe")),
    ]  # fmt: skip
    for stage, check, probe in probes:
        if state.stage is stage and rc.allowed(check, state, probe) is None:
            return stage
    if state.stage is ReleaseStage.LICENCE and state.liaison.id == me_id and state.licence is None:
        return ReleaseStage.LICENCE
    return None


def can_decline(state: ReleaseState, me_id: str) -> bool:
    return rc.allowed(rules.check_decline, state, DeclineAction(actor_id=me_id, reason="probe")) is None


# ---------------------------------------------------------------- sending


def _send(wid: str, revision: int, action: str, data: dict[str, Any] | str, scope: str) -> None:
    if isinstance(data, str):
        common.flash(False, data, scope)
        return
    pc.send(wid, action, data, revision, scope)


def _key(state: ReleaseState, what: str) -> str:
    return f"{what}-{state.film.id}-{state.country.lower()}"


def _acknowledge(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    _send(wid, state.revision, "acknowledge", acknowledge_data(me_id, _text(f"{key}-note")), scope)


def _classify(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    data = classify_data(me_id, str(st.session_state.get(f"{key}-outcome") or ""), st.session_state.get(f"{key}-rating"),
                         _text(f"{key}-cuts"), _text(f"{key}-reason"))  # fmt: skip
    _send(wid, state.revision, "classify", data, scope)


def _quota(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    granted = st.session_state.get(f"{key}-decision") == "granted"
    _send(
        wid, state.revision, "decide_quota", quota_data(me_id, granted, _text(f"{key}-reference"), _text(f"{key}-reason")), scope
    )


def _subsidy(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    data = subsidy_data(me_id, str(st.session_state.get(f"{key}-outcome") or ""), st.session_state.get(f"{key}-kind"),
                        _text(f"{key}-amount"), _text(f"{key}-currency"), _text(f"{key}-reason"))  # fmt: skip
    _send(wid, state.revision, "record_subsidy", data, scope)


def _licence(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    data = licence_data(me_id, _text(f"{key}-deal"), st.session_state.get(f"{key}-licensee"),
                        list(st.session_state.get(f"{key}-media") or []), st.session_state.get(f"{key}-starts"),
                        st.session_state.get(f"{key}-ends"), bool(st.session_state.get(f"{key}-exclusive")),
                        _text(f"{key}-fee"), _text(f"{key}-currency"))  # fmt: skip
    _send(wid, state.revision, "propose_licence", data, scope)


def _dated(wid: str, state: ReleaseState, me_id: str, key: str, scope: str, action: str, field: str) -> None:
    data = dated_data(me_id, field, st.session_state.get(f"{key}-date"), _text(f"{key}-platform"))
    _send(wid, state.revision, action, data, scope)


def _decline(wid: str, state: ReleaseState, me_id: str, key: str, scope: str) -> None:
    _send(wid, state.revision, "decline", decline_data(me_id, _text(f"{key}-reason")), scope)


# ---------------------------------------------------------------- the forms


def acknowledge_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "ack")
    with st.form(key, border=True):
        st.markdown("**Acknowledge the recommendation**")
        st.caption(f"{state.rules.classification_authority} reviews the film next.")
        st.text_area("Note (optional)", key=f"{key}-note", height=70)
        st.form_submit_button("Acknowledge", type="primary", icon=":material/check_circle:",
                              on_click=_acknowledge, args=(wid, state, me.id, key, scope))  # fmt: skip


def classify_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "classify")
    r = state.rules
    with st.form(key, border=True):
        st.markdown(f"**Classification by {r.classification_authority}**")
        st.radio("Outcome", [o.value for o in ClassificationOutcome], key=f"{key}-outcome", horizontal=True,
                 format_func=lambda o: OUTCOME_LABELS[ClassificationOutcome(o)])  # fmt: skip
        st.selectbox("Rating", list(r.scale), key=f"{key}-rating",
                     help="The country's scale" if r.ratings else "This country approves films without age ratings.")  # fmt: skip
        st.text_area("Cuts required (with “approved with cuts”)", key=f"{key}-cuts", height=70)
        st.text_area("Reason (with “refused”)", key=f"{key}-reason", height=70)
        st.form_submit_button("Record classification", type="primary", icon=":material/gavel:",
                              on_click=_classify, args=(wid, state, me.id, key, scope))  # fmt: skip


def quota_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "quota")
    with st.form(key, border=True):
        st.markdown("**Import-quota exception**")
        st.radio("Decision", ["granted", "refused"], key=f"{key}-decision", horizontal=True, format_func=str.capitalize)
        st.text_input("Reference of the decision", key=f"{key}-reference")
        st.text_area("Reason (when refused)", key=f"{key}-reason", height=70)
        st.form_submit_button("Record quota decision", type="primary", icon=":material/approval:",
                              on_click=_quota, args=(wid, state, me.id, key, scope))  # fmt: skip


def subsidy_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "subsidy")
    r = state.rules
    with st.form(key, border=True):
        st.markdown("**Dubbing or subtitling subsidy**")
        if r.subsidy_available:
            st.caption(f"{r.subsidy_body}" + (f", at most {r.subsidy_maximum}" if r.subsidy_maximum else ""))
        else:
            st.caption(f"{r.name} offers no subsidy: record it as not applied for.")
        st.radio("Outcome", [o.value for o in SubsidyOutcome], key=f"{key}-outcome", horizontal=True,
                 format_func=lambda o: SUBSIDY_LABELS[SubsidyOutcome(o)])  # fmt: skip
        st.selectbox("For", ["dubbing", "subtitling"], key=f"{key}-kind", format_func=str.capitalize)
        left, right = st.columns(2)
        left.text_input("Amount granted", key=f"{key}-amount")
        right.text_input("Currency", key=f"{key}-currency", value=r.subsidy_currency or "")
        st.text_area("Reason or note", key=f"{key}-reason", height=70)
        st.form_submit_button("Record subsidy", type="primary", icon=":material/payments:",
                              on_click=_subsidy, args=(wid, state, me.id, key, scope))  # fmt: skip


def distributors(country: str) -> dict[str, str]:
    """organisation id → name of the directory's distributors in the country."""
    orgs = directory.list_organisations(common.engine(), kind="distributor", country=country)
    return {o.id: o.name() for o in orgs}


def licence_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "licence")
    options = distributors(state.country)
    with st.form(key, border=True):
        st.markdown("**Propose a licence to a distributor**")
        st.caption(f"The rights are reserved with {state.licensor.names.get('en', state.licensor.organisation_id)} "
                   "and the licence goes to both parties for signature.")  # fmt: skip
        if not options:
            st.warning(f"The directory has no distributor in {common.country_name(state.country)}; "
                       "ask an administrator to add one.", icon=":material/domain_disabled:")  # fmt: skip
        st.selectbox("Distributor", list(options), key=f"{key}-licensee", format_func=lambda o: options.get(o, o), index=None,
                     placeholder="Choose a distributor")  # fmt: skip
        st.multiselect("Media", [m.value for m in MEDIA_ORDER], key=f"{key}-media", default=["theatrical"],
                       format_func=lambda m: MEDIA_NAMES[m].capitalize() if m != "tv" else "TV")  # fmt: skip
        today = date.today()
        a, b = st.columns(2)
        a.date_input("Starts on", key=f"{key}-starts", value=today)
        b.date_input("Ends on", key=f"{key}-ends", value=today.replace(year=today.year + 2) - timedelta(days=1))
        st.checkbox("Exclusive", key=f"{key}-exclusive")
        c, d, e = st.columns([2, 1, 2])
        c.text_input("Fee", key=f"{key}-fee")
        d.text_input("Currency", key=f"{key}-currency", value="USD")
        e.text_input("Deal id", key=f"{key}-deal", value=suggested_deal_id(state))
        st.form_submit_button("Propose licence", type="primary", icon=":material/contract:",
                              on_click=_licence, args=(wid, state, me.id, key, scope))  # fmt: skip


def dated_form(wid: str, state: ReleaseState, me: Person, scope: str, confirm: bool) -> None:
    key = _key(state, "confirm" if confirm else "schedule")
    g = state.licence.grant if state.licence else None
    with st.form(key, border=True):
        st.markdown("**Confirm the release**" if confirm else "**Schedule the release**")
        if g is not None:
            st.caption(f"Within the licence term, {g.starts_on} to {g.ends_on}.")
        default = state.release_on if confirm and state.release_on else (g.starts_on if g else date.today())
        st.date_input("Released on" if confirm else "Release date", key=f"{key}-date", value=default)
        st.text_input("Platform (cinema chain, streaming service or channel)", key=f"{key}-platform", value=state.platform or "")
        action, field = ("confirm_release", "released_on") if confirm else ("schedule_release", "release_on")
        st.form_submit_button("Confirm release" if confirm else "Schedule release", type="primary",
                              icon=":material/theaters:" if confirm else ":material/event:",
                              on_click=_dated, args=(wid, state, me.id, key, scope, action, field))  # fmt: skip


def decline_form(wid: str, state: ReleaseState, me: Person, scope: str) -> None:
    key = _key(state, "decline")
    with st.expander("Decline the recommendation"), st.form(key, border=False):
        st.caption("The film will not be released in this country through the network; the festival is told why.")
        st.text_area("Reason", key=f"{key}-reason", height=70)
        st.form_submit_button("Decline", icon=":material/block:", on_click=_decline, args=(wid, state, me.id, key, scope))


def release_actions(wid: str, state: ReleaseState, me: Person, scope: str = SCOPE) -> bool:
    """Draw the one form of the current stage (and declining) for the liaison; False when none."""
    stage = form_for(state, me.id)
    if stage is ReleaseStage.ACKNOWLEDGE:
        acknowledge_form(wid, state, me, scope)
    elif stage is ReleaseStage.CLASSIFICATION:
        classify_form(wid, state, me, scope)
    elif stage is ReleaseStage.QUOTA:
        quota_form(wid, state, me, scope)
    elif stage is ReleaseStage.SUBSIDY:
        subsidy_form(wid, state, me, scope)
    elif stage is ReleaseStage.LICENCE:
        licence_form(wid, state, me, scope)
    elif stage is ReleaseStage.SCHEDULING:
        dated_form(wid, state, me, scope, confirm=False)
    elif stage is ReleaseStage.RELEASING:
        dated_form(wid, state, me, scope, confirm=True)
    declinable = can_decline(state, me.id)
    if declinable:
        decline_form(wid, state, me, scope)
    return stage is not None or declinable


# ---------------------------------------------------------------- the festival office


def record_award(wid: str, state: FestivalState, me_id: str, key: str, scope: str) -> None:
    data = award_data(me_id, state.edition, state.films, state.awards, st.session_state.get(f"{key}-film"),
                      st.session_state.get(f"{key}-category"), _text(f"{key}-note"), st.session_state.get(f"{key}-date"))  # fmt: skip
    if isinstance(data, str):
        common.flash(False, data, scope)
        return
    uid = pc.update_id(wid, "record_award", me_id, state.revision, data)
    outcome = client.perform(wid, "record_award", data, uid)
    message = outcome.message
    started = list(getattr(outcome.result, "started", None) or [])
    if outcome.ok and started:
        countries = ", ".join(w.rsplit("-", 1)[-1].upper() for w in started)
        message = f"{message} Country releases started ({len(started)}): {countries}."
    common.flash(outcome.ok, message, scope)
