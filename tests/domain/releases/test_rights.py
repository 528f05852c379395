"""Rights: overlaps, exclusivity, holdbacks, availability and the idempotent ledger, with worked examples."""

import re
from datetime import date

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.releases.rights import (
    Availability,
    Holdback,
    Media,
    RightsLedger,
    availability,
    check_licence,
    overlaps,
    parse_licence,
)
from tests.domain.releases.examples import ARMAN, CA_ONLINE, LIC_CA, LIC_KR, LIC_KZ, LICENCES, licence

T, S, TV = Media.THEATRICAL, Media.STREAMING, Media.TV


def refusal(existing: object, new: object) -> str:
    with pytest.raises(Rejected) as e:
        check_licence(existing, new)  # type: ignore[arg-type]
    return str(e.value)


def test_the_worked_example_licences_coexist() -> None:
    for i, g in enumerate(LICENCES):
        check_licence(LICENCES[:i], g)
    assert LIC_KZ.fee_text() == "25,000.00 USD"
    assert LIC_KR.fee_text() == "40,000,000.00 KRW"


def test_a_licence_overlapping_an_exclusive_one_is_refused_naming_the_deal() -> None:
    new = licence(deal_id="lic-kz-002", licensee=ARMAN, exclusive=False, starts_on=date(2027, 1, 15), ends_on=date(2027, 6, 30))
    assert refusal(LICENCES, new) == (
        "Deal lic-kz-001 already gives Kazakhfilm Distribution exclusive theatrical rights in KZ from 2026-12-01 to 2028-11-30;"
        " this licence overlaps it in KZ, theatrical, from 2027-01-15."
        " Change the territories, media or dates so they do not overlap, or release lic-kz-001 first if that deal fell through."
    )


def test_an_exclusive_licence_cannot_overlap_a_non_exclusive_one() -> None:
    new = licence(
        deal_id="lic-uz-001", territories=("UZ", "TJ"), media=(S, TV), starts_on=date(2027, 6, 1), ends_on=date(2029, 5, 31)
    )
    assert refusal(LICENCES, new) == (
        "Deal lic-ca-001 already gives Central Asia Online non-exclusive streaming rights in KG, KZ and UZ"
        " from 2027-01-01 to 2027-12-31; an exclusive licence cannot overlap it, and this one does in UZ, streaming,"
        " from 2027-06-01. Change the territories, media or dates so they do not overlap, or release lic-ca-001 first"
        " if that deal fell through."
    )
    check_licence(LICENCES, new.model_copy(update={"starts_on": date(2028, 1, 1)}))  # after lic-ca-001 ends


def test_non_exclusive_licences_may_overlap_each_other() -> None:
    new = licence(deal_id="lic-kg-002", licensee=ARMAN, territories=("KG", "KZ"), media=(S,), exclusive=False)
    assert overlaps(new, LIC_CA)
    check_licence(LICENCES, new)


def test_adjacent_terms_do_not_overlap_but_a_shared_last_day_does() -> None:
    after = licence(deal_id="lic-kz-002", licensee=ARMAN, starts_on=date(2028, 12, 1), ends_on=date(2030, 11, 30))
    assert not overlaps(LIC_KZ, after)
    check_licence(LICENCES, after)
    before = licence(deal_id="lic-kz-000", licensee=ARMAN, starts_on=date(2025, 12, 1), ends_on=date(2026, 11, 30))
    check_licence(LICENCES, before)
    same_day = after.model_copy(update={"starts_on": date(2028, 11, 30)})
    assert overlaps(LIC_KZ, same_day)
    assert "this licence overlaps it in KZ, theatrical, from 2028-11-30." in refusal(LICENCES, same_day)


def test_other_media_other_territories_and_other_films_are_free() -> None:
    check_licence(LICENCES, licence(deal_id="lic-kz-tv", licensee=ARMAN, media=(TV,)))
    check_licence(LICENCES, licence(deal_id="lic-kg-001", licensee=ARMAN, territories=("KG",)))
    other_film = licence(deal_id="lic-kz-sw", film_id="steppe-wind")
    assert not overlaps(LIC_KZ, other_film)
    check_licence(LICENCES, other_film)


def test_a_holdback_keeps_streaming_dark_until_it_ends() -> None:
    early = licence(
        deal_id="lic-kr-002",
        licensee=CA_ONLINE,
        territories=("KR",),
        media=(S,),
        exclusive=False,
        starts_on=date(2027, 3, 1),
        ends_on=date(2028, 2, 29),
        fee="10000000",
        currency="KRW",
    )
    assert refusal(LICENCES, early) == (
        "Deal lic-kr-001 holds back streaming and TV in KR until 2027-07-31 to protect the theatrical release by Jinjin Pictures;"
        " this licence overlaps it in KR, streaming, from 2027-03-01."
        " Change the territories, media or dates so they do not overlap, or release lic-kr-001 first if that deal fell through."
    )
    check_licence(LICENCES, early.model_copy(update={"starts_on": date(2027, 8, 1)}))


def test_a_new_holdback_cannot_darken_a_medium_already_licensed() -> None:
    new = licence(
        deal_id="lic-uz-001",
        licensee=ARMAN,
        territories=("UZ",),
        starts_on=date(2027, 3, 1),
        ends_on=date(2029, 2, 28),
        holdback=Holdback(media=(S,), ends_on=date(2027, 8, 31)),
    )
    assert refusal(LICENCES, new).startswith(
        "Deal lic-ca-001 already gives Central Asia Online non-exclusive streaming rights in KG, KZ and UZ from 2027-01-01"
        " to 2027-12-31; this licence would hold back streaming in UZ from 2027-03-01, while that deal runs."
    )


