"""Joint-program CSV exports: one row per student per degree, and one row per posted credit.

Registrars and coordinators open these in a spreadsheet, so every cell a person typed (names,
course titles, grades) is guarded against formula injection: a cell starting with `=`, `+`, `-` or
`@` (or a tab or carriage return, which some spreadsheets also read as a formula start) gets a
leading apostrophe, and the spreadsheet shows it as text instead of running `=HYPERLINK(...)`.
Numbers are written as plain decimals (`plain_number`), never in scientific notation, and booleans
as `yes`/`no`. The audit is the one the record workflow holds (`StudentRecordState.audits`), so the
export agrees with the student's page and the transcript.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from domain.credits import CREDIT_SYSTEMS, plain_number
from domain.degree_audit import DegreeAudit, audit
from domain.student_record import StudentRecordState, TransferStatus

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STUDENT_COLUMNS = [
    "student_id",
    "student_name",
    "program_id",
    "home_institution_id",
    "institution_id",
    "degree",
    "credits_earned",
    "credits_required",
    "credit_system",
    "percent_complete",
    "gpa",
    "met",
    "projected_completion_term",
    "transfers_in_progress",
]

CREDIT_COLUMNS = [
    "student_id",
    "student_name",
    "institution_id",
    "taken_at",
    "course_code",
    "title",
    "credits",
    "credit_system",
    "grade",
    "term",
    "transferred",
    "counts_as",
    "original_credits",
    "original_grade",
    "source_request_id",
]


def safe_cell(value: object) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = plain_number(value) if isinstance(value, Decimal) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def _audits(state: StudentRecordState) -> list[DegreeAudit]:
    """The audits the record workflow keeps; computed the same way when a state has none yet."""
    return state.audits or audit(state.record, state.program, state.catalogs, state.equivalencies)


def students_csv(states: list[StudentRecordState]) -> str:
    """One row per student per degree of the program, in the program's order of institutions."""
    rows = []
    for s in states:
        record, program = s.record, s.program
        in_progress = sum(1 for t in s.transfers if t.status is TransferStatus.IN_PROGRESS)
        for a in _audits(s):
            inst = program.institution(a.institution_id)
            rows.append([
                record.student_id, record.person.name, program.id, record.home_institution_id, a.institution_id,
                inst.degree(), a.earned_credits, a.required_credits, CREDIT_SYSTEMS[a.credit_system].short,
                a.percent_complete, a.gpa, a.met, a.projected_completion_term, in_progress,
            ])  # fmt: skip
    return _csv(STUDENT_COLUMNS, rows)


def credits_csv(states: list[StudentRecordState]) -> str:
    """One row per credit posted at any institution: as posted, and as taken for a transferred one."""
    rows = []
    for s in states:
        record, program = s.record, s.program
        for p in record.posted:
            inst = program.institution(p.institution_id)
            counts_as = p.home_course_code or (f"elective:{p.elective_category}" if p.elective_category else "")
            rows.append([
                record.student_id, record.person.name, p.institution_id, p.taken_at, p.course_code, p.title, p.credits,
                CREDIT_SYSTEMS[inst.credit_system].short, p.grade, p.term, p.transferred, counts_as, p.original_credits,
                p.original_grade, p.source_request_id,
            ])  # fmt: skip
    return _csv(CREDIT_COLUMNS, rows)
