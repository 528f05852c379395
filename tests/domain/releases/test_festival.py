"""Festival data and jury awards: the checks that stand between an award and a dozen release recommendations."""

import re
from datetime import date

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.releases.festival import (
    CATEGORIES,
    YOUTH_AI_CATEGORIES,
    Edition,
    SectionKind,
    check_award,
    check_eidr,
    eidr_check_character,
    member_countries_for,
    parse_award,
    parse_film,
)
from tests.domain.releases.examples import AWARDS, EDITION, FILMS, PAPER_CRANES, SIGNALS, STEPPE_WIND, award, film


def test_the_2026_edition_gets_the_standard_categories_of_its_sections() -> None:
    assert EDITION.name() == "SCO Film Festival 2026"
    youth = [c for c in EDITION.categories if c.section is SectionKind.YOUTH_AI]
    assert [c.id for c in youth] == list(YOUTH_AI_CATEGORIES)
    assert [c.name() for c in youth] == ["Most Innovative Use of AI", "Best Story (AI-assisted)", "Technical Excellence"]
    assert CATEGORIES["best_childrens_film"].section is SectionKind.CHILDRENS_FILMS
    only_competition = Edition.model_validate({**EDITION.model_dump(exclude={"categories"}), "sections": ["competition"]})
    assert {c.section for c in only_competition.categories} == {SectionKind.COMPETITION}


def test_an_edition_that_cannot_be_run_is_refused() -> None:
    data = EDITION.model_dump()
    with pytest.raises(ValidationError, match=r"the festival closes \(2026-06-10\) before it opens \(2026-06-12\)"):
        Edition.model_validate({**data, "closes_on": date(2026, 6, 10)})
    with pytest.raises(ValidationError, match="the 2027 edition cannot open on 2026-06-12"):
        Edition.model_validate({**data, "year": 2027})
    with pytest.raises(
        ValidationError, match="the category best_short belongs to the short films section, which this edition does not have"
    ):
        Edition.model_validate({**data, "sections": ["competition"]})
    with pytest.raises(ValidationError, match="'XX' is not the ISO 3166 code of a network country"):
        Edition.model_validate({**data, "country": "XX"})


def test_every_award_of_the_worked_example_stands() -> None:
    for i, a in enumerate(AWARDS):
        check_award(EDITION, FILMS, a, AWARDS[:i])


def test_recording_the_same_award_again_is_accepted_but_not_another_under_its_id() -> None:
    check_award(EDITION, FILMS, AWARDS[0], AWARDS)
    with pytest.raises(Rejected) as e:
        check_award(EDITION, FILMS, award("aw-2026-01", "harbour-lights", "best_actor"), AWARDS)
    assert str(e.value) == (
        "Award aw-2026-01 is already recorded (to steppe-wind for best_film);"
        " give a corrected award a new id, or withdraw the recorded one first."
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            award("aw-x", "no-such-film", "best_actor"),
            "There is no film 'no-such-film' in the festival's records; check the film id of award aw-x.",
        ),
        (
            award("aw-x", "old-orchard", "best_actor"),
            "“Old Orchard” (Кӯҳна боғ) is in the programme of edition sco-2025, not of the SCO Film Festival 2026;"
            " only films of this edition can receive its awards.",
        ),
        (
            award("aw-x", "tunduk", "best_film"),
            "Best Film is awarded in the main competition, but “Tunduk” (Түндүк) is in the short films section.",
        ),
        (
            award("aw-x", "harbour-lights", "technical_excellence"),
            "Technical Excellence is awarded in the Youth AI Film Competition, but “Harbour Lights” (항구의 불빛)"
            " is in the main competition.",
        ),
        (
            award("aw-x", "harbour-lights", "best_picture"),
            "'best_picture' is not an award category of the SCO Film Festival 2026; its categories are best_film,"
            " best_director, best_actress, best_actor, best_screenplay, jury_prize, best_short, best_childrens_film,"
            " most_innovative_ai, best_story_ai_assisted, technical_excellence.",
        ),
        (
            award("aw-x", "harbour-lights", "best_film"),
            "Best Film of the SCO Film Festival 2026 already went to “The Steppe Wind” (Дала желі) with award aw-2026-01;"
            " it is awarded once, as it cannot be shared ex aequo.",
        ),
        (
            award("aw-x", "last-caravan", "jury_prize"),
            "“The Last Caravan” (کاروان آخر) already received Special Jury Prize of the SCO Film Festival 2026 (award aw-2026-03).",
        ),
        (
            award("aw-x", "harbour-lights", "best_actor", awarded_on=date(2026, 6, 20)),
            "The SCO Film Festival 2026 runs from 2026-06-12 to 2026-06-18; award aw-x is dated 2026-06-20."
            " Date it on the day the jury announced it.",
        ),
        (
            award("aw-x", "harbour-lights", "best_actor", edition_id="sco-2025"),
            "Award aw-x is for edition sco-2025, not for the SCO Film Festival 2026 (sco-2026).",
        ),
    ],
)
def test_an_award_that_cannot_stand_is_refused_with_a_sentence(bad: object, message: str) -> None:
    with pytest.raises(Rejected) as e:
        check_award(EDITION, FILMS, bad, AWARDS)  # type: ignore[arg-type]
    assert str(e.value) == message


