"""One agreement: where it stands, who is awaited, each party's approval and signature, its
versions and documents, what changed between versions, its timeline and its comments.

Decisions on versions are taken from "My tasks", where each action carries the version the
person saw. Here, everyone the workflow accepts it from may comment on the current version or
propose a revision while the text is open, and the initiator or a party's signatory may give
notice of termination once the agreement is in force (`dashboard/actions.py`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import actions, common, diff_view
from domain import access
from domain import agreement_rules as rules
from domain.agreements import AgreementState, PartySpec, Phase
from domain.parties import Person
from store import queries
from store.blobs import BlobError
from store.models import ItemDetail

TASKS_PAGE = common.DETAIL_PAGE.parent / "tasks.py"
SCOPE = "agreement"


def participant_ids(state: AgreementState) -> list[str]:
    return list(rules.participants(state))


def header(item: ItemDetail, state: AgreementState, me: Person) -> None:
    st.title(item.title)
    with st.container(horizontal=True):
        common.phase_badge(item.phase)
        st.badge(common.kind_label(item.kind), color="gray", icon=":material/category:")
        if state.term_number > 1:
            st.badge(f"Term {state.term_number}", color="blue")
    spec = state.spec
    st.caption(
        f"`{item.item_id}` · initiated by {spec.initiator.name} · languages: {', '.join(spec.languages)} · "
        f"signing: {spec.signing_mode.value} · created {common.when(item.created_at)} · updated {common.when(item.updated_at)}"
    )
    cur = state.current
    approved = sum(rules.party_approved(state, p) for p in spec.parties)
    signed = len(rules.signed_parties(state))
    m = st.columns(4)
    m[0].metric(
        "Current version",
        f"v{cur.number}" if cur else "—",
        border=True,
        help=f"hash {common.short_hash(cur.text_sha256)}" if cur else None,
    )
    m[1].metric("Parties approved", f"{approved}/{len(spec.parties)}", border=True)
    m[2].metric("Parties signed", f"{signed}/{len(spec.parties)}", border=True)
    m[3].metric("Review round", state.review_round, border=True)
    if state.phase in {Phase.VOIDED, Phase.TERMINATED, Phase.TERMINATING} and state.outcome_reason:
        st.warning(f"{common.phase_label(state.phase)}: {state.outcome_reason}", icon=":material/info:")
    if state.executed_at:
        st.success(
            f"Executed {common.when(state.executed_at)}; in force from {state.effective_date} to {state.expiry_date}"
            + (f", ending early on {state.ends_on}" if state.ends_on else "")
            + ".",
            icon=":material/verified:",
        )
        if state.executed_pdf_sha256:
            pdf_download(
                state.executed_pdf_sha256,
                "Download the executed agreement (PDF)",
                f"{state.spec.id}-executed-term{state.term_number}.pdf",
                primary=True,
            )
            signature_status(state.executed_pdf_sha256)


@st.cache_data(show_spinner=False, max_entries=500)
def _verification(sha: str, pki_dir: str) -> dict | None:
    """verify_pdf of a stored PDF, once per document: its bytes never change under its hash."""
    import logging

    from documents.pki import LocalAuthority
    from documents.signing import NotAPdf, verify_pdf

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # tracebacks of failed checks; problems are shown instead
    root = LocalAuthority.trust_root(pki_dir)
    if root is None:
        return None
    try:
        return verify_pdf(common.blobs().get(sha), root).model_dump(mode="json")
    except (BlobError, NotAPdf):
        return None


def signature_status(sha: str) -> None:
    """The executed PDF's PAdES signatures, checked against this server's signing authority."""
    result = _verification(sha, str(common.settings().data_dir / "pki"))
    if result is None:
        return
    signatures = result["signatures"]
    if not signatures:
        st.caption("This PDF carries no digital signature (executed before Helix sealed its PDFs).")
        return
    who = ", ".join(s["organisation"] for s in signatures)
    n = len(signatures)
    headline = f"Digitally signed by {n} organisation{'s' if n != 1 else ''} (PAdES)"
    if result["ok"]:
        st.caption(f":material/verified_user: {headline}: {who}. Every signature is intact, issued by this "
                   "server's signing authority, and the last one covers the whole file.")  # fmt: skip
    else:
        st.error(f"{headline}, but the check failed: " + " ".join(result["problems"]), icon=":material/gpp_bad:")


def pdf_download(sha: str, label: str, file_name: str, primary: bool = False) -> None:
    """A download button whose bytes are read only when clicked; disabled if the file is missing."""
    store = common.blobs()
    if not store.has(sha):
        st.button(
            label,
            disabled=True,
            key=f"missing-{sha}-{file_name}",
            help="This document is not in the document store on this server.",
        )
        return

    def read() -> bytes:
        try:
            return store.get(sha)
        except BlobError:
            common.log.exception("document %s could not be served", sha)
            return b""

    st.download_button(
        label,
        read,
        file_name=file_name,
        mime="application/pdf",
        key=f"dl-{sha}-{file_name}",
        icon=":material/download:",
        type="primary" if primary else "secondary",
    )


def steps_section(item: ItemDetail, me: Person) -> None:
    steps = queries.open_steps(common.engine(), item_id=item.item_id)
    st.subheader("Awaited now")
    if not steps:
        st.caption("No one is awaited on this agreement at the moment.")
        return
    for s in steps:
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{s.label}**")
            left.caption(f"Awaiting {', '.join(s.awaited_names)} since {common.when(s.opened_at)} · due {common.when(s.due_at)}")
            with right:
                color = "red" if s.overdue else ("orange" if s.due_in_days < 3 else "gray")
                st.badge(common.due_text(s.due_in_days), color=color, icon=":material/schedule:")
    if access.can_act(me) and any(me.id in s.awaited_ids for s in steps):
        st.page_link(TASKS_PAGE, label="You are awaited here — go to My tasks", icon=":material/inbox:")


def party_status(state: AgreementState, party: PartySpec) -> dict[str, str]:
    done = set(rules.approvals_of(state, party))
    names = [p.name for p in party.approvers if p.id in done]
    approval = f"{len(done)}/{party.approvals_required}" + (f" — {', '.join(names)}" if names else "")
    if rules.party_approved(state, party):
        approval = "✓ " + approval
    sig = next((s for s in state.signatures if s.organisation_id == party.organisation_id and s.term == state.term_number), None)
    if sig:
        signature = f"✓ {sig.signer_name} ({sig.title})" if sig.title else f"✓ {sig.signer_name}"
        signature += f", {sig.at:%Y-%m-%d}"
    elif state.phase is Phase.SIGNING and party in rules.open_signing_parties(state):
        signature = f"Awaiting {rules.signer_for(state, party).name}"
    elif state.phase is Phase.SIGNING:
        signature = "Waiting for an earlier signing group"
    else:
        signature = "—"
    return {
        "Party": party.name(),
        "Country": f"{common.country_name(party.country)} ({party.country})",
        "Approvals (current version)": approval,
        "Signature": signature,
        "Signs": rules.signer_for(state, party).name,
        "Liaison": party.liaison.name if party.liaison else "—",
    }


def versions_section(state: AgreementState) -> None:
    if not state.versions:
        st.caption("The first version is still being prepared.")
        return
    rows = [
        {
            "Version": v.number,
            "Author": v.author_name,
            "Summary": v.summary,
            "Hash": common.short_hash(v.text_sha256),
            "Pages": v.pages or None,
            "Created": v.created_at,
        }
        for v in reversed(state.versions)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "Version": st.column_config.NumberColumn(format="v%d"),
            "Created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "Summary": st.column_config.TextColumn(width="large"),
        },
    )
    st.markdown("**Documents**")
    with st.container(horizontal=True):
        for v in reversed(state.versions):
            pdf_download(v.pdf_sha256, f"Version {v.number} (PDF)", f"{state.spec.id}-v{v.number}.pdf")


def timeline_section(item: ItemDetail) -> None:
    events = queries.events_for(common.engine(), item.item_id)
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


def comments_section(state: AgreementState) -> None:
    if not state.comments:
        st.caption("No comments yet.")
        return
    orgs = {p.organisation_id: p.name() for p in state.spec.parties}
    for c in reversed(state.comments):
        with st.container(border=True):
            where = f" on clause `{c.clause_id}`" if c.clause_id else ""
            org = f" ({orgs.get(c.organisation_id, c.organisation_id)})" if c.organisation_id else ""
            st.caption(f"**{c.author_name}**{org} · version {c.version}{where} · {common.when(c.at)}")
            st.text(c.text)


def page() -> None:
    me = common.me()
    item_id = st.query_params.get("id")
    if not item_id:
        st.title("Agreement")
        st.info("Choose an agreement from the list.", icon=":material/list:")
        st.page_link(common.DETAIL_PAGE.parent / "agreements.py", label="All agreements", icon=":material/contract:")
        return
    item = queries.get_item(common.engine(), item_id)
    state = common.load_state(item.detail) if item and item.item_type == "agreement" else None
    if (
        item is None
        or state is None
        or not access.can_view_item(me, item.countries, item.organisation_ids, participant_ids(state))
    ):
        st.title("Agreement")
        st.warning("This agreement does not exist or is not visible to you.", icon=":material/visibility_off:")
        return
    header(item, state, me)
    common.show_flash(SCOPE)
    actions.termination_form(item.item_id, state, me, SCOPE)
    status, versions, compare, timeline, comments = st.tabs(
        ["Status", "Versions & documents", "Compare versions", "Timeline", f"Comments ({len(state.comments)})"]
    )
    with status:
        steps_section(item, me)
        actions.participation(item.item_id, state, me, SCOPE)
        st.subheader("Parties")
        st.dataframe(pd.DataFrame([party_status(state, p) for p in state.spec.parties]), hide_index=True)
    with versions:
        versions_section(state)
    with compare:
        diff_view.compare_versions(state)
    with timeline:
        timeline_section(item)
    with comments:
        comments_section(state)


page()
