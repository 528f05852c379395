"""Who may see what on the dashboard: pure rules read by every page, tested with worked examples.

The workflows decide who may *act* (`domain.agreement_rules`); these rules only decide what a page
shows, so a person is never offered a list of things that are none of their business. Board
members and administrators oversee the whole network; everyone else sees the items their
organisation or country takes part in, plus anything they personally take part in.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.parties import Person, Role

PAGE_TASKS = "tasks"
PAGE_AGREEMENTS = "agreements"
PAGE_AGREEMENT = "agreement"
PAGE_OUTBOX = "outbox"
PAGE_PROGRAMS = "programs"
PAGE_STUDENTS = "students"
PAGE_STUDENT = "student"
PAGE_CREDIT_REQUESTS = "credit-requests"
PAGE_CREDIT_TRANSFER = "credit-transfer"
PAGE_MY_STUDIES = "my-studies"

# Roles held for a university (or a ministry) that make its joint-program items someone's business.
PROGRAM_STAFF_ROLES = {Role.PROGRAM_COORDINATOR, Role.REGISTRAR, Role.DEPARTMENT_REVIEWER, Role.MINISTRY_OFFICER}

# Roles that give someone something to do in a workflow (a board seat alone does not).
_ACTING_ROLES = {
    Role.LIAISON,
    Role.APPROVER,
    Role.SIGNATORY,
    Role.PROGRAM_COORDINATOR,
    Role.FUND_MANAGER,
    Role.REVIEWER,
    Role.DEPARTMENT_REVIEWER,
    Role.REGISTRAR,
    Role.MINISTRY_OFFICER,
    Role.STUDENT,
    Role.ADMIN,
}


def is_admin(person: Person) -> bool:
    return person.holds(Role.ADMIN)


def is_board(person: Person) -> bool:
    return person.holds(Role.BOARD_MEMBER)


def sees_everything(person: Person) -> bool:
    """Administrators and board members oversee the whole network."""
    return is_admin(person) or is_board(person)


def can_act(person: Person) -> bool:
    """Whether a page offers action widgets at all. A board seat alone is read-only oversight;
    the workflow still decides whether a particular action is allowed."""
    return any(g.role in _ACTING_ROLES for g in person.roles)


def liaison_countries(person: Person) -> set[str]:
    return {g.country for g in person.roles if g.role is Role.LIAISON and g.country}


def organisations_of(person: Person) -> set[str]:
    """The person's own organisation and every organisation they hold a role for."""
    orgs = {g.organisation_id for g in person.roles if g.organisation_id}
    if person.organisation_id:
        orgs.add(person.organisation_id)
    return orgs


def can_view_item(
    person: Person,
    item_countries: Iterable[str],
    item_orgs: Iterable[str],
    participant_ids: Iterable[str] = (),
) -> bool:
    """An item is visible to overseers, to the liaison of any party's country, to members of any
    party organisation, and to anyone named in it (initiator, approver, signatory)."""
    if sees_everything(person):
        return True
    if liaison_countries(person) & {c.upper() for c in item_countries}:
        return True
    if organisations_of(person) & set(item_orgs):
        return True
    return person.id in set(participant_ids)


def can_read_message(person: Person, recipients: Iterable[str]) -> bool:
    """Overseers read the whole outbox; others read mail addressed to them (emails ignore case)."""
    if sees_everything(person):
        return True
    mine = str(person.email).casefold()
    return any(r.strip().casefold() == mine for r in recipients)


# ---------------------------------------------------------------- joint programs


def is_student(person: Person) -> bool:
    return person.holds(Role.STUDENT)


def only_student(person: Person) -> bool:
    """A student and nothing else: agreements are none of their business, their own studies are."""
    return is_student(person) and all(g.role is Role.STUDENT for g in person.roles)


def program_staff_organisations(person: Person) -> set[str]:
    """The organisations for which the person holds a program staff role (coordinator, registrar,
    department reviewer, ministry officer). A grant without an organisation counts for their own.
    Membership alone gives nothing: a student of KNUA does not read other KNUA students' records."""
    orgs: set[str] = set()
    for g in person.roles:
        if g.role in PROGRAM_STAFF_ROLES:
            org = g.organisation_id or person.organisation_id
            if org:
                orgs.add(org)
    return orgs


def is_program_staff(person: Person) -> bool:
    return any(g.role in PROGRAM_STAFF_ROLES for g in person.roles)


def sees_programs(person: Person) -> bool:
    """Who gets the programme, student and credit-request lists: overseers and program staff."""
    return sees_everything(person) or is_program_staff(person)


def can_view_program(person: Person, program_orgs: Iterable[str], participant_ids: Iterable[str] = ()) -> bool:
    """A program is visible to overseers, to the staff of any of its institutions (or of the ministry
    that authorizes its transfers), and to anyone its roster names."""
    if sees_everything(person):
        return True
    if program_staff_organisations(person) & set(program_orgs):
        return True
    return person.id in set(participant_ids)


def can_view_program_item(
    person: Person,
    item_orgs: Iterable[str],
    student_person_id: str | None,
    participant_ids: Iterable[str] = (),
) -> bool:
    """A student record or credit transfer: overseers see all; staff see the items of programs their
    organisation takes part in (`item_orgs`: the item's parties, plus the ministry where one
    authorizes); the student sees their own; anyone the item names (coordinators, reviewers,
    registrars of the roster) sees it too. Nobody else, however many roles they hold elsewhere."""
    if sees_everything(person):
        return True
    if student_person_id is not None and person.id == student_person_id:
        return True
    return can_view_program(person, item_orgs, participant_ids)


def visible_pages(person: Person) -> list[str]:
    """The pages of the navigation, in menu order. People who can act land on their tasks;
    a board member without another role lands on the agreements list. Program staff and overseers
    get the programme pages; a student gets their own studies (and, if a student only, no agreements)."""
    pages = [PAGE_TASKS] if can_act(person) else []
    if not only_student(person):
        pages += [PAGE_AGREEMENTS, PAGE_AGREEMENT]
    if sees_programs(person):
        pages += [PAGE_PROGRAMS, PAGE_STUDENTS, PAGE_CREDIT_REQUESTS]
    if is_student(person):
        pages.append(PAGE_MY_STUDIES)
    if sees_programs(person) or is_student(person):
        pages += [PAGE_STUDENT, PAGE_CREDIT_TRANSFER]
    return [*pages, PAGE_OUTBOX]
