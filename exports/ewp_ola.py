"""A credit transfer's learning agreement as an Erasmus Without Paper Online Learning Agreement (OLA).

European partners exchange learning agreements through the EWP network, in the `omobility-las`
get-response format (`ola/get-response.xsd`, stable-v1). `ola_xml` writes one `la` element for a
Helix credit transfer; `ola_schema` loads the official schema offline, so the output can be
validated before it is sent (the tests validate every document they build).

How Helix maps onto the OLA (the sending HEI is the student's home, which credits the courses; the
receiving HEI is the partner where they are taken):
- Signatures. The student signs by requesting the transfer (`created_at`); the sending HEI by its
  registrar's approval (the `home_registrar` sign-off); the receiving HEI by its registrar's
  confirmation (`partner_registrar`). Without the sending HEI's signature there is nothing to send
  (the schema requires it on every version), so `ola_xml` refuses.
- Versions. Until the partner has signed, the plan at its current revision is a `changes-proposal`
  (the form a first version takes before the receiving HEI approves it). Once it has signed, the
  plan at revision 0 is the `first-version` and the approved add/drop changes are `approved-changes`.
  Proposals still pending at home are not sent: the sending HEI has not signed them.
- Components. Studied: the partner courses, with credits in ECTS (as given when the partner counts in
  ECTS, otherwise converted by the program's rule for the pair, else the conventional factor — see
  `domain.credits`) plus the partner's own scheme. Recognized: what each counts as at home (a home
  course, or elective credit), in ECTS and the home scheme; a course the department has not decided
  yet carries `recognition-conditions`, a rejected one is not recognized.
- Reason codes. Helix's drop reasons map to the EUC codes (`course_cancelled` → `not-available`,
  `timetable_clash` → `timetable-conflict`, `language` → `language-mismatch`); an addition made
  together with a drop is `substituting-deleted`. The Helix reason is always in `reason-text`.
- What Helix does not record is not invented where the schema lets it be left out (birth date,
  citizenship, gender). Where the schema requires it, the value is derived and documented: the HEI id
  (`knua.kr` from the institution id and country, unless given), the EQF level (from the partner
  courses' level: master 7, doctoral 8, else 6), the ISCED-F code (0211, audio-visual techniques and
  media production: the network's programs are film programs) and the CEFR level (B2, the level
  partners usually ask for, unless given).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from domain.catalogs import CourseLevel, code_key
from domain.credit_transfer import CourseDecision
from domain.credits import CreditError, CreditSystem, convert_credits, default_conversion, plain_number
from domain.learning_agreements import ChangeKind, ChangeReason, LearningAgreement, PlannedCourse
from domain.parties import PersonRef
from domain.programs import JointProgram, ProgramInstitution
from domain.terms import Season, next_term, parse_term, term_start
from domain.transfer_decisions import TransferStage
from domain.transfer_state import ChangeProposal, CreditTransferState, ProposalStatus, Signoff

if TYPE_CHECKING:
    import xmlschema

NS = "https://github.com/erasmus-without-paper/ewp-specs-api-omobility-las/blob/stable-v1/endpoints/get-response.xsd"
TRM = "https://github.com/erasmus-without-paper/ewp-specs-types-academic-term/tree/stable-v2"
REMOTE_PREFIX = "https://raw.githubusercontent.com/erasmus-without-paper/"
SIGNER_APP = "Helix"
DEFAULT_ISCED_F = "0211"  # Audio-visual techniques and media production (ISCED-F 2013)
DEFAULT_CEFR = "B2"

# Countries whose universities take part in Erasmus+ as programme (EU) or associated countries, or
# as partner countries in Europe: the EEA and Switzerland; the Western Balkans (Region 1); the
# Eastern Partnership (Region 2: Armenia, Azerbaijan, Belarus, Georgia, Moldova, Ukraine); Russia
# (Region 4); the European micro-states (Region 5); the United Kingdom and the Faroe Islands.
# Türkiye, North Macedonia and Serbia are associated countries. Kazakhstan and the rest of Central
# Asia (Region 8) are not counted: their universities are not EWP partners by region.
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
EEA_AND_ASSOCIATED = frozenset("IS LI NO CH MK RS TR".split())
EUROPEAN_PARTNERS = frozenset("AL BA XK ME AM AZ BY GE MD UA RU AD MC SM VA GB FO".split())
EUROPEAN = EU | EEA_AND_ASSOCIATED | EUROPEAN_PARTNERS
_ALIASES = {"UK": "GB", "EL": "GR"}  # the codes the EU itself uses for the UK and Greece

FAMILY_NAME_FIRST = frozenset({"KR", "CN", "MN", "JP", "VN", "HU"})

_DROP_REASONS = {
    ChangeReason.COURSE_CANCELLED: "not-available",
    ChangeReason.TIMETABLE_CLASH: "timetable-conflict",
    ChangeReason.LANGUAGE: "language-mismatch",
}
_EQF = {CourseLevel.DOCTORAL: 8, CourseLevel.MASTER: 7}


def is_european(country_code: str) -> bool:
    """True for a country whose universities can exchange learning agreements over EWP (see EUROPEAN)."""
    code = country_code.strip().upper()
    return _ALIASES.get(code, code) in EUROPEAN


def hei_id(inst: ProgramInstitution) -> str:
    """A SCHAC-style id: the institution id when it is already a domain, else `<id>.<country>` (`vgik.ru`)."""
    oid = inst.organisation_id.replace("_", "-")
    return oid if "." in oid else f"{oid}.{inst.country.lower()}"


def split_name(name: str, *, family_first: bool) -> tuple[str, str]:
    """(given names, family name) of a one-field name: 'Kim Minji' → ('Minji', 'Kim') where the family name comes first."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), name.strip()
    if family_first:
        return " ".join(parts[1:]), parts[0]
    return " ".join(parts[:-1]), parts[-1]


