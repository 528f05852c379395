"""Who may see what on the dashboard: pure rules read by every page, tested with worked examples.

The workflows decide who may *act* (`domain.agreement_rules`); these rules only decide what a page
shows, so a person is never offered a list of things that are none of their business. Board
members and administrators oversee the whole network; everyone else sees the items their
organisation or country takes part in, plus anything they personally take part in.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.board import scope_for
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
PAGE_GRANTS = "grants"
PAGE_FUNDS = "funds"
PAGE_REVIEWERS = "reviewers"
PAGE_MY_REVIEWS = "my-reviews"
PAGE_MY_APPLICATIONS = "my-applications"
PAGE_APPLICATION = "application"
PAGE_GRANT = "grant"
PAGE_RELEASES = "releases"
PAGE_RELEASE = "release"
PAGE_MY_COUNTRY = "my-country"
PAGE_RELEASE_TARGET = "release-target"
PAGE_FESTIVAL = "festival"
PAGE_OVERVIEW = "overview"
PAGE_BOTTLENECKS = "bottlenecks"

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


# ---------------------------------------------------------------- the co-production fund


def is_fund_manager(person: Person) -> bool:
    return person.holds(Role.FUND_MANAGER)


def is_reviewer(person: Person) -> bool:
    return person.holds(Role.REVIEWER)


def sees_grants(person: Person) -> bool:
    """Who oversees the fund: its pipeline, the ledger, the reviewers' workload and every panel's
    scores. Fund managers run it, the board decides the awards, administrators keep it working."""
    return is_fund_manager(person) or is_board(person) or is_admin(person)


def has_tasks(person: Person, grant_contact: bool = False) -> bool:
    """Whether "My tasks" is offered: anyone who can act, board members (they vote on awards and
    amendments) and producers who are the contact of an application or grant (they submit reports)."""
    return can_act(person) or is_board(person) or grant_contact


def can_view_application(person: Person, contact_id: str, reviewer_ids: Iterable[str] = ()) -> bool:
    """An application is visible to the fund's overseers, to its contact person, and to every
    reviewer who is or was on its panel (one who stepped down still knows what they read)."""
    if sees_grants(person):
        return True
    return person.id == contact_id or person.id in set(reviewer_ids)


def can_view_grant(person: Person, contact_id: str, grantee_ids: Iterable[str] = ()) -> bool:
    """A grant is visible to the fund's overseers and to the producer: the application's contact
    and the lead company's signatories. Reviewers' part ended with their scores."""
    if sees_grants(person):
        return True
    return person.id == contact_id or person.id in set(grantee_ids)


def can_see_review(person: Person, reviewer_id: str) -> bool:
    """A reviewer's marks and comments: the fund's overseers read every review, a reviewer their
    own only (panels score independently), and the applicant none."""
    return sees_grants(person) or person.id == reviewer_id


def can_see_panel(person: Person) -> bool:
    """Who sees the whole panel (every reviewer, their status and scores) and each board vote."""
    return sees_grants(person)


def can_see_result(person: Person, contact_id: str, decided: bool) -> bool:
    """The panel's mean score and the board's tally: overseers always; the applicant once the
    application is decided (the letter states it anyway); reviewers never (it would reveal the
    other reviewers' scores)."""
    return sees_grants(person) or (decided and person.id == contact_id)


# ---------------------------------------------------------------- award-to-release


def is_liaison(person: Person) -> bool:
    return bool(liaison_countries(person))


def is_festival_admin(person: Person, festival_admin_ids: Iterable[str] = ()) -> bool:
    """Who records the jury's awards: administrators, and the people a festival names as its
    administrators (the festival office; only the read model knows them). The workflow still
    refuses anyone it does not name."""
    return is_admin(person) or person.id in set(festival_admin_ids)


def sees_releases(person: Person) -> bool:
    """Who follows the whole network's releases (the matrix and the target): overseers, and every
    liaison, since a country decides better knowing where the film already is."""
    return sees_everything(person) or is_liaison(person)


def can_view_release(person: Person, party_orgs: Iterable[str] = (), participant_ids: Iterable[str] = ()) -> bool:
    """A country release is visible to overseers and liaisons (every country's), to members of its
    parties (the rights holder, the licensee) and to anyone it names (its liaison, the festival's
    administrators)."""
    if sees_releases(person):
        return True
    if organisations_of(person) & set(party_orgs):
        return True
    return person.id in set(participant_ids)


def acts_for_release(person: Person, country: str) -> bool:
    """Whether a page offers a country release's forms to the person: its country's liaison.
    Only a hint for drawing widgets; the workflow decides (it names one liaison per country)."""
    return country.upper() in liaison_countries(person)


def sees_board(person: Person) -> bool:
    """Who gets the board pages (overview, bottlenecks): anyone with a board scope
    (`domain.board.scope_for`): overseers, liaisons, university staff and fund managers."""
    return scope_for(person) is not None


def visible_pages(
    person: Person, grant_contact: bool = False, release_party: bool = False, festival_admin: bool = False
) -> list[str]:
    """The pages of the navigation, in menu order. People who can act land on their tasks;
    a board member without another role lands on the network overview (their votes wait under My
    tasks, further down). Anyone with a board scope gets the overview and bottlenecks: board members
    first of all, others after their tasks. Program staff and overseers get the programme pages; a student gets
    their own studies (and, if a student only, no agreements). The fund's overseers get the grant
    pages, reviewers their inbox, and producers (`grant_contact`: the contact person of some
    application or grant, which only the read model knows) their own applications. Overseers and
    liaisons get the releases matrix and the target, liaisons their country's queue too; people of
    a release's parties (`release_party`) the matrix of their releases; festival administrators
    (`festival_admin`, or the admin role) the festival page."""
    acting = can_act(person) or grant_contact
    board = sees_board(person)
    # A board seat is oversight: the overview comes first; people who act land on their tasks.
    pages = [PAGE_OVERVIEW, PAGE_BOTTLENECKS] if board and not acting else []
    pages += [PAGE_TASKS] if acting else []
    if board and acting:
        pages += [PAGE_OVERVIEW, PAGE_BOTTLENECKS]
    if not only_student(person):
        pages += [PAGE_AGREEMENTS, PAGE_AGREEMENT]
    if not acting and has_tasks(person, grant_contact):
        pages.append(PAGE_TASKS)
    if sees_programs(person):
        pages += [PAGE_PROGRAMS, PAGE_STUDENTS, PAGE_CREDIT_REQUESTS]
    if is_student(person):
        pages.append(PAGE_MY_STUDIES)
    if sees_programs(person) or is_student(person):
        pages += [PAGE_STUDENT, PAGE_CREDIT_TRANSFER]
    if sees_grants(person):
        pages += [PAGE_GRANTS, PAGE_FUNDS, PAGE_REVIEWERS]
    if is_reviewer(person):
        pages.append(PAGE_MY_REVIEWS)
    if grant_contact:
        pages.append(PAGE_MY_APPLICATIONS)
    if sees_grants(person) or is_reviewer(person) or grant_contact:
        pages.append(PAGE_APPLICATION)
    if sees_grants(person) or grant_contact:
        pages.append(PAGE_GRANT)
    festival = festival_admin or is_admin(person)
    if sees_releases(person) or release_party or festival:
        pages.append(PAGE_RELEASES)
    if is_liaison(person):
        pages.append(PAGE_MY_COUNTRY)
    if sees_releases(person) or festival:
        pages.append(PAGE_RELEASE_TARGET)
    if festival:
        pages.append(PAGE_FESTIVAL)
    if sees_releases(person) or release_party or festival:
        pages.append(PAGE_RELEASE)
    return [*pages, PAGE_OUTBOX]
