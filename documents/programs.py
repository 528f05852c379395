"""Joint-program PDFs: the bilingual joint transcript, the dual-degree certificate, the learning agreement.

Both registrars of a dual degree keep their own books (`domain.students`), so the joint transcript
shows each institution's books separately — in that institution's credits and on its grading scale
— with every transferred course next to what was actually taken at the partner, and each degree's
audit exactly as the record workflow computed it (`StudentRecordState.audits`), so the transcript,
the student's page and the completion check cannot disagree. Headings are in the program's first
two languages (`JointProgram.languages`), one above the other; the data (course titles, the audit's
sentences) are printed as recorded.

An interim transcript can be printed at any time and says so on every page (heading, running
header and a watermark); the official one is issued on completion. The certificate is refused
unless every degree is met (`domain.degree_audit.dual_degree_complete`): a certificate that names a
degree not yet earned would be a false document.

Rendering goes through `documents.render`: the same autoescaped jinja2 environment (a course
titled `<script>` prints literally), the same bundled fonts and the same fetcher that loads nothing
but `helix-asset:` URLs. Every page's footer carries the sha256 of the data the document was
rendered from, so a printed copy can be matched to the record it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from documents.render import _LANG_TAGS, render_html, utc
from domain.catalogs import code_key
from domain.credit_transfer import CourseDecision
from domain.credits import CREDIT_SYSTEMS, convert_credits, format_credits
from domain.degree_audit import DegreeAudit, audit, dual_degree_complete
from domain.grading import GradeError, GradingScale
from domain.learning_agreements import PlannedCourse
from domain.programs import JointProgram, ProgramInstitution
from domain.reference import COUNTRIES, LANGUAGES
from domain.student_record import StudentRecordState
from domain.students import PostedCredit
from domain.terms import sort_terms
from domain.transfer_state import CreditTransferState

# Headings in the languages the network's transcripts are issued in; a language missing here
# (hi, ar, fa, kk, uz) falls back to English, so the document is never missing a heading.
LABELS: dict[str, dict[str, str]] = {
    "transcript": {"en": "Joint academic transcript", "ko": "공동 성적증명서", "ru": "Совместная академическая справка", "zh": "联合成绩单"},
    "official": {"en": "Official transcript", "ko": "공식 성적증명서", "ru": "Официальная академическая справка", "zh": "正式成绩单"},
    "interim": {"en": "Interim transcript — unofficial", "ko": "중간 성적증명서 — 비공식", "ru": "Промежуточная справка — неофициальная", "zh": "中期成绩单 — 非正式"},
    "student": {"en": "Student", "ko": "학생", "ru": "Студент", "zh": "学生"},
    "student_id": {"en": "Student ID", "ko": "학번", "ru": "Номер студента", "zh": "学号"},
    "program": {"en": "Program", "ko": "과정", "ru": "Программа", "zh": "项目"},
    "home": {"en": "Home institution", "ko": "소속 대학", "ru": "Базовый вуз", "zh": "所属院校"},
    "enrolled": {"en": "Enrolled", "ko": "입학 학기", "ru": "Начало обучения", "zh": "入学学期"},
    "issued": {"en": "Issued", "ko": "발급일", "ru": "Дата выдачи", "zh": "签发日期"},
    "record_hash": {"en": "Record sha256", "ko": "기록 sha256", "ru": "sha256 записи", "zh": "记录 sha256"},
    "institutions": {"en": "Institutions and degrees", "ko": "대학 및 학위", "ru": "Вузы и степени", "zh": "院校与学位"},
    "institution": {"en": "Institution", "ko": "대학", "ru": "Вуз", "zh": "院校"},
    "degree": {"en": "Degree", "ko": "학위", "ru": "Степень", "zh": "学位"},
    "credit_system": {"en": "Credit system", "ko": "학점 제도", "ru": "Система зачётных единиц", "zh": "学分制度"},
    "grading_scale": {"en": "Grading scale", "ko": "성적 체계", "ru": "Шкала оценок", "zh": "评分制度"},
    "courses": {"en": "Courses", "ko": "교과목", "ru": "Дисциплины", "zh": "课程"},
    "term": {"en": "Term", "ko": "학기", "ru": "Семестр", "zh": "学期"},
    "code": {"en": "Code", "ko": "과목 코드", "ru": "Код", "zh": "课程代码"},
    "title": {"en": "Course", "ko": "교과목명", "ru": "Дисциплина", "zh": "课程名称"},
    "credits": {"en": "Credits", "ko": "학점", "ru": "З.е.", "zh": "学分"},
    "grade": {"en": "Grade", "ko": "성적", "ru": "Оценка", "zh": "成绩"},
    "transfer": {"en": "Taken at the partner / counts as", "ko": "교류 대학 이수 / 인정", "ru": "Изучено в вузе-партнёре / засчитано как", "zh": "合作院校修读 / 认定为"},
    "term_total": {"en": "Term total", "ko": "학기 합계", "ru": "Итого за семестр", "zh": "学期合计"},
    "no_courses": {"en": "No courses posted yet.", "ko": "등록된 과목이 없습니다.", "ru": "Дисциплин пока нет.", "zh": "尚无课程记录。"},
    "audit": {"en": "Degree audit", "ko": "학위 요건 심사", "ru": "Выполнение требований к степени", "zh": "学位审核"},
    "requirement": {"en": "Requirement", "ko": "요건", "ru": "Требование", "zh": "要求"},
    "status": {"en": "Status", "ko": "상태", "ru": "Статус", "zh": "状态"},
    "detail": {"en": "Detail", "ko": "내용", "ru": "Пояснение", "zh": "说明"},
    "met": {"en": "met", "ko": "충족", "ru": "выполнено", "zh": "已满足"},
    "missing": {"en": "missing", "ko": "미충족", "ru": "не выполнено", "zh": "未满足"},
    "earned": {"en": "Credits earned", "ko": "취득 학점", "ru": "Получено", "zh": "已获学分"},
    "gpa": {"en": "GPA", "ko": "평점 평균", "ru": "Средний балл", "zh": "平均绩点"},
    "projected": {"en": "Projected completion", "ko": "예상 이수 학기", "ru": "Ожидаемое завершение", "zh": "预计完成学期"},
    "completed_in": {"en": "Completed", "ko": "이수 완료", "ru": "Завершено", "zh": "已完成"},
    "certificate": {"en": "Dual Degree Certificate", "ko": "복수학위 수여 증명서", "ru": "Свидетельство о двойной степени", "zh": "双学位证书"},
    "certify": {
        "en": "This is to certify that {name} has completed every requirement of the joint program “{program}” and has been awarded the following degrees:",
        "ko": "위 사람 {name}은(는) 공동 학위 과정 「{program}」의 모든 요건을 이수하여 다음 학위를 수여받았음을 증명합니다.",
        "ru": "Настоящим удостоверяется, что {name} выполнил(а) все требования совместной программы «{program}» и получил(а) следующие степени:",
        "zh": "兹证明 {name} 已完成联合培养项目「{program}」的全部要求，并被授予以下学位：",
    },
    "signature": {"en": "For the institution", "ko": "대학 서명", "ru": "От имени вуза", "zh": "院校签章"},
    "learning_agreement": {"en": "Learning agreement", "ko": "학습 협약서", "ru": "Соглашение об обучении", "zh": "学习协议"},
    "sending": {"en": "Sending institution (home)", "ko": "파견 대학 (소속)", "ru": "Направляющий вуз (базовый)", "zh": "派出院校（所属）"},
    "receiving": {"en": "Receiving institution (partner)", "ko": "접수 대학 (교류)", "ru": "Принимающий вуз (партнёр)", "zh": "接收院校（合作）"},
    "revision": {"en": "Revision", "ko": "개정판", "ru": "Редакция", "zh": "修订版"},
    "planned": {"en": "Planned courses", "ko": "이수 예정 교과목", "ru": "Планируемые дисциплины", "zh": "计划课程"},
    "approved_changes": {"en": "Approved changes", "ko": "승인된 변경", "ru": "Утверждённые изменения", "zh": "已批准的变更"},
    "pending": {"en": "Pending proposals", "ko": "심사 중인 변경 제안", "ru": "Предложения на рассмотрении", "zh": "待审议的变更提议"},
    "signoffs": {"en": "Sign-offs", "ko": "결재", "ru": "Согласования", "zh": "签批"},
    "decisions": {"en": "Department decisions", "ko": "학과 결정", "ru": "Решения кафедры", "zh": "院系决定"},
}  # fmt: skip


def _languages(program: JointProgram) -> list[str]:
    """The program's first two languages; a one-language program other than English adds English."""
    langs = list(program.languages[:2])
    if len(langs) == 1 and langs[0] != "en":
        langs.append("en")
    return langs