def academic_year_id(term: str) -> str:
    """The northern-hemisphere academic year of a term: 2026-fall and 2027-spring are both '2026/2027'."""
    year, season = parse_term(term)
    start = year if season is Season.FALL else year - 1
    return f"{start}/{start + 1}"


def ola_schema(schemas_dir: Path) -> xmlschema.XMLSchema:
    """The OLA get-response schema from a folder laid out as `shared/ewp-schemas` (see its README):
    remote imports `https://raw.githubusercontent.com/erasmus-without-paper/<repo>/<branch>/<file>`
    are read from `dependencies/<repo>/<branch>/<file>`, so validating never touches the network."""
    import xmlschema  # imported here: only validation needs it

    deps = Path(schemas_dir) / "dependencies"

    def local(uri: str) -> str:
        return (deps / uri[len(REMOTE_PREFIX) :]).as_uri() if uri.startswith(REMOTE_PREFIX) else uri

    return xmlschema.XMLSchema(str(Path(schemas_dir) / "ola" / "get-response.xsd"), uri_mapper=local)


# ---------------------------------------------------------------- building blocks


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: object | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), attrib)
    if text is not None:
        el.text = text if isinstance(text, str) else plain_number(text) if isinstance(text, Decimal) else str(text)
    return el


def _timestamp(at: datetime) -> str:
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


def _valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and not domain.startswith(".")


def _person_country(state: CreditTransferState, person: PersonRef) -> str | None:
    if person.organisation_id in state.program.institution_ids:
        return state.program.institution(person.organisation_id).country
    return None


def _contact(state: CreditTransferState, institution_id: str) -> PersonRef:
    """Who answers for the mobility at an institution: a coordinator from there, its liaison, registrar or reviewer."""
    staff = state.roster.at(institution_id)
    own = [p for p in state.roster.coordinators if p.organisation_id == institution_id]
    candidates = [*own, *([staff.liaison] if staff.liaison else []), *staff.registrars, *staff.department_reviewers]
    return next(iter(candidates), state.roster.coordinators[0])


def _institution(
    parent: ET.Element, tag: str, state: CreditTransferState, inst: ProgramInstitution, given_id: str | None
) -> None:
    el = _sub(parent, tag)
    _sub(el, "hei-id", given_id or hei_id(inst))
    _sub(el, "ounit-name", f"{state.program.name()} ({inst.name()})")
    person = _contact(state, inst.organisation_id)
    contact = _sub(el, "contact-person")
    given, family = split_name(person.name, family_first=_person_country(state, person) in FAMILY_NAME_FIRST)
    _sub(contact, "given-names", given)
    _sub(contact, "family-name", family)
    _sub(contact, "email", person.email if _valid_email(person.email) else f"{person.id}@{hei_id(inst)}")


def _signature(parent: ET.Element, tag: str, at: datetime, person: PersonRef | None = None, position: str = "") -> None:
    el = _sub(parent, tag)
    if person is not None:  # the schema's note: no name, position or e-mail on the student's signature
        _sub(el, "signer-name", person.name)
        _sub(el, "signer-position", position or person.title or "Registrar")
        _sub(el, "signer-email", person.email)
    _sub(el, "timestamp", _timestamp(at))
    _sub(el, "signer-app", SIGNER_APP)


