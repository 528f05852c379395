"""The learning agreement as an EWP Online Learning Agreement: valid against the official schema, and right.

The schemas live outside the project, in `shared/ewp-schemas` beside the repository (see its
README); they are read offline through `exports.ewp_ola.ola_schema`. Without that folder these
tests skip, saying so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.transfer_decisions import TransferStage
from domain.transfer_state import CreditTransferState, Signoff
from exports.ewp_ola import NS, TRM, academic_year_id, is_european, ola_schema, ola_xml, split_name
from tests.domain.program_examples import KNUA, VGIK, program
from tests.exports.program_states import ISSUED, transfer_state

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "ewp-schemas"
N = {"o": NS, "trm": TRM}


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    if not (SCHEMAS / "ola" / "get-response.xsd").is_file():
        pytest.skip(f"the EWP schemas folder ../shared/ewp-schemas is not present (looked in {SCHEMAS.resolve()})")
    return ola_schema(SCHEMAS)


def confirmed_by_partner() -> CreditTransferState:
    s = transfer_state(TransferStage.POSTED)
    signoff = Signoff(stage=TransferStage.PARTNER_REGISTRAR, person_id="vgik-registrar", person_name="Vgik Registrar",
                      at=datetime(2027, 2, 5, 7, 0, tzinfo=UTC), comment="Grades confirmed")  # fmt: skip
    return s.model_copy(update={"signoffs": [*s.signoffs, signoff]})


def test_the_bundled_example_validates_through_the_offline_mapping(schema) -> None:  # type: ignore[no-untyped-def]
    schema.validate(str(SCHEMAS / "ola" / "get-response-example.xml"))


def test_before_the_partner_signs_the_plan_is_a_changes_proposal(schema) -> None:  # type: ignore[no-untyped-def]
    xml = ola_xml(transfer_state(), generated_at=ISSUED)
    schema.validate(xml.decode())
    la = ET.fromstring(xml).find("o:la", N)
    assert la is not None
    assert la.findtext("o:omobility-id", namespaces=N) == "req-kim-2026-fall"
    assert la.findtext("o:sending-hei/o:hei-id", namespaces=N) == "knua.kr"
    assert la.findtext("o:receiving-hei/o:hei-id", namespaces=N) == "vgik.ru"
    assert la.findtext("o:receiving-academic-year-id", namespaces=N) == "2026/2027"
    assert (la.findtext("o:student/o:given-names", namespaces=N), la.findtext("o:student/o:family-name", namespaces=N)) == (
        "Minji",
        "Kim",
    )
    assert (la.findtext("o:start-year-month", namespaces=N), la.findtext("o:end-year-month", namespaces=N)) == (
        "2026-08",
        "2027-01",
    )
    assert la.find("o:first-version", N) is None
    proposal = la.find("o:changes-proposal", N)
    assert proposal is not None and len(proposal.get("id", "")) == 64
    studied = proposal.findall("o:components-studied/o:component", N)
    assert [c.findtext("o:los-code", namespaces=N) for c in studied] == ["DIR-620", "VFX-630", "SCR-540", "CAM-610"]
    credits = {c.findtext("o:los-code", namespaces=N): {
        cr.findtext("o:scheme", namespaces=N): cr.findtext("o:value", namespaces=N) for cr in c.findall("o:credit", N)}
        for c in studied}  # fmt: skip
    assert credits["SCR-540"] == {"ects": "4.5", "ru_zet": "4.5"}  # 1 ZET = 1 ECTS
    recognized = proposal.findall("o:components-recognized/o:component", N)
    titles = [c.findtext("o:title", namespaces=N) for c in recognized]
    assert titles[0] == "Directing Workshop" and "SCR-540" not in " ".join(titles)  # rejected: not recognized
    fp501 = {
        cr.findtext("o:scheme", namespaces=N): cr.findtext("o:value", namespaces=N) for cr in recognized[0].findall("o:credit", N)
    }
    assert fp501 == {"ects": "6", "kr_credit": "3"}  # 3 Korean credits = 6 ECTS
    assert recognized[-1].findtext("o:recognition-conditions", namespaces=N)  # CAM-610: undecided
    assert proposal.findtext("o:sending-hei-signature/o:signer-name", namespaces=N) == "Knua Registrar"
    assert proposal.find("o:receiving-hei-signature", N) is None
    assert "drop-scr-540" not in xml.decode() and 'status="deleted"' not in xml.decode()  # pending at home: not sent


def test_after_the_partner_signs_first_version_and_approved_changes(schema) -> None:  # type: ignore[no-untyped-def]
    xml = ola_xml(confirmed_by_partner(), generated_at=ISSUED, sending_hei_id="knua.ac.kr", receiving_hei_id="vgik.edu")
    schema.validate(xml.decode())
    la = ET.fromstring(xml).find("o:la", N)
    assert la is not None and la.find("o:changes-proposal", N) is None
    assert la.findtext("o:sending-hei/o:hei-id", namespaces=N) == "knua.ac.kr"
    assert la.findtext("o:receiving-hei/o:hei-id", namespaces=N) == "vgik.edu"
    first = la.find("o:first-version", N)
    assert first is not None
    assert [c.findtext("o:los-code", namespaces=N) for c in first.findall("o:components-studied/o:component", N)] == [
        "DIR-620", "VFX-630", "SCR-540"
    ]  # revision 0: before CAM-610 was added  # fmt: skip
    assert first.findtext("o:receiving-hei-signature/o:signer-name", namespaces=N) == "Vgik Registrar"
    inserted = la.find("o:approved-changes/o:components-studied/o:component", N)
    assert inserted is not None and inserted.get("status") == "inserted" and inserted.get("reason-text") == "timetable clash"
    assert inserted.findtext("o:los-code", namespaces=N) == "CAM-610"
    assert la.findtext("o:approved-changes/o:sending-hei-signature/o:signer-name", namespaces=N) == "Knua Dept"


def test_nothing_is_sent_before_the_home_registrar_signs() -> None:
    with pytest.raises(ValueError, match="has not been approved by Korea National University of Arts's registrar yet"):
        ola_xml(transfer_state().model_copy(update={"signoffs": []}), generated_at=ISSUED)


def test_refused_when_neither_institution_is_in_europe() -> None:
    in_china = VGIK.model_copy(update={"country": "CN", "names": {"en": "Beijing Film Academy"}})
    outside = program(institutions=(KNUA, in_china))
    with pytest.raises(
        ValueError, match=r"Neither Korea National University of Arts \(KR\) nor Beijing Film Academy \(CN\) is in Europe"
    ):
        ola_xml(transfer_state().model_copy(update={"program": outside}), generated_at=ISSUED)


def test_which_countries_are_european() -> None:
    for code in ["RU", "BY", "UA", "TR", "UK", "GB", "de", "EL", "NO", "CH", "RS", "AM", "GE"]:
        assert is_european(code), code
    for code in ["KR", "CN", "KZ", "UZ", "IN", "US", "IR"]:
        assert not is_european(code), code


def test_small_mappings() -> None:
    assert academic_year_id("2026-fall") == academic_year_id("2027-spring") == "2026/2027"
    assert split_name("Kim Minji", family_first=True) == ("Minji", "Kim")
    assert split_name("Anna Maria Petrova", family_first=False) == ("Anna Maria", "Petrova")
    assert split_name("Madonna", family_first=False) == ("Madonna", "Madonna")
