"""Dashboard visibility rules, with people shaped like the demo directory's."""

from __future__ import annotations

from domain.access import (
    PAGE_AGREEMENT,
    PAGE_AGREEMENTS,
    PAGE_OUTBOX,
    PAGE_TASKS,
    can_act,
    can_read_message,
    can_view_item,
    organisations_of,
    sees_everything,
    visible_pages,
)
from domain.parties import Person, Role, RoleGrant


def person(pid: str, org: str | None, *grants: RoleGrant) -> Person:
    return Person(id=pid, name=pid.title(), email=f"{pid}@demo.helix.example", organisation_id=org, roles=grants)


KIM = person(  # KOFIC, liaison for Korea
    "kim-minji",
    "kofic",
    RoleGrant(role=Role.LIAISON, country="KR"),
    RoleGrant(role=Role.APPROVER, organisation_id="kofic"),
    RoleGrant(role=Role.SIGNATORY, organisation_id="kofic"),
)
ZHANG = person("zhang-wei", "bfa", RoleGrant(role=Role.APPROVER, organisation_id="bfa"))
BOARD = person("board-ahmed", None, RoleGrant(role=Role.BOARD_MEMBER))
ADMIN = person("liu-yang", "sco-festival", RoleGrant(role=Role.ADMIN))
NOBODY = person("guest", None)


def test_liaison_sees_items_with_a_party_from_their_country() -> None:
    assert can_view_item(KIM, ["CN", "KR"], ["cfa", "kafa"])  # KAFA is Korean, though not KIM's organisation
    assert can_view_item(KIM, ["kr"], ["kafa"])  # country codes ignore case
    assert not can_view_item(KIM, ["CN", "RU"], ["bfa", "vgik"])


def test_organisation_members_see_their_organisations_items() -> None:
    assert can_view_item(ZHANG, ["CN", "RU"], ["bfa", "vgik"])
    assert not can_view_item(ZHANG, ["CN", "KZ"], ["cfa", "kazakhfilm"])  # same country, other organisation


def test_anyone_named_in_an_item_sees_it() -> None:
    assert can_view_item(ZHANG, ["KR", "KZ"], ["kofic", "kazakhfilm"], participant_ids=["zhang-wei"])
    assert not can_view_item(NOBODY, ["KR"], ["kofic"], participant_ids=["kim-minji"])


def test_board_and_admin_see_everything() -> None:
    for p in (BOARD, ADMIN):
        assert sees_everything(p)
        assert can_view_item(p, ["IR"], ["farabi"])
    assert not sees_everything(KIM)


def test_board_seat_alone_is_read_only() -> None:
    assert not can_act(BOARD)
    assert not can_act(NOBODY)
    assert can_act(KIM) and can_act(ADMIN) and can_act(ZHANG)
    board_and_signatory = person(
        "board-sato", "kofic", RoleGrant(role=Role.BOARD_MEMBER), RoleGrant(role=Role.SIGNATORY, organisation_id="kofic")
    )
    assert can_act(board_and_signatory)


def test_pages_in_menu_order() -> None:
    assert visible_pages(KIM) == [PAGE_TASKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_OUTBOX]
    assert visible_pages(BOARD) == [PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_OUTBOX]


def test_outbox_shows_own_mail_unless_overseer() -> None:
    assert can_read_message(KIM, ["wang-lei@demo.helix.example", "Kim-Minji@Demo.Helix.Example "])
    assert not can_read_message(KIM, ["wang-lei@demo.helix.example"])
    assert can_read_message(BOARD, ["wang-lei@demo.helix.example"])
    assert can_read_message(ADMIN, [])


def test_organisations_of_includes_grants_for_other_organisations() -> None:
    coordinator = person("lee", "kafa", RoleGrant(role=Role.PROGRAM_COORDINATOR, organisation_id="kafa-seoul"))
    assert organisations_of(coordinator) == {"kafa", "kafa-seoul"}
    assert organisations_of(NOBODY) == set()