def _term_id(parent: ET.Element, term: str) -> None:
    """The term within the academic year: fall is the first of two semesters, spring the second."""
    el = ET.SubElement(parent, _q("term-id"))
    _, season = parse_term(term)
    ET.SubElement(el, f"{{{TRM}}}term-number").text = "1" if season is Season.FALL else "2"
    ET.SubElement(el, f"{{{TRM}}}total-terms").text = "2"


def _credits(parent: ET.Element, amount: Decimal | None, system: CreditSystem, program: JointProgram) -> None:
    """ECTS first (as given, or converted by the program's rule), then the institution's own scheme."""
    if amount is None:
        return
    if system is CreditSystem.ECTS:
        ects: Decimal | None = amount
    else:
        own = next((c for c in program.credit_conversions if (c.from_system, c.to_system) == (system, CreditSystem.ECTS)), None)
        try:
            ects = convert_credits(amount, own or default_conversion(system, CreditSystem.ECTS, program.credit_rounding))
        except CreditError:
            ects = None
    for scheme, value in [("ects", ects), *([] if system is CreditSystem.ECTS else [(system.value, amount)])]:
        if value is not None:
            credit = _sub(parent, "credit")
            _sub(credit, "scheme", scheme)
            _sub(credit, "value", value)


def _person(state: CreditTransferState, person_id: str | None, fallback_name: str = "") -> PersonRef | None:
    if person_id is None:
        return None
    roster = state.roster
    everyone = [*roster.coordinators, *roster.ministry_officers, *roster.board]
    for staff in roster.staff.values():
        everyone += [*staff.department_reviewers, *staff.registrars, *([staff.liaison] if staff.liaison else [])]
    found = next((p for p in everyone if p.id == person_id), None)
    if found is None and fallback_name:
        return PersonRef(id=person_id, name=fallback_name, email=f"{person_id}@invalid.example")
    return found


def _last_signoff(state: CreditTransferState, stage: TransferStage) -> Signoff | None:
    done = [s for s in state.signoffs if s.stage is stage]
    return max(done, key=lambda s: s.at) if done else None


def _partner_credits(state: CreditTransferState, code: str) -> Decimal | None:
    taken = next((c for c in state.request.courses if code_key(c.course_code) == code_key(code)), None)
    if taken is not None:
        return taken.credits
    catalog = state.catalogs.get(state.partner_id)
    course = catalog.find(code) if catalog else None
    return course.credits if course else None


def _studied(parent: ET.Element, state: CreditTransferState, c: PlannedCourse, **attrib: str) -> None:
    partner = state.program.institution(state.partner_id)
    el = _sub(parent, "component", **attrib)
    _sub(el, "los-code", c.course_code)
    _sub(el, "title", c.title)
    _term_id(el, state.learning_agreement.term)
    _credits(el, _partner_credits(state, c.course_code), partner.credit_system, state.program)


def _recognized(parent: ET.Element, state: CreditTransferState, c: PlannedCourse) -> None:
    """What a planned course counts as at home; nothing for a course the department rejected."""
    program = state.program
    partner, home = program.institution(state.partner_id), program.institution(state.home_id)
    k = code_key(c.course_code)
    decision = state.latest().get(k)
    if decision is not None and decision.decision is CourseDecision.REJECT:
        return
    line = next((ln for ln in state.lines if code_key(ln.partner_course.code) == k), None)
    eq = line.equivalency if line is not None else None
    home_code = category = None
    if decision is not None and decision.decision is CourseDecision.APPROVE:
        home_code = decision.home_course_code or (eq.home_course_code if eq else None)
    elif decision is not None and decision.decision is CourseDecision.APPROVE_AS_ELECTIVE:
        category = decision.elective_category or (eq.elective_category if eq else None)
    else:
        home_code = c.home_course_code or (eq.home_course_code if eq else None)
        category = None if home_code else (eq.elective_category if eq else None)
    catalog = state.catalogs.get(home.organisation_id)
    course = catalog.find(home_code) if catalog and home_code else None
    el = _sub(parent, "component")
    if home_code:
        _sub(el, "los-code", course.code if course else home_code)
        _sub(el, "title", course.name() if course else f"{home_code} (for {c.course_code})")
    else:
        what = f"Elective credit ({category.replace('_', ' ')})" if category else "Elective credit"
        _sub(el, "title", f"{what} for {c.course_code} {c.title}")
    _term_id(el, state.learning_agreement.term)
    if line is not None:
        amount: Decimal | None = line.credits
    else:
        taken = _partner_credits(state, c.course_code)
        try:
            amount = convert_credits(taken, program.credit_rule(partner.credit_system, home.credit_system)) if taken else None
        except CreditError:
            amount = None
    _credits(el, amount, home.credit_system, program)
    decided = decision is not None and decision.decision in {CourseDecision.APPROVE, CourseDecision.APPROVE_AS_ELECTIVE}
    if not decided and not home_code and not category:
        _sub(el, "recognition-conditions", f"To be decided by {home.name()}'s department once the grade is known.")


