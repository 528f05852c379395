"""Programs: each joint program the person may see — its institutions and degrees, the MOU it
rests on, its students by phase, the equivalency tables it is decided against, and CSV exports."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from domain import access
from domain.catalogs import Catalog, Equivalency
from domain.parties import Person
from domain.programs import JointProgram
from domain.student_record import StudentRecordState
from store import programs, queries
from store.programs import ProgramDefinition


def institutions_table(program: JointProgram) -> pd.DataFrame:
    rows = []
    for inst in program.institutions:
        req = inst.requirements
        rows.append(
            {
                "Institution": inst.name(),
                "Country": f"{common.country_name(inst.country)} ({inst.country})",
                "Degree": inst.degree(),
                "Credit system": pc.system_name(inst.credit_system),
                "Grading scale": inst.grading_scale.name(),
                "Credits required": pc.credits(req.total_credits, inst.credit_system),
                "Minimum GPA": str(req.minimum_gpa) if req.minimum_gpa is not None else "—",
                "Thesis": "required" if req.thesis_required else "—",
            }
        )
    return pd.DataFrame(rows)


def mou_section(program: JointProgram) -> None:
    mou = queries.get_item(common.engine(), program.agreement_id)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**Agreement (MOU):** `{program.agreement_id}`")
        if mou is None:
            st.badge("not in Helix's records", color="gray", icon=":material/help:")
        else:
            common.phase_badge(mou.phase)
    if mou is not None:
        st.page_link(pc.AGREEMENT_PAGE, label=mou.title, icon=":material/contract:", query_params={"id": mou.item_id})
    if program.requires_ministry_authorization:
        country = common.country_name(program.ministry_country)
        st.caption(
            f"Credit transfers need the authorization of the ministry of education of {country}"
            + (f" ({program.ministry_organisation_id})." if program.ministry_organisation_id else ".")
        )
    else:
        st.caption("No ministry authorization is required for credit transfers.")


def student_counts(records: list[StudentRecordState]) -> None:
    phases = Counter(s.phase.value for s in records)
    in_progress = sum(s.summary()["transfers_in_progress"] for s in records)  # type: ignore[misc]
    m = st.columns(5)
    m[0].metric("Students", len(records), border=True)
    m[1].metric("Enrolled", phases.get("enrolled", 0), border=True)
    m[2].metric("Abroad", phases.get("abroad", 0), border=True)
    m[3].metric("Complete", phases.get("complete", 0), border=True)
    m[4].metric("Transfers in progress", in_progress, border=True)


def _course(catalogs: dict[str, Catalog], institution_id: str, code: str) -> str:
    cat = catalogs.get(institution_id)
    course = cat.find(code) if cat else None
    return f"{course.code} {course.name()}" if course else code


def equivalency_table(definition: ProgramDefinition, home_id: str) -> pd.DataFrame:
    program, cats = definition.program, definition.catalogs
    rows = []
    entries: list[tuple[Equivalency, str]] = programs.equivalency_rows(common.engine(), home_id)
    for e, source in entries:
        if e.partner_institution_id not in program.institution_ids:
            continue
        counts = (
            _course(cats, home_id, e.home_course_code)
            if e.home_course_code
            else f"Elective credit ({e.elective_category.replace('_', ' ') if e.elective_category else ''})"
        )
        rows.append(
            {
                "Partner course": _course(cats, e.partner_institution_id, e.partner_course_code),
                "At": pc.institution_name(program, e.partner_institution_id),
                "Counts as": counts,
                "From": e.effective_from,
                "Until": e.effective_to,
                "Decided by": e.decided_by.name,
                "Source": source or "—",
                "Note": e.note,
            }
        )
    return pd.DataFrame(rows)


def exports(definition: ProgramDefinition, records: list[StudentRecordState]) -> None:
    module = pc.optional_module("exports.program_csv")
    if module is None:
        st.caption("CSV exports are not available on this server yet.")
        return
    pid = definition.program.id
    with st.container(horizontal=True):
        for name, fn, label in (("students", "students_csv", "Students (CSV)"), ("credits", "credits_csv", "Credits (CSV)")):
            try:
                data = getattr(module, fn)(records)
            except Exception:  # noqa: BLE001 - an export failure must not take the page down
                common.log.exception("%s export of %s failed", name, pid)
                st.button(label, disabled=True, key=f"csv-{pid}-{name}", help="This export could not be produced right now.")
                continue
            st.download_button(
                label, data, file_name=f"{pid}-{name}.csv", mime="text/csv", key=f"csv-{pid}-{name}", icon=":material/download:"
            )


def program_section(definition: ProgramDefinition, me: Person) -> None:
    program = definition.program
    records = [s for _, s in pc.visible_records(me, program.id)]
    with st.container(border=True):
        st.subheader(program.name())
        others = [t for lang, t in program.title.items() if lang != "en"]
        st.caption(f"`{program.id}`" + (" · " + " · ".join(others) if others else ""))
        mou_section(program)
        st.dataframe(institutions_table(program), hide_index=True)
        student_counts(records)
        st.markdown("**Equivalency tables**")
        tabs = st.tabs([f"Credited at {i.name()}" for i in program.institutions])
        for tab, inst in zip(tabs, program.institutions, strict=True):
            with tab:
                table = equivalency_table(definition, inst.organisation_id)
                if table.empty:
                    st.caption(f"No equivalency is recorded for courses credited at {inst.name()}.")
                else:
                    st.dataframe(
                        table,
                        hide_index=True,
                        column_config={
                            "From": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Until": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Note": st.column_config.TextColumn(width="medium"),
                        },
                    )
        exports(definition, records)
        st.page_link(
            pc.STUDENTS_PAGE, label="Students of this program", icon=":material/groups:", query_params={"program": program.id}
        )


def page() -> None:
    me = common.me()
    st.title("Programs")
    st.caption(
        "Joint degree programs" + (" of the network." if access.sees_everything(me) else " your organisation takes part in.")
    )
    visible = [
        d
        for d in programs.list_programs(common.engine())
        if access.can_view_program(me, pc.program_orgs(d.program), pc.roster_ids(d.roster))
    ]
    if not visible:
        st.info("No joint program of your organisation is recorded in Helix.", icon=":material/school:")
        return
    for definition in visible:
        program_section(definition, me)


page()
