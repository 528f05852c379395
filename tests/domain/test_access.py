"""Dashboard visibility rules, with people shaped like the demo directory's."""

from __future__ import annotations

from domain.access import (
    PAGE_AGREEMENT,
    PAGE_AGREEMENTS,
    PAGE_APPLICATION,
    PAGE_BOTTLENECKS,
    PAGE_CREDIT_REQUESTS,
    PAGE_CREDIT_TRANSFER,
    PAGE_FESTIVAL,
    PAGE_FUNDS,
    PAGE_GRANT,
    PAGE_GRANTS,
    PAGE_MY_APPLICATIONS,
    PAGE_MY_COUNTRY,
    PAGE_MY_REVIEWS,
    PAGE_MY_STUDIES,
    PAGE_OUTBOX,
    PAGE_OVERVIEW,
    PAGE_PROGRAMS,
    PAGE_RELEASE,
    PAGE_RELEASE_TARGET,
    PAGE_RELEASES,
    PAGE_REVIEWERS,
    PAGE_STUDENT,
    PAGE_STUDENTS,
    PAGE_TASKS,
    acts_for_release,
    can_act,
    can_read_message,
    can_see_panel,
    can_see_result,
    can_see_review,
    can_view_application,
    can_view_grant,
    can_view_item,
    can_view_program,
    can_view_program_item,
    can_view_release,
    is_festival_admin,
    only_student,
    organisations_of,
    program_staff_organisations,
    sees_everything,
    sees_grants,
    sees_releases,
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


RELEASE_PAGES = [PAGE_RELEASES, PAGE_RELEASE_TARGET, PAGE_RELEASE]  # what overseers get of the award-to-release pages


def test_pages_in_menu_order() -> None:
    assert visible_pages(KIM) == [PAGE_TASKS, PAGE_OVERVIEW, PAGE_BOTTLENECKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_RELEASES, PAGE_MY_COUNTRY,
                                  PAGE_RELEASE_TARGET, PAGE_RELEASE, PAGE_OUTBOX]  # fmt: skip
    program_pages = [PAGE_PROGRAMS, PAGE_STUDENTS, PAGE_CREDIT_REQUESTS, PAGE_STUDENT, PAGE_CREDIT_TRANSFER]
    grant_pages = [PAGE_GRANTS, PAGE_FUNDS, PAGE_REVIEWERS, PAGE_APPLICATION, PAGE_GRANT]
    # overseers see programs and the fund; a board seat lands on the overview, its votes wait under My tasks
    assert visible_pages(BOARD) == [PAGE_OVERVIEW, PAGE_BOTTLENECKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_TASKS, *program_pages, *grant_pages, *RELEASE_PAGES,
                                    PAGE_OUTBOX]  # fmt: skip


def test_outbox_shows_own_mail_unless_overseer() -> None:
    assert can_read_message(KIM, ["wang-lei@demo.helix.example", "Kim-Minji@Demo.Helix.Example "])
    assert not can_read_message(KIM, ["wang-lei@demo.helix.example"])
    assert can_read_message(BOARD, ["wang-lei@demo.helix.example"])
    assert can_read_message(ADMIN, [])


def test_organisations_of_includes_grants_for_other_organisations() -> None:
    coordinator = person("lee", "kafa", RoleGrant(role=Role.PROGRAM_COORDINATOR, organisation_id="kafa-seoul"))
    assert organisations_of(coordinator) == {"kafa", "kafa-seoul"}
    assert organisations_of(NOBODY) == set()


# ---------------------------------------------------------------- joint programs

# The KNUA–VGIK dual MFA: its items' parties are KNUA and VGIK; Korea's ministry authorizes.
KNUA_VGIK = ["knua", "vgik"]
WITH_MINISTRY = [*KNUA_VGIK, "moe-kr"]
COORDINATOR = person("park-jiwon", "knua", RoleGrant(role=Role.PROGRAM_COORDINATOR, organisation_id="knua"))
REGISTRAR = person("smirnova-elena", "vgik", RoleGrant(role=Role.REGISTRAR, organisation_id="vgik"))
DEPARTMENT = person("jung-minho", "kafa", RoleGrant(role=Role.DEPARTMENT_REVIEWER, organisation_id="kafa"))
MINISTRY = person("yoon-seojin", "moe-kr", RoleGrant(role=Role.MINISTRY_OFFICER, organisation_id="moe-kr"))
MINJI = person("minji-student", "knua", RoleGrant(role=Role.STUDENT, organisation_id="knua"))
DOHYUN = person("dohyun-student", "knua", RoleGrant(role=Role.STUDENT, organisation_id="knua"))


def test_staff_see_the_items_of_programs_their_organisation_takes_part_in() -> None:
    assert can_view_program_item(COORDINATOR, KNUA_VGIK, student_person_id="minji-student")
    assert can_view_program_item(REGISTRAR, KNUA_VGIK, student_person_id="minji-student")  # the partner's registrar too
    assert not can_view_program_item(DEPARTMENT, KNUA_VGIK, student_person_id="minji-student")  # KAFA is not in it
    assert can_view_program_item(DEPARTMENT, ["kafa", "bfa"], student_person_id="someone")


def test_the_ministry_sees_the_programs_whose_transfers_it_authorizes() -> None:
    assert can_view_program_item(MINISTRY, WITH_MINISTRY, student_person_id="minji-student")
    assert not can_view_program_item(MINISTRY, KNUA_VGIK, student_person_id="minji-student")
    assert can_view_program(MINISTRY, WITH_MINISTRY) and not can_view_program(MINISTRY, KNUA_VGIK)


def test_a_student_sees_only_their_own_record_and_transfers() -> None:
    assert can_view_program_item(MINJI, KNUA_VGIK, student_person_id="minji-student")
    assert not can_view_program_item(DOHYUN, KNUA_VGIK, student_person_id="minji-student")  # same university, not theirs
    assert program_staff_organisations(MINJI) == set()  # membership of KNUA alone opens nothing
    assert not can_view_program(MINJI, KNUA_VGIK)


def test_people_named_in_a_program_item_see_it_and_overseers_see_all() -> None:
    assert can_view_program_item(KIM, KNUA_VGIK, student_person_id="minji-student", participant_ids=["kim-minji"])
    assert not can_view_program_item(KIM, KNUA_VGIK, student_person_id="minji-student")  # a liaison alone: no student data
    assert can_view_program_item(BOARD, KNUA_VGIK, student_person_id="minji-student")
    assert can_view_program_item(ADMIN, KNUA_VGIK, student_person_id=None)


def test_a_staff_grant_without_an_organisation_counts_for_the_persons_own() -> None:
    loose = person("lee-coord", "knua", RoleGrant(role=Role.PROGRAM_COORDINATOR))
    assert program_staff_organisations(loose) == {"knua"}


def test_program_pages_by_role() -> None:
    program_pages = [PAGE_PROGRAMS, PAGE_STUDENTS, PAGE_CREDIT_REQUESTS, PAGE_STUDENT, PAGE_CREDIT_TRANSFER]
    assert visible_pages(COORDINATOR) == [PAGE_TASKS, PAGE_OVERVIEW, PAGE_BOTTLENECKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, *program_pages, PAGE_OUTBOX]
    assert visible_pages(MINISTRY) == visible_pages(COORDINATOR)
    assert only_student(MINJI) and not only_student(COORDINATOR)
    assert visible_pages(MINJI) == [PAGE_TASKS, PAGE_MY_STUDIES, PAGE_STUDENT, PAGE_CREDIT_TRANSFER, PAGE_OUTBOX]
    tutor = person(
        "tutor",
        "knua",
        RoleGrant(role=Role.STUDENT, organisation_id="knua"),
        RoleGrant(role=Role.REGISTRAR, organisation_id="knua"),
    )
    assert PAGE_MY_STUDIES in visible_pages(tutor) and PAGE_STUDENTS in visible_pages(tutor)


# ---------------------------------------------------------------- the co-production fund

# The SCO fund's 2026 round: Zhou Lan manages it, Olga and Aigerim review, Priya Nair is the contact
# of The Long Steppe (Mumbai Talkies), whose panel was Olga and Li Wei; Anand signs for Mumbai Talkies.
FUND_MANAGER = person("fm-zhou", "sco-festival", RoleGrant(role=Role.FUND_MANAGER))
OLGA = person("olga", "vgik", RoleGrant(role=Role.REVIEWER))
AIGERIM = person("aigerim", "kazakhfilm", RoleGrant(role=Role.REVIEWER))
PRIYA = person("priya-nair", "mumbai-talkies")  # a producer: no role in the directory at all
ANAND = person("anand", "mumbai-talkies", RoleGrant(role=Role.SIGNATORY, organisation_id="mumbai-talkies"))
STEPPE_PANEL = ["olga", "li-wei"]


def test_the_funds_overseers_see_every_application_and_grant() -> None:
    for p in (FUND_MANAGER, BOARD, ADMIN):
        assert sees_grants(p) and can_see_panel(p)
        assert can_view_application(p, "priya-nair", STEPPE_PANEL)
        assert can_view_grant(p, "priya-nair")
        assert can_see_review(p, "olga") and can_see_result(p, "priya-nair", decided=False)
    assert not sees_grants(KIM) and not sees_grants(OLGA) and not sees_grants(PRIYA)


def test_reviewers_see_their_panels_applications_and_only_their_own_scores() -> None:
    assert can_view_application(OLGA, "priya-nair", STEPPE_PANEL)
    assert not can_view_application(AIGERIM, "priya-nair", STEPPE_PANEL)  # not on that panel
    assert can_see_review(OLGA, "olga") and not can_see_review(OLGA, "li-wei")
    assert not can_see_panel(OLGA)
    assert not can_see_result(OLGA, "priya-nair", decided=True)  # the mean would reveal the others' scores
    assert not can_view_grant(OLGA, "priya-nair")  # the reviewer's part ended with the score


def test_the_applicant_sees_their_own_application_and_grant_not_the_reviews() -> None:
    assert can_view_application(PRIYA, "priya-nair", STEPPE_PANEL)
    assert not can_view_application(PRIYA, "zhang-min", ["aigerim"])
    assert not can_see_review(PRIYA, "olga") and not can_see_panel(PRIYA)
    assert not can_see_result(PRIYA, "priya-nair", decided=False)
    assert can_see_result(PRIYA, "priya-nair", decided=True)  # once decided, as the letter says
    assert can_view_grant(PRIYA, "priya-nair")
    assert can_view_grant(ANAND, "priya-nair", grantee_ids=["anand"])  # signs the agreement for the producer
    assert not can_view_grant(ANAND, "priya-nair") and not can_view_application(ANAND, "priya-nair", STEPPE_PANEL)


def test_grant_pages_by_role() -> None:
    assert visible_pages(FUND_MANAGER) == [PAGE_TASKS, PAGE_OVERVIEW, PAGE_BOTTLENECKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_GRANTS, PAGE_FUNDS,
                                           PAGE_REVIEWERS, PAGE_APPLICATION, PAGE_GRANT, PAGE_OUTBOX]  # fmt: skip
    assert visible_pages(OLGA) == [PAGE_TASKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_MY_REVIEWS, PAGE_APPLICATION, PAGE_OUTBOX]
    assert visible_pages(PRIYA) == [PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_OUTBOX]  # not (yet) anyone's contact
    assert visible_pages(PRIYA, grant_contact=True) == [PAGE_TASKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_MY_APPLICATIONS,
                                                        PAGE_APPLICATION, PAGE_GRANT, PAGE_OUTBOX]  # fmt: skip
    assert PAGE_GRANTS not in visible_pages(KIM) and PAGE_MY_REVIEWS not in visible_pages(KIM)


# ---------------------------------------------------------------- award-to-release

# Kim Min-ji is Korea's liaison; Pavel Orlov signs for Moskino Distribution, the licensee of The
# Steppe Wind in Russia; Wu Fang of the festival office is named as an administrator of the 2026 edition.
MOSKINO = person("moskino-head", "moskino-dist", RoleGrant(role=Role.SIGNATORY, organisation_id="moskino-dist"))
WU = person("fest-wu", "sco-festival")
STEPPE_RU_PARTIES = ["kazakhfilm", "roskino", "moskino-dist"]  # rights holder, release country, licensee


def test_overseers_and_every_liaison_follow_all_releases() -> None:
    for p in (BOARD, ADMIN, KIM):
        assert sees_releases(p)
        assert can_view_release(p, STEPPE_RU_PARTIES)  # Kim is Korea's liaison, this is Russia's release
    assert not sees_releases(ZHANG) and not sees_releases(MOSKINO) and not sees_releases(WU)


def test_parties_see_the_releases_they_take_part_in() -> None:
    assert can_view_release(MOSKINO, STEPPE_RU_PARTIES)
    assert not can_view_release(MOSKINO, ["kazakhfilm", "jinjin-pictures"])  # the Korean release is not theirs
    assert can_view_release(WU, ["kazakhfilm"], participant_ids=["aigerim-nurlanova", "fest-wu"])  # named by the festival
    assert not can_view_release(NOBODY, STEPPE_RU_PARTIES)


def test_a_liaison_acts_for_their_own_country_only() -> None:
    assert acts_for_release(KIM, "KR") and acts_for_release(KIM, "kr")
    assert not acts_for_release(KIM, "RU") and not acts_for_release(ADMIN, "RU")


def test_festival_administrators_are_the_admin_role_or_named_by_the_festival() -> None:
    assert is_festival_admin(ADMIN)
    assert is_festival_admin(WU, ["liu-yang", "fest-wu"]) and not is_festival_admin(WU)
    assert not is_festival_admin(BOARD, ["liu-yang"])


def test_release_pages_by_role() -> None:
    assert visible_pages(MOSKINO) == [PAGE_TASKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_OUTBOX]  # not (yet) a party
    assert visible_pages(MOSKINO, release_party=True) == [PAGE_TASKS, PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_RELEASES,
                                                          PAGE_RELEASE, PAGE_OUTBOX]  # fmt: skip
    assert visible_pages(WU, festival_admin=True) == [PAGE_AGREEMENTS, PAGE_AGREEMENT, PAGE_RELEASES, PAGE_RELEASE_TARGET,
                                                      PAGE_FESTIVAL, PAGE_RELEASE, PAGE_OUTBOX]  # fmt: skip
    admin = visible_pages(ADMIN)
    assert admin[-6:] == [PAGE_GRANT, PAGE_RELEASES, PAGE_RELEASE_TARGET, PAGE_FESTIVAL, PAGE_RELEASE, PAGE_OUTBOX]
    assert PAGE_MY_COUNTRY not in admin and PAGE_FESTIVAL not in visible_pages(KIM) and PAGE_FESTIVAL not in visible_pages(BOARD)