def _components(parent: ET.Element, state: CreditTransferState, courses: list[PlannedCourse]) -> None:
    studied = _sub(parent, "components-studied")
    for c in courses:
        _studied(studied, state, c)
    recognized = _sub(parent, "components-recognized")
    for c in courses:
        _recognized(recognized, state, c)


def _first_plan(state: CreditTransferState) -> list[PlannedCourse]:
    """The plan at revision 0: the current one with the approved changes undone, latest first."""
    courses = list(state.learning_agreement.courses)
    catalog = state.catalogs.get(state.partner_id)
    for p in reversed([p for p in state.proposals if p.status is ProposalStatus.APPROVED]):
        ch = p.change
        if ch.kind is ChangeKind.ADD:
            courses = [c for c in courses if code_key(c.course_code) != code_key(ch.course_code)]
        else:
            course = catalog.find(ch.course_code) if catalog else None
            title = ch.title or (course.name() if course else ch.course_code)
            courses.append(PlannedCourse(course_code=ch.course_code, title=title, home_course_code=ch.home_course_code))
    return courses


def _change_components(parent: ET.Element, state: CreditTransferState, approved: list[ChangeProposal]) -> None:
    studied = _sub(parent, "components-studied")
    dropping = any(p.change.kind is ChangeKind.DROP for p in approved)
    catalog = state.catalogs.get(state.partner_id)
    for p in approved:
        ch = p.change
        attrib = {"status": "inserted" if ch.kind is ChangeKind.ADD else "deleted"}
        code = _DROP_REASONS.get(ch.reason) if ch.kind is ChangeKind.DROP else ("substituting-deleted" if dropping else None)
        if code:
            attrib["reason-code"] = code
        attrib["reason-text"] = ch.reason.value.replace("_", " ") + (f": {ch.comment}" if ch.comment else "")
        course = catalog.find(ch.course_code) if catalog else None
        title = ch.title or (course.name() if course else ch.course_code)
        _studied(studied, state, PlannedCourse(course_code=ch.course_code, title=title), **attrib)
    recognized = _sub(parent, "components-recognized")
    for p in approved:
        if p.change.kind is ChangeKind.ADD:
            planned = next(
                (c for c in state.learning_agreement.courses if code_key(c.course_code) == code_key(p.change.course_code)), None
            )
            if planned is not None:
                _recognized(recognized, state, planned)


def _approval_time(state: CreditTransferState, p: ChangeProposal) -> datetime:
    """When the department approved a change: its `change_approved` event, else when it was proposed."""
    for e in state.events:
        if e.kind == "change_approved" and e.actor_id == p.approved_by and p.change.summary in e.detail:
            return e.at
    return p.proposed_at


def _eqf_level(state: CreditTransferState) -> int:
    catalog = state.catalogs.get(state.partner_id)
    levels = [course.level for c in state.learning_agreement.courses if catalog and (course := catalog.find(c.course_code))]
    return max((_EQF.get(level, 6) for level in levels), default=7)


def _instruction_language(state: CreditTransferState, partner: ProgramInstitution) -> str:
    catalog = state.catalogs.get(state.partner_id)
    for c in state.learning_agreement.courses:
        course = catalog.find(c.course_code) if catalog else None
        if course is not None and course.language:
            return course.language
    return next((lang for lang in partner.names if lang != "en"), "en")


# ---------------------------------------------------------------- the document


