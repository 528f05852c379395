"""One credit transfer: the pre-check and decision per course, the stage chain with its sign-offs,
questions and answers, the learning agreement, documents, the timeline — and the actions the
signed-in person's roles allow at this stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common, transfer_actions
from dashboard import program_common as pc
from domain import transfer_rules as rules
from domain.catalogs import code_key
from domain.credits import CREDIT_SYSTEMS, plain_number
from domain.parties import Person
from domain.transfer_decisions import TransferStage, resolved_target, transfer_stages
from domain.transfer_state import CreditTransferState
from store import queries
from store.models import ItemDetail

SCOPE = "transfer"


def header(item: ItemDetail, s: CreditTransferState) -> None:
    prog = s.program
    st.title(f"Credit transfer {s.request.term}: {s.student.name}")
    with st.container(horizontal=True):
        pc.stage_badge(s.stage.value)
        st.badge(prog.name(), color="gray", icon=":material/school:")
        age = pc.age_days(item.created_at or s.created_at)
        if age is not None and s.stage is not TransferStage.POSTED:
            st.badge(f"{age} days old", color="red" if age >= 30 else "gray", icon=":material/schedule:")
    st.caption(
        f"Request `{s.request.id}` · taken at {pc.institution_name(prog, s.partner_id)}, credited at "
        f"{pc.institution_name(prog, s.home_id)} · revision {s.revision} · requested {common.when(item.created_at or s.created_at)}"
        + (f" · posted {common.when(s.posted_at)}" if s.posted_at else "")
    )
    record_item = f"student-{s.record.student_id}"
    pc.student_link(record_item, f"{s.student.name}'s record")
    summary = s.summary()
    m = st.columns(4)
    m[0].metric("Courses", summary["courses"], border=True)
    m[1].metric("Approved", summary["approved"], border=True)
    m[2].metric("Rejected", summary["rejected"], border=True)
    m[3].metric("Pending", summary["pending"], border=True)


def courses_table(s: CreditTransferState) -> pd.DataFrame:
    prog = s.program
    partner, home = prog.institution(s.partner_id), prog.institution(s.home_id)
    latest = s.latest()
    people = pc.transfer_people(s)
    rows: list[dict[str, Any]] = []
    for ln in s.lines:
        key = code_key(ln.partner_course.code)
        d = latest.get(key)
        counts = ""
        if d is not None:
            home_code, category = resolved_target(d, ln)
            counts = home_code or (f"elective ({category})" if category else "")
        rows.append(
            {
                "Course": f"{ln.partner_course.code} {ln.course.title}",
                "Credits": f"{plain_number(ln.course.credits)} {CREDIT_SYSTEMS[partner.credit_system].short}",
                "Grade": ln.course.grade,
                "Converted credits": pc.credits(ln.credits, home.credit_system),
                "Converted grade": ln.grade.grade + ("" if ln.grade.passing else " (fail)"),
                "Equivalency": ln.equivalency.target_label if ln.equivalency else "none in force",
                "Suggested": ln.suggested.value.replace("_", " ") if ln.suggested else "—",
                "Flags": "; ".join(ln.notes),
                "Decision": d.decision.value.replace("_", " ") if d else "undecided",
                "Counts as": counts,
                "Reason / note": " — ".join(x for x in ((d.reason.value.replace("_", " ") if d and d.reason else ""), (d.comment if d else "")) if x),
                "Decided by": people.get(s.decided_by.get(key, ""), s.decided_by.get(key, "")),
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def chain_table(s: CreditTransferState) -> pd.DataFrame:
    stages = transfer_stages(s.program)
    current = stages.index(s.stage) if s.stage in stages else 0
    rows = []
    for i, stage in enumerate(stages):
        signed = [x for x in s.signoffs if x.stage is stage]
        who = rules.people(s, rules.STAGE_ROLES[stage]) if stage in rules.STAGE_ROLES else ()
        status = "done" if i < current or s.stage is TransferStage.POSTED else ("now" if i == current else "to come")
        rows.append(
            {
                "Stage": rules.STAGE_NAMES[stage].capitalize(),
                "Status": status,
                "Who": ", ".join(p.name for p in who)
                or ("Helix" if stage in {TransferStage.PRECHECK, TransferStage.POSTED} else "—"),
                "Signed off by": ", ".join(x.person_name for x in signed) or "",
                "When": signed[-1].at if signed else None,
                "Comment": signed[-1].comment if signed else "",
            }
        )
    return pd.DataFrame(rows)


def steps_section(item: ItemDetail, me: Person) -> None:
    steps = queries.open_steps(common.engine(), item_id=item.item_id)
    if not steps:
        st.caption("No one is awaited on this request at the moment.")
        return
    for s in steps:
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{s.label}**" + (" — that is you" if me.id in s.awaited_ids else ""))
            left.caption(f"Awaiting {', '.join(s.awaited_names)} since {common.when(s.opened_at)} · due {common.when(s.due_at)}")
            with right:
                color = "red" if s.overdue else ("orange" if s.due_in_days < 3 else "gray")
                st.badge(common.due_text(s.due_in_days), color=color, icon=":material/schedule:")


def questions_section(s: CreditTransferState) -> None:
    if not s.info:
        st.caption("The department has asked no questions.")
        return
    people = pc.transfer_people(s)
    rows = [
        {
            "Course": q.course_code,
            "Question": q.question,
            "Asked by": people.get(q.asked_by, q.asked_by),
            "Asked": q.asked_at,
            "Answer": q.answer or "(awaiting the answer)",
            "Answered by": people.get(q.answered_by, q.answered_by) if q.answered_by else "",
            "Answered": q.answered_at,
        }
        for q in s.info
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "Question": st.column_config.TextColumn(width="large"),
            "Answer": st.column_config.TextColumn(width="large"),
            "Asked": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "Answered": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
        },
    )


def learning_agreement_section(s: CreditTransferState) -> None:
    la = s.learning_agreement
    st.markdown(f"**Learning agreement, revision {la.revision}** — {len(la.courses)} planned courses")
    st.dataframe(
        pd.DataFrame(
            [{"Course": c.course_code, "Title": c.title, "Expected to count as": c.home_course_code or "—"} for c in la.courses]
        ),
        hide_index=True,
    )
    if s.proposals:
        people = pc.transfer_people(s)
        st.markdown("**Proposed changes**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Change": p.change.summary,
                        "Status": p.status.value,
                        "Proposed by": people.get(p.change.proposed_by, p.change.proposed_by),
                        "Proposed": p.proposed_at,
                        "Against revision": p.change.base_revision,
                        "Closed by": people.get(p.closed_by or p.approved_by or "", p.closed_by or p.approved_by or ""),
                        "Reason": p.close_reason,
                    }
                    for p in s.proposals
                ]
            ),
            hide_index=True,
            column_config={"Proposed": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC")},
        )


def documents_section(s: CreditTransferState) -> None:
    base = f"{s.request.id}-r{s.learning_agreement.revision}"
    docs = pc.optional_module("documents.programs")
    with st.container(horizontal=True):
        if docs is None:
            st.caption("Learning agreements cannot be printed on this server yet.")
        else:

            def render() -> tuple[bytes, int]:
                fn = docs.render_learning_agreement
                return fn(s, issued_at=datetime.now(UTC), **pc.font_cache_kwargs(fn))

            pc.on_demand_download(f"la-{s.request.id}", "Learning agreement (PDF)", render, f"{base}-learning-agreement.pdf")
        ola = pc.optional_module("exports.ewp_ola")
        countries = [s.program.institution(i).country for i in (s.home_id, s.partner_id)]
        if ola is None:
            st.caption("The EWP export is not available on this server yet.")
        elif _european(ola, countries):
            pc.on_demand_download(
                f"ola-{s.request.id}",
                "Online Learning Agreement (EWP XML)",
                lambda: ola.ola_xml(s, generated_at=datetime.now(UTC)),
                f"{base}-ola.xml",
                mime="application/xml",
                help="For the Erasmus Without Paper network: offered when either institution is European.",
                explained=(ValueError,),
                disabled_because=None
                if any(x.stage is TransferStage.HOME_REGISTRAR for x in s.signoffs)
                else "Available once the home registrar has approved the learning agreement: an OLA carries its signature.",
            )


def _european(ola: Any, countries: list[str]) -> bool:
    try:
        return any(ola.is_european(c) for c in countries)
    except Exception:  # noqa: BLE001 - an export helper failing only hides its button
        common.log.exception("is_european failed")
        return False


def visible_item(me: Person) -> tuple[ItemDetail, CreditTransferState] | None:
    return common.item_from_query('Credit transfer', 'Choose a request from the list of credit requests.', pc.TRANSFER, pc.load_transfer, lambda item, s: pc.can_see_transfer(me, item, s))


def page() -> None:
    me = common.me()
    found = visible_item(me)
    if found is None:
        return
    item, s = found
    header(item, s)
    common.show_flash(SCOPE)
    act, courses, chain, questions, la, docs, history = st.tabs(
        ["Your actions", "Courses", "Stages", f"Questions ({len(s.info)})", "Learning agreement", "Documents", "Timeline"]
    )
    with act:
        st.subheader("Awaited now")
        steps_section(item, me)
        if not transfer_actions.transfer_actions(item.item_id, s, me, SCOPE):
            st.caption("There is nothing for you to do on this request at this stage.")
    with courses:
        st.dataframe(
            courses_table(s),
            hide_index=True,
            column_config={
                "Course": st.column_config.TextColumn(width="medium"),
                "Flags": st.column_config.TextColumn(width="large"),
            },
        )
    with chain:
        st.dataframe(
            chain_table(s),
            hide_index=True,
            column_config={"When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC")},
        )
    with questions:
        questions_section(s)
    with la:
        learning_agreement_section(s)
    with docs:
        documents_section(s)
    with history:
        pc.timeline(item.item_id)


page()