def test_the_recorded_awards_may_also_be_passed_before_the_award() -> None:
    check_award(EDITION, FILMS, list(AWARDS[:3]), AWARDS[3])  # the order the festival workflow uses
    with pytest.raises(Rejected, match="already went to"):
        check_award(EDITION, FILMS, list(AWARDS), award("aw-x", "harbour-lights", "best_film"))


def test_a_shared_category_takes_a_third_film_but_an_unshared_one_none() -> None:
    check_award(EDITION, FILMS, award("aw-x", "harbour-lights", "jury_prize"), AWARDS)
    check_award(EDITION, FILMS, award("aw-x", "harbour-lights", "best_actor"), AWARDS)  # nobody has it yet


def test_malformed_award_data_is_refused_naming_each_field() -> None:
    with pytest.raises(Rejected) as e:
        parse_award(
            {"id": "Award 1", "edition_id": "sco-2026", "film_id": "tunduk", "category_id": "best_short", "awarded_on": "18 June"}
        )
    assert str(e.value).startswith("The award cannot be recorded: id: String should match pattern")
    assert "awarded_on: Input should be a valid date" in str(e.value)
    with pytest.raises(Rejected, match=re.escape("The award cannot be recorded: film_id: Field required.")):
        parse_award({"id": "aw-1", "edition_id": "sco-2026", "category_id": "best_short", "awarded_on": "2026-06-18"})


def test_the_eidr_check_character_is_verified() -> None:
    assert eidr_check_character("7EC7228A510A053ECBB8") == "J"  # EIDR's and schema.org's example
    assert check_eidr("10.5240/7ec7-228a-510a-053e-cbb8-j") == "10.5240/7EC7-228A-510A-053E-CBB8-J"
    assert check_eidr("10.5240/8A35-3BEE-6497-5D12-9E4F-3") == "10.5240/8A35-3BEE-6497-5D12-9E4F-3"
    assert STEPPE_WIND.eidr_id == "10.5240/5C1A-2F3B-0D4E-8A71-19C0-S"
    with pytest.raises(ValueError) as e:
        check_eidr("10.5240/7EC7-228A-510A-053E-CBB9-J")
    assert str(e.value) == (
        "'10.5240/7EC7-228A-510A-053E-CBB9-J' is not a valid EIDR id: its check character should be H, not J;"
        " a digit was probably mistyped"
    )
    with pytest.raises(Rejected) as e2:
        parse_film({**STEPPE_WIND.model_dump(), "eidr_id": "tt0073629"})
    assert str(e2.value) == (
        "The film cannot be recorded: eidr_id: 'tt0073629' is not an EIDR id; an EIDR id reads"
        " 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C (five groups of four hexadecimal digits, then a check character)."
    )


def test_malformed_film_data_is_refused() -> None:
    data = STEPPE_WIND.model_dump()
    with pytest.raises(Rejected, match=re.escape("origin_countries.1: 'XX' is not the ISO 3166 code of a network country")):
        parse_film({**data, "origin_countries": ["KZ", "XX"]})
    with pytest.raises(Rejected, match="origin_countries: Tuple should have at least 1 item"):
        parse_film({**data, "origin_countries": []})
    with pytest.raises(Rejected, match="origin country KZ is listed twice"):
        parse_film({**data, "origin_countries": ["KZ", "KZ"]})
    with pytest.raises(Rejected, match="runtime_minutes: Input should be greater than 0"):
        parse_film({**data, "runtime_minutes": 0})
    with pytest.raises(Rejected, match="'kazakh' is not an ISO 639 language code"):
        parse_film({**data, "languages": ["kazakh"]})
    with pytest.raises(Rejected, match="a film in the short films section runs 40 minutes at most; “The Steppe Wind” runs 104"):
        parse_film({**data, "section": "short_films"})
    assert film(origin_countries=("kz",)).origin_countries == ("KZ",)


def test_recommendations_go_to_members_and_korea_but_not_home() -> None:
    members_and_korea = ["BY", "CN", "IN", "IR", "KG", "KR", "KZ", "PK", "RU", "TJ", "UZ"]
    assert member_countries_for(STEPPE_WIND) == [c for c in members_and_korea if c != "KZ"]
    assert member_countries_for(PAPER_CRANES) == ["BY", "IN", "IR", "KG", "KR", "KZ", "PK", "TJ", "UZ"]
    assert member_countries_for(SIGNALS) == [c for c in members_and_korea if c != "KR"]
    assert member_countries_for(STEPPE_WIND, include_origin=True) == members_and_korea
    mongolian = film(origin_countries=("MN",))
    assert member_countries_for(mongolian) == members_and_korea  # observers receive none, but their films go to all
