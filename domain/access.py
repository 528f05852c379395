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

# Roles that give someone something to do in a workflow (a board seat alone does not).
_ACTING_ROLES = {
    Role.LIAISON,
    Role.APPROVER,
    Role.SIGNATORY,
    Role.PROGRAM_COORDINATOR,
    Role.FUND_MANAGER,
    Role.REVIEWER,
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


def visible_pages(person: Person) -> list[str]:
    """The pages of the navigation, in menu order. People who can act land on their tasks;
    a board member without another role lands on the agreements list."""
    pages = [PAGE_TASKS] if can_act(person) else []
    return [*pages, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_OUTBOX]
