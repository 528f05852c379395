"""CSV exports: one row per student per degree and per posted credit, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from exports.program_csv import CREDIT_COLUMNS, STUDENT_COLUMNS, credits_csv, safe_cell, students_csv
from tests.domain.program_examples import native
from tests.exports.program_states import complete, midway


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_student_per_degree() -> None:
    text = students_csv([midway(), complete()])
    assert text.splitlines()[0] == ",".join(STUDENT_COLUMNS)
    got = rows(text)
    assert len(got) == 4 and [r["institution_id"] for r in got] == ["knua", "vgik", "knua", "vgik"]
    knua = got[0]
    assert knua == {
        "student_id": "kim-minji", "student_name": "Kim Minji", "program_id": "knua-vgik-film-ai",
        "home_institution_id": "knua", "institution_id": "knua",
        "degree": "Master of Fine Arts in Film Production and AI Technology", "credits_earned": "17.5",
        "credits_required": "48", "credit_system": "KR credits", "percent_complete": "36.4", "gpa": "4.02", "met": "no",
        "projected_completion_term": "2028-spring", "transfers_in_progress": "0",
    }  # fmt: skip
    assert (got[1]["credits_earned"], got[1]["credits_required"], got[1]["credit_system"]) == ("15.5", "120", "ZET")
    assert all(r["met"] == "yes" and r["percent_complete"] == "100" for r in got[2:])


def test_one_row_per_posted_credit_with_what_was_taken() -> None:
    got = rows(credits_csv([midway()]))
    assert list(got[0]) == CREDIT_COLUMNS
    assert len(got) == len(midway().record.posted) == 9
    transferred = [r for r in got if r["transferred"] == "yes"]
    assert [(r["course_code"], r["institution_id"], r["taken_at"], r["credits"], r["grade"], r["counts_as"],
             r["original_credits"], r["original_grade"], r["source_request_id"]) for r in transferred] == [
        ("DIR-620", "knua", "vgik", "3", "A+", "FP-501", "6", "5", "req-kim-2026-fall"),
        ("VFX-630", "knua", "vgik", "2.5", "B+", "elective:major_elective", "5", "4", "req-kim-2026-fall"),
    ]  # fmt: skip
    native_row = next(r for r in got if r["course_code"] == "SCR-540")
    assert (native_row["credits"], native_row["credit_system"], native_row["transferred"], native_row["original_credits"]) == (
        "4.5",
        "ZET",
        "no",
        "",
    )


def test_cells_that_would_run_as_formulas_are_quoted() -> None:
    for bad in ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]:
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("Producing") == "Producing" and safe_cell(None) == "" and safe_cell(True) == "yes"
    state = midway(posted=[native("knua", "FP-520", "=cmd|' /C calc'!A0", "3", "A0", "2026-spring")])
    state = state.model_copy(update={"record": state.record.model_copy(update={"person": state.record.person.model_copy(
        update={"name": "@Kim Minji"})})})  # fmt: skip
    credit = rows(credits_csv([state]))[0]
    assert credit["title"] == "'=cmd|' /C calc'!A0" and credit["student_name"] == "'@Kim Minji"
    assert all(r["student_name"] == "'@Kim Minji" for r in rows(students_csv([state])))