def _tag(lang: str) -> str:
    return _LANG_TAGS.get(lang, lang)


def _pairs(texts: Mapping[str, str], langs: list[str]) -> list[dict[str, str]]:
    """One entry per language, dropping a repeat (two languages falling back to the same text)."""
    out: list[dict[str, str]] = []
    for lang in langs:
        text = texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
        if text and all(text != o["text"] for o in out):
            out.append({"lang": _tag(lang), "text": text})
    return out


def _labels(langs: list[str]) -> dict[str, list[dict[str, str]]]:
    return {key: _pairs(texts, langs) for key, texts in LABELS.items()}


def _data_sha256(*parts: object) -> str:
    """The hash of what a document was rendered from, printed in every page's footer."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def _grade_label(scale: GradingScale, grade: str) -> str:
    """'5 (отлично)', 'A+', '87 (良)': the grade with its name on its scale, as recorded if the scale lost it."""
    try:
        g = scale.grade_for(grade)
    except GradeError:
        return grade
    label = g.label()
    return label if g.code == grade or not scale.is_numeric else f"{grade} ({g.code})"


def _institution_context(inst: ProgramInstitution, langs: list[str]) -> dict[str, Any]:
    country = COUNTRIES.get(inst.country)
    return {
        "id": inst.organisation_id,
        "names": _pairs(inst.names, langs),
        "name": inst.name(),
        "degree": _pairs(inst.degree_title, langs),
        "country": country.name("en") if country else inst.country,
        "credit_system": CREDIT_SYSTEMS[inst.credit_system].name("en"),
        "grading_scale": inst.grading_scale.name("en"),
    }


def _common(program: JointProgram, issued_at: datetime) -> dict[str, Any]:
    langs = _languages(program)
    return {
        "langs": langs,
        "html_lang": _tag(langs[0]),
        "languages_text": " / ".join(LANGUAGES.get(lang, lang) for lang in langs),
        "L": _labels(langs),
        "program_names": _pairs(program.title, langs),
        "issued_at": utc(issued_at),
    }


# ---------------------------------------------------------------- transcript


def _audits(state: StudentRecordState) -> list[DegreeAudit]:
    """The audits the record workflow keeps; computed the same way when a state has none yet."""
    if state.audits:
        return state.audits
    return audit(state.record, state.program, state.catalogs, state.equivalencies)


def _transfer_text(p: PostedCredit, program: JointProgram) -> str:
    partner = program.institution(p.taken_at)
    taken = f"{partner.name()}: {p.course_code}"
    if p.original_credits is not None:
        taken += f", {format_credits(p.original_credits, partner.credit_system)}"
    if p.original_grade is not None:
        taken += f", grade {_grade_label(partner.grading_scale, p.original_grade)}"
    target = p.home_course_code if p.home_course_code else f"elective ({(p.elective_category or '').replace('_', ' ')})"
    return f"{taken} → {target}"


def _books(state: StudentRecordState, inst: ProgramInstitution) -> list[dict[str, Any]]:
    """One block per term of the courses on `inst`'s books, in term order, with the term's credits."""
    posted = state.record.posted_at(inst.organisation_id)
    scale, unit = inst.grading_scale, inst.credit_system
    terms = []
    for term in sort_terms(list({p.term for p in posted})):
        rows, earned = [], Decimal(0)
        for p in sorted((p for p in posted if p.term == term), key=lambda p: (p.transferred, code_key(p.course_code))):
            try:
                passing = scale.grade_for(p.grade).passing
            except GradeError:
                passing = False
            earned += p.credits if passing else 0
            rows.append(
                {
                    "code": p.course_code,
                    "title": p.title,
                    "credits": format_credits(p.credits, unit),
                    "grade": _grade_label(scale, p.grade),
                    "transfer": _transfer_text(p, state.program) if p.transferred else "",
                }
            )
        terms.append({"term": term, "rows": rows, "earned": format_credits(earned, unit)})
    return terms


def _audit_context(a: DegreeAudit) -> dict[str, Any]:
    unit = a.credit_system
    return {
        "requirements": [
            {"label": r.label, "met": r.met, "detail": r.missing or (f"Satisfied by {r.satisfied_by}" if r.satisfied_by else "")}
            for r in a.requirements
        ],
        "earned": f"{format_credits(a.earned_credits, unit)} of {format_credits(a.required_credits, unit)} ({a.percent_complete} %)",
        "gpa": "—" if a.gpa is None else str(a.gpa),
        "met": a.met,
        "projected": a.projected_completion_term or "—",
    }


def transcript_context(state: StudentRecordState, *, issued_at: datetime, final: bool) -> dict[str, Any]:
    """What `program_transcript.html` prints (a pure function; tests and previews can read it)."""
    program, record = state.program, state.record
    common = _common(program, issued_at)
    audits = {a.institution_id: a for a in _audits(state)}
    institutions = []
    for inst in program.institutions:
        ctx = _institution_context(inst, common["langs"])
        ctx["terms"] = _books(state, inst)
        found = audits.get(inst.organisation_id)
        ctx["audit"] = _audit_context(found) if found else None
        institutions.append(ctx)
    state_label = LABELS["official" if final else "interim"]["en"]
    return {
        **common,
        "title": f"{LABELS['transcript']['en']} — {record.person.name}",
        "final": final,
        "state_text": f"{state_label} — issued {common['issued_at']}",
        "student": {"name": record.person.name, "id": record.student_id},
        "home": program.institution(record.home_institution_id).name(),
        "enrolled": record.enrolled_term,
        "institutions": institutions,
        "record_sha256": _data_sha256(
            "transcript", program.id, _dump(record), [_dump(a) for a in audits.values()], final, issued_at
        ),
    }


def render_transcript(
    state: StudentRecordState, *, issued_at: datetime, final: bool, font_cache_dir: Path | None = None
) -> tuple[bytes, int]:
    """The joint transcript as (pdf bytes, pages): official when `final`, else marked interim and unofficial."""
    return render_html("program_transcript.html", transcript_context(state, issued_at=issued_at, final=final),
                       font_cache_dir=font_cache_dir)  # fmt: skip


# ---------------------------------------------------------------- certificate


def render_certificate(
    state: StudentRecordState, *, issued_at: datetime, font_cache_dir: Path | None = None
) -> tuple[bytes, int]:
    """The one-page dual-degree certificate; a ValueError when any degree of the program is not met yet."""
    audits = _audits(state)
    if not dual_degree_complete(audits):
        open_degrees = [a for a in audits if not a.met]
        what = "; ".join(
            f"{state.program.institution(a.institution_id).degree()} at {state.program.institution(a.institution_id).name()}"
            f" ({' '.join(a.missing) or 'not met'})"
            for a in open_degrees
        )
        raise ValueError(
            f"No dual-degree certificate can be issued for {state.record.person.name}: not every degree of"
            f" “{state.program.name()}” is met yet — {what or 'the program has fewer than two audited degrees'}."
        )
    program, record = state.program, state.record
    common = _common(program, issued_at)
    names = {lang: program.name(lang) for lang in common["langs"]}
    certify = [
        {"lang": _tag(lang), "text": text.format(name=record.person.name, program=names[lang])}
        for lang, text in ((lang, LABELS["certify"].get(lang) or LABELS["certify"]["en"]) for lang in common["langs"])
    ]
    by_id = {a.institution_id: a for a in audits}
    degrees = [
        {**_institution_context(inst, common["langs"]), "completed": by_id[inst.organisation_id].projected_completion_term}
        for inst in program.institutions
    ]
    context = {
        **common,
        "title": f"{LABELS['certificate']['en']} — {record.person.name}",
        "state_text": f"Issued {common['issued_at']}",
        "student": {"name": record.person.name, "id": record.student_id},
        "certify": [c for i, c in enumerate(certify) if all(c["text"] != o["text"] for o in certify[:i])],
        "degrees": degrees,
        "record_sha256": _data_sha256("certificate", program.id, _dump(record), [_dump(a) for a in audits], issued_at),
    }
    return render_html("program_certificate.html", context, font_cache_dir=font_cache_dir)


# ---------------------------------------------------------------- learning agreement


def _credits_of(state: CreditTransferState, code: str) -> Decimal | None:
    """A planned course's credits at the partner: as on the request, else as in the partner's catalog."""
    taken = next((c for c in state.request.courses if code_key(c.course_code) == code_key(code)), None)
    if taken is not None:
        return taken.credits
    catalog = state.catalogs.get(state.partner_id)
    course = catalog.find(code) if catalog else None
    return course.credits if course else None


def planned_rows(state: CreditTransferState) -> list[dict[str, Any]]:
    """The plan at its current revision: partner course, credits there and at home, what it counts as."""
    program = state.program
    partner, home = program.institution(state.partner_id), program.institution(state.home_id)
    rule = program.credit_rule(partner.credit_system, home.credit_system)
    lines = {code_key(ln.partner_course.code): ln for ln in state.lines}
    latest = state.latest()
    rows = []
    for c in state.learning_agreement.courses:
        k = code_key(c.course_code)
        credits = _credits_of(state, c.course_code)
        line = lines.get(k)
        if line is not None:
            converted: Decimal | None = line.credits
        elif credits is not None:
            try:
                converted = convert_credits(credits, rule)
            except ValueError:
                converted = None
        else:
            converted = None
        decision = latest.get(k)
        if decision is not None and decision.decision is CourseDecision.REJECT:
            converted = None
        rows.append(
            {
                "code": c.course_code,
                "title": c.title,
                "credits": format_credits(credits, partner.credit_system) if credits is not None else "—",
                "home_credits": format_credits(converted, home.credit_system) if converted is not None else "—",
                "counts_as": _counts_as(c, line, decision),
            }
        )
    return rows


def _counts_as(c: PlannedCourse, line: Any, decision: Any) -> str:
    if decision is not None and decision.decision is CourseDecision.REJECT:
        return f"not credited (rejected: {decision.reason.value.replace('_', ' ')})"
    if decision is not None and decision.decision is CourseDecision.APPROVE:
        eq = line.equivalency if line is not None else None
        return decision.home_course_code or (eq.home_course_code if eq else None) or c.course_code
    if decision is not None and decision.decision is CourseDecision.APPROVE_AS_ELECTIVE:
        eq = line.equivalency if line is not None else None
        category = decision.elective_category or (eq.elective_category if eq else None) or ""
        return f"elective ({category.replace('_', ' ')})"
    if c.home_course_code:
        return c.home_course_code
    eq = line.equivalency if line is not None else None
    if eq is not None:
        return eq.home_course_code or f"elective ({(eq.elective_category or '').replace('_', ' ')})"
    return "elective (to be decided)"


def _people(state: CreditTransferState) -> dict[str, str]:
    roster = state.roster
    everyone = [state.student, *roster.coordinators, *roster.ministry_officers, *roster.board]
    for staff in roster.staff.values():
        everyone += [*staff.department_reviewers, *staff.registrars, *([staff.liaison] if staff.liaison else [])]
    return {p.id: p.name for p in everyone}


def _proposal_rows(state: CreditTransferState, statuses: Iterable[str]) -> list[dict[str, Any]]:
    names = _people(state)
    wanted = set(statuses)
    return [
        {
            "id": p.change.proposal_id,
            "kind": p.change.kind.value,
            "code": p.change.course_code,
            "title": p.change.title,
            "home": p.change.home_course_code or "",
            "reason": p.change.reason.value,
            "comment": p.change.comment,
            "base_revision": p.change.base_revision,
            "proposed_by": names.get(p.change.proposed_by, p.change.proposed_by),
            "proposed_at": utc(p.proposed_at),
            "status": p.status.value,
            "approved_by": names.get(p.approved_by or "", p.approved_by or ""),
            "closed": getattr(p, "close_reason", "") or "",
        }
        for p in state.proposals
        if p.status.value in wanted
    ]


def learning_agreement_context(state: CreditTransferState, *, issued_at: datetime) -> dict[str, Any]:
    """What `program_learning_agreement.html` prints (pure)."""
    program, la = state.program, state.learning_agreement
    common = _common(program, issued_at)
    names = _people(state)
    decisions = []
    for d in state.latest().values():
        decisions.append(
            {
                "code": d.course_code,
                "decision": d.decision.value.replace("_", " "),
                "target": d.home_course_code or (d.elective_category or "").replace("_", " "),
                "reason": d.reason.value if d.reason else "",
                "comment": d.comment,
                "by": names.get(
                    state.decided_by.get(code_key(d.course_code), ""), state.decided_by.get(code_key(d.course_code), "")
                ),
            }
        )
    return {
        **common,
        "title": f"Learning agreement — {state.student.name}, {la.term}",
        "state_text": f"Learning agreement {la.term}, revision {la.revision} — stage: {state.stage.value.replace('_', ' ')}",
        "student": {"name": state.student.name, "id": state.record.student_id, "email": state.student.email},
        "term": la.term,
        "revision": la.revision,
        "request_id": state.request.id,
        "stage": state.stage.value.replace("_", " "),
        "sending": _institution_context(program.institution(state.home_id), common["langs"]),
        "receiving": _institution_context(program.institution(state.partner_id), common["langs"]),
        "courses": planned_rows(state),
        "approved": _proposal_rows(state, ["approved"]),
        "pending": _proposal_rows(state, ["pending"]),
        "closed": _proposal_rows(state, ["withdrawn", "declined"]),
        "signoffs": [
            {"stage": s.stage.value.replace("_", " "), "name": s.person_name, "at": utc(s.at), "comment": s.comment}
            for s in sorted(state.signoffs, key=lambda s: s.at)
        ],
        "decisions": decisions,
        "record_sha256": _data_sha256(
            "learning_agreement",
            _dump(la),
            _dump(state.request),
            [_dump(p) for p in state.proposals],
            [_dump(s) for s in state.signoffs],
            [_dump(d) for d in state.decisions],
            state.stage.value,
            issued_at,
        ),
    }


def render_learning_agreement(
    state: CreditTransferState, *, issued_at: datetime, font_cache_dir: Path | None = None
) -> tuple[bytes, int]:
    """The learning agreement at its current revision, with changes, sign-offs and decisions so far."""
    return render_html("program_learning_agreement.html", learning_agreement_context(state, issued_at=issued_at),
                       font_cache_dir=font_cache_dir)  # fmt: skip


__all__ = [
    "LABELS",
    "learning_agreement_context",
    "planned_rows",
    "render_certificate",
    "render_learning_agreement",
    "render_transcript",
    "transcript_context",
]