def ola_xml(
    state: CreditTransferState,
    *,
    generated_at: datetime,
    sending_hei_id: str | None = None,
    receiving_hei_id: str | None = None,
    isced_f_code: str = DEFAULT_ISCED_F,
    cefr_level: str = DEFAULT_CEFR,
) -> bytes:
    """The OLA get-response (one `la`) for a credit transfer, as UTF-8 XML bytes.

    Refuses (ValueError) when neither institution is in Europe — EWP is the European network — and
    when the home registrar has not signed yet. `generated_at` stamps the document's comment; it
    changes nothing else, so the same state always gives the same `la`.
    """
    program = state.program
    home, partner = program.institution(state.home_id), program.institution(state.partner_id)
    if not (is_european(home.country) or is_european(partner.country)):
        raise ValueError(
            f"Neither {home.name()} ({home.country}) nor {partner.name()} ({partner.country}) is in Europe, so the learning"
            f" agreement of {state.request.id} cannot be exchanged as an Erasmus Without Paper OLA."
        )
    sending = _last_signoff(state, TransferStage.HOME_REGISTRAR)
    if sending is None:
        raise ValueError(
            f"The learning agreement of {state.request.id} has not been approved by {home.name()}'s registrar yet; an"
            " Online Learning Agreement needs the sending institution's signature, so there is nothing to send yet."
        )
    receiving = _last_signoff(state, TransferStage.PARTNER_REGISTRAR)
    la_model: LearningAgreement = state.learning_agreement
    ET.register_namespace("", NS)
    ET.register_namespace("trm", TRM)
    root = ET.Element(_q("omobility-las-get-response"))
    root.append(ET.Comment(f" Generated by Helix at {_timestamp(generated_at)} from credit transfer {state.request.id} "))
    la = _sub(root, "la")
    _sub(la, "omobility-id", state.request.id)
    _institution(la, "sending-hei", state, home, sending_hei_id)
    _institution(la, "receiving-hei", state, partner, receiving_hei_id)
    _sub(la, "receiving-academic-year-id", academic_year_id(la_model.term))

    student = _sub(la, "student")
    given, family = split_name(state.student.name, family_first=home.country in FAMILY_NAME_FIRST)
    _sub(student, "given-names", given)
    _sub(student, "family-name", family)
    _sub(student, "global-id", f"urn:schac:personalUniqueCode:int:esi:{sending_hei_id or hei_id(home)}:{state.record.student_id}")
    if _valid_email(state.student.email):
        _sub(student, "email", state.student.email)

    start = term_start(la_model.term)
    last = term_start(next_term(la_model.term))
    end_year, end_month = (last.year, last.month - 1) if last.month > 1 else (last.year - 1, 12)
    _sub(la, "start-year-month", f"{start.year:04d}-{start.month:02d}")
    _sub(la, "end-year-month", f"{end_year:04d}-{end_month:02d}")
    _sub(la, "eqf-level-studied-at-departure", _eqf_level(state))
    _sub(la, "isced-f-code", isced_f_code)
    _sub(la, "isced-clarification", program.name())
    skill = _sub(la, "student-language-skill")
    _sub(skill, "language", _instruction_language(state, partner))
    _sub(skill, "cefr-level", cefr_level)

    signed_by_student = state.created_at or sending.at
    sending_person = _person(state, sending.person_id, sending.person_name)
    approved = [p for p in state.proposals if p.status is ProposalStatus.APPROVED]

    def sign(
        parent: ET.Element, student_at: datetime, sender: tuple[PersonRef | None, str, datetime], with_receiving: bool
    ) -> None:
        _signature(parent, "student-signature", student_at)
        _signature(parent, "sending-hei-signature", sender[2], sender[0], sender[1])
        if with_receiving and receiving is not None:
            _signature(
                parent,
                "receiving-hei-signature",
                receiving.at,
                _person(state, receiving.person_id, receiving.person_name),
                "Registrar",
            )

    if receiving is None:
        proposal = ET.Element(_q("changes-proposal"))
        _components(proposal, state, list(la_model.courses))
        sign(proposal, signed_by_student, (sending_person, "Registrar", sending.at), with_receiving=False)
        digest = hashlib.sha256(ET.tostring(proposal, encoding="utf-8")).hexdigest()
        proposal.set("id", digest)
        la.append(proposal)
    else:
        first = _sub(la, "first-version")
        _components(first, state, _first_plan(state))
        sign(first, signed_by_student, (sending_person, "Registrar", sending.at), with_receiving=True)
        if approved:
            changes = _sub(la, "approved-changes")
            _change_components(changes, state, approved)
            last_change = approved[-1]
            approver = _person(state, last_change.approved_by) or sending_person
            sign(changes, last_change.proposed_at, (approver, "Department reviewer", _approval_time(state, last_change)), True)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