def test_every_conflicting_deal_is_named() -> None:
    everywhere = licence(
        deal_id="lic-all",
        licensee=ARMAN,
        territories=("KZ", "KR", "UZ"),
        media=(T, S),
        exclusive=True,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    message = refusal(LICENCES, everywhere)
    assert message.startswith("Deal lic-kz-001 already gives Kazakhfilm Distribution exclusive theatrical rights")
    assert "It also conflicts with lic-ca-001 and lic-kr-001." in message


def test_availability_shows_the_strongest_promise_per_medium() -> None:
    assert availability(LICENCES, "paper-cranes", "KZ", date(2027, 3, 1)) == {
        T: Availability.EXCLUSIVE,
        S: Availability.NON_EXCLUSIVE,
        TV: Availability.FREE,
    }
    assert availability(LICENCES, "paper-cranes", "kr", date(2027, 3, 1)) == {
        T: Availability.EXCLUSIVE,
        S: Availability.HELD_BACK,
        TV: Availability.HELD_BACK,
    }
    assert availability(LICENCES, "paper-cranes", "KR", date(2027, 8, 1))[S] == "free"
    assert availability(LICENCES, "steppe-wind", "KZ", date(2027, 3, 1)) == dict.fromkeys((T, S, TV), Availability.FREE)


def test_reserving_is_idempotent_by_deal_id() -> None:
    ledger = RightsLedger(film_id="paper-cranes")
    for g in LICENCES:
        ledger = ledger.reserve(g)
    assert ledger.reserve(LIC_KZ) == ledger
    changed = LIC_KZ.model_copy(update={"fee": LIC_KZ.fee + 1})
    with pytest.raises(Rejected) as e:
        ledger.reserve(changed)
    assert str(e.value) == (
        "Deal lic-kz-001 is already reserved with other terms (for Kazakhfilm Distribution, from 2026-12-01 to 2028-11-30);"
        " a renegotiated licence needs a new deal id, or release the old deal first."
    )
    with pytest.raises(
        Rejected, match=re.escape("Deal lic-kz-sw licenses film steppe-wind, but this is the ledger of paper-cranes.")
    ):
        ledger.reserve(licence(deal_id="lic-kz-sw", film_id="steppe-wind"))


def test_a_deal_that_fell_through_frees_its_rights() -> None:
    ledger = RightsLedger(film_id="paper-cranes", grants=LICENCES)
    rival = licence(deal_id="lic-kz-002", licensee=ARMAN, starts_on=date(2027, 1, 15), ends_on=date(2028, 1, 14))
    with pytest.raises(Rejected, match="release lic-kz-001 first"):
        ledger.reserve(rival)
    freed = ledger.release("lic-kz-001")
    assert freed.availability("KZ", date(2027, 3, 1))[T] is Availability.FREE
    assert [g.deal_id for g in freed.reserve(rival).grants] == ["lic-kr-001", "lic-ca-001", "lic-kz-002"]
    assert freed.release("lic-kz-001") == freed  # releasing twice changes nothing
    assert ledger.grant("lic-kz-001") == LIC_KZ  # the ledger is immutable


def test_a_ledger_of_conflicting_deals_cannot_be_built() -> None:
    rival = licence(deal_id="lic-kz-002", licensee=ARMAN)
    with pytest.raises(ValidationError, match="deals lic-kz-001 and lic-kz-002 conflict"):
        RightsLedger(film_id="paper-cranes", grants=(LIC_KZ, rival))
    with pytest.raises(ValidationError, match="deal lic-kz-001 is in the ledger twice"):
        RightsLedger(film_id="paper-cranes", grants=(LIC_KZ, LIC_KZ))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fee": "-1"}, "The licence cannot be recorded: fee: an amount cannot be negative (-1)."),
        (
            {"fee": 2500.5},
            "The licence cannot be recorded: fee: give money as a string or a Decimal, not the float 2500.5, which binary cannot hold exactly.",
        ),
        (
            {"currency": "XYZ"},
            "The licence cannot be recorded: currency: 'XYZ' is not an ISO 4217 currency the fund accepts; use a code such as USD, EUR, CNY, RUB, INR or KRW.",
        ),
        (
            {"ends_on": "2026-11-30"},
            "The licence cannot be recorded: the licence ends on 2026-11-30, which is not after it starts (2026-12-01).",
        ),
        (
            {"ends_on": "2026-12-01"},
            "The licence cannot be recorded: the licence ends on 2026-12-01, which is not after it starts (2026-12-01).",
        ),
        (
            {"territories": ["KZ", "XX"]},
            "The licence cannot be recorded: territories.1: 'XX' is not the ISO 3166 code of a network country (such as CN, IN, KR, KZ, RU, UZ).",
        ),
        ({"territories": ["KZ", "kz"]}, "The licence cannot be recorded: territories: territory KZ is listed twice."),
        ({"media": []}, "The licence cannot be recorded: media: Tuple should have at least 1 item after validation, not 0."),
        ({"media": ["cinema"]}, "The licence cannot be recorded: media.0: Input should be 'theatrical', 'streaming' or 'tv'."),
        (
            {"holdback": {"media": ["theatrical"], "ends_on": "2027-05-31"}},
            "The licence cannot be recorded: the licence grants theatrical and cannot also hold it back.",
        ),
    ],
)
def test_malformed_licence_data_is_refused_with_a_clear_sentence(change: dict[str, object], message: str) -> None:
    with pytest.raises(Rejected) as e:
        parse_licence({**LIC_KZ.model_dump(), **change})
    assert str(e.value) == message


def test_a_licence_survives_a_round_trip_through_json() -> None:
    assert parse_licence(LIC_KR.model_dump(mode="json")) == LIC_KR
