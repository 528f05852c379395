"""Program files, the shared equivalency table, enrolment and MOU phases passed on, on both databases."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml
from temporalio.testing import ActivityEnvironment

from activities.programs import ProgramActivities
from domain.agreements import Phase
from domain.catalogs import Equivalency
from domain.parties import PersonRef
from domain.program_records import AgreementPhaseChanged, SaveEquivalencies
from domain.readmodel import ItemSnapshot
from domain.student_record import StudentRecordState
from services import programs as svc
from store import programs, projections
from store.directory import load_directory
from tests.workflows.test_student_record import ready, start
from workflows.student_record import StudentRecordWorkflow

ROOT = Path(__file__).resolve().parents[2]
PROGRAM_FILE = ROOT / "demo" / "programs" / "kafa-vgik-film-ai.yaml"


@pytest.fixture
def directory(engine):
    load_directory(engine, ROOT / "demo" / "directory.yaml")
    return engine


def _file(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(PROGRAM_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "program.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_demo_program_loads_with_its_table(directory):
    d = svc.load_program(directory, PROGRAM_FILE)
    assert d.program.id == "kafa-vgik-film-ai" and d.program.requires_ministry_authorization
    assert [p.id for p in d.roster.staff["kafa"].registrars] == ["oh-eunji"]
    assert programs.get_program(directory, "kafa-vgik-film-ai") == d
    assert programs.programs_on_agreement(directory, "agreement-dual-degree-kafa-vgik") == ["kafa-vgik-film-ai"]
    table = programs.equivalency_table(directory, "kafa")
    assert [e.partner_course_code for e in table.entries] == ["DIR-620", "CAM-610", "VFX-630", "HIST-301"] or len(
        table.entries
    ) == 4
    assert table.lookup(d.catalogs["vgik"].find("DIR-620"), date(2026, 9, 1)).home_course_code == "FP-501"
    svc.load_program(directory, PROGRAM_FILE)  # loading again changes nothing
    assert len(programs.equivalency_table(directory, "kafa").entries) == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["roster"]["staff"]["kafa"].update(registrars=["jung-minho"]),
         "roster.staff.kafa.registrars.0: jung-minho is not a registrar for kafa in the directory"),
        (lambda d: d["roster"].update(coordinators=["nobody-here"]), "roster.coordinators.0: no person 'nobody-here' in the directory"),
        (lambda d: d["roster"].update(ministry_officers=[]),
         "roster.ministry_officers: the program requires ministry authorization; name at least one officer"),
        (lambda d: d["catalogs"].pop("vgik"), "catalogs: no catalog for vgik; every institution of the program needs one"),
        (lambda d: d["equivalencies"]["kafa"][0].update(decided_by="ghost"), "equivalencies.kafa.0.decided_by: no person 'ghost' in the directory"),
        (lambda d: d["program"]["institutions"][0].update(grading_scale="kr_100"), "'kr_100' is not a standard grading scale"),
    ],
)  # fmt: skip
def test_bad_program_files_name_the_field(directory, tmp_path, change, message):
    with pytest.raises(svc.InputError) as e:
        svc.load_program(directory, _file(tmp_path, change))
    assert message in str(e.value)
    assert programs.list_programs(directory) == []  # nothing half-stored


def _entry(code: str, home: str, source: str = "req-1") -> Equivalency:
    return Equivalency(partner_institution_id="vgik", partner_course_code=code, home_institution_id="kafa", home_course_code=home,
                       effective_from=date(2026, 8, 1), decided_by=PersonRef(id="jung-minho", name="Jung Min-ho", email="j@x.example"),
                       source_request_id=source)  # fmt: skip


async def test_saved_decisions_are_added_once(engine):
    acts = ProgramActivities(engine)
    req = SaveEquivalencies(entries=[_entry("SCR-540", "FP-540")], source="req-1")
    assert await ActivityEnvironment().run(acts.save_equivalencies, req) == 1
    assert await ActivityEnvironment().run(acts.save_equivalencies, req) == 0  # a retry adds nothing
    table = await ActivityEnvironment().run(acts.load_equivalencies, "kafa")
    assert [e.partner_course_code for e in table.entries] == ["SCR-540"]
    assert programs.equivalency_rows(engine, "kafa")[0][1] == "req-1"


def _student_item(wid: str, program_id: str, closed: bool = False) -> ItemSnapshot:
    return ItemSnapshot(item_id=wid, item_type="student", kind=program_id, title=wid, phase="enrolled", projected_seq=1,
                        closed_at=None if not closed else __import__("datetime").datetime(2026, 1, 1))  # fmt: skip


async def test_an_mou_phase_reaches_the_running_records(env, worker, directory):
    _, _, queue = worker
    d = svc.load_program(directory, PROGRAM_FILE)
    programs.save_program(
        directory, d.model_copy(update={"program": d.program.model_copy(update={"agreement_id": "agreement-x"})})
    )
    h = await start(env, queue)
    await ready(h)
    projections.project_item(directory, _student_item(h.id, "kafa-vgik-film-ai"), [], [])
    projections.project_item(directory, _student_item("student-gone", "kafa-vgik-film-ai"), [], [])  # never ran: skipped
    projections.project_item(directory, _student_item("student-done", "kafa-vgik-film-ai", closed=True), [], [])
    acts = ProgramActivities(directory, env.client)
    told = await ActivityEnvironment().run(
        acts.forward_agreement_phase, AgreementPhaseChanged(agreement_workflow_id="agreement-x", phase=Phase.TERMINATING)
    )
    assert told == 1
    for _ in range(100):
        st: StudentRecordState = await h.query(StudentRecordWorkflow.state)
        if st.mou_phase is Phase.TERMINATING:
            break
    assert st.mou_phase is Phase.TERMINATING
    other = AgreementPhaseChanged(agreement_workflow_id=f"agreement-{uuid.uuid4().hex}", phase=Phase.EXPIRED)
    assert await ActivityEnvironment().run(acts.forward_agreement_phase, other) == 0


def test_enrolment_needs_an_active_mou(directory, tmp_path):
    svc.load_program(directory, PROGRAM_FILE)
    f = svc.StudentFile(student_id="seo-yuna", person="seo-yuna", program_id="kafa-vgik-film-ai", home_institution_id="kafa",
                        enrolled_term="2026-fall")  # fmt: skip
    with pytest.raises(svc.InputError, match="rests on agreement agreement-dual-degree-kafa-vgik, which Helix does not know"):
        svc.build_enrolment(directory, f)
    snapshot = ItemSnapshot(
        item_id="agreement-dual-degree-kafa-vgik", item_type="agreement", title="MOU", phase="signing", projected_seq=1
    )
    projections.project_item(directory, snapshot, [], [])
    with pytest.raises(
        svc.InputError, match="cannot enrol students now: its agreement agreement-dual-degree-kafa-vgik is still in signing"
    ):
        svc.build_enrolment(directory, f)
    projections.project_item(directory, snapshot.model_copy(update={"phase": "active", "projected_seq": 2}), [], [])
    inp = svc.build_enrolment(directory, f)
    assert inp.mou_phase is Phase.ACTIVE and inp.record.person.name == "Seo Yu-na"
    assert len(inp.equivalencies["kafa"].entries) == 4
    with pytest.raises(svc.InputError, match="program_id: no program 'nope'"):
        svc.build_enrolment(directory, f.model_copy(update={"program_id": "nope"}))
    with pytest.raises(svc.InputError, match="home_institution_id: bfa is not an institution"):
        svc.build_enrolment(directory, f.model_copy(update={"home_institution_id": "bfa"}))


def test_actions_are_parsed_per_lifecycle():
    a = svc.parse_action(
        "credit-transfer-x-2026-fall", "decide_course", {"actor_id": "a", "course_code": "DIR-620", "decision": "approve"}
    )
    assert a.course_code == "DIR-620"
    with pytest.raises(svc.InputError, match="'sign' is not an action on a credit transfer"):
        svc.parse_action("credit-transfer-x", "sign", {})
    with pytest.raises(svc.InputError, match="status"):
        svc.parse_action("student-x", "set_thesis_status", {"actor_id": "a", "institution_id": "kafa", "status": "done"})


def _active(directory) -> None:  # type: ignore[no-untyped-def]
    svc.load_program(directory, PROGRAM_FILE)
    snapshot = ItemSnapshot(
        item_id="agreement-dual-degree-kafa-vgik", item_type="agreement", title="MOU", phase="active", projected_seq=1
    )
    projections.project_item(directory, snapshot, [], [])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"posted": [{"institution_id": "kafa", "taken_at": "kafa", "course_code": "FP-501", "title": "Directing", "credits": "3",
                      "grade": "Z", "term": "2026-spring"}]}, "posted.0.grade: Grade 'Z' is not on the Korean 4.5 scale"),
        ({"posted": [{"institution_id": "bfa", "taken_at": "bfa", "course_code": "X-1", "title": "X", "credits": "3", "grade": "A+",
                      "term": "2026-spring"}]}, "posted.0.institution_id: bfa is not an institution"),
        ({"terms_abroad": [{"institution_id": "kafa", "term": "2027-spring"}]}, "is the home institution; a term abroad is at a partner"),
        ({"terms_abroad": [{"institution_id": "vgik", "term": "2020-spring"}]}, "terms_abroad.0.term: 2020-spring is before enrolment"),
        ({"thesis": {"bfa": "approved"}}, "thesis.bfa: bfa is not an institution"),
    ],
)  # fmt: skip
def test_a_student_file_the_record_could_not_audit_is_refused(directory, changes, message):
    _active(directory)
    base = {"student_id": "seo-yuna", "person": "seo-yuna", "program_id": "kafa-vgik-film-ai", "home_institution_id": "kafa",
            "enrolled_term": "2026-fall"}  # fmt: skip
    with pytest.raises(svc.InputError) as e:
        svc.build_enrolment(directory, svc.StudentFile.model_validate({**base, **changes}))
    assert message in str(e.value)


def test_a_corrected_program_file_updates_its_own_entries_but_not_saved_decisions(directory, tmp_path):
    svc.load_program(directory, PROGRAM_FILE)
    programs.save_equivalencies(directory, [_entry("SCR-540", "FP-540", "req-9")], source="req-9")

    def end_dir620(d):  # type: ignore[no-untyped-def]
        d["equivalencies"]["kafa"][0]["effective_to"] = "2026-12-31"

    svc.load_program(directory, _file(tmp_path, end_dir620))
    rows = {(e.partner_course_code, src): e for e, src in programs.equivalency_rows(directory, "kafa")}
    assert rows[("DIR-620", "program file")].effective_to == date(2026, 12, 31)
    assert ("SCR-540", "req-9") in rows and len(rows) == 5


def test_unreadable_files_are_one_line_errors(tmp_path):
    binary = tmp_path / "program.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(svc.InputError, match="not a text file in UTF-8"):
        svc.read_program_file(binary)
    with pytest.raises(svc.InputError, match="not a file"):
        svc.read_student_file(tmp_path)
