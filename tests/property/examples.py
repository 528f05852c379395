"""Valid examples of every model that crosses an edge, for the property tests to break.

The file formats come from the demo files themselves (what people really write); each action gets
one valid set of fields, as the dashboard or `--fields` would send it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from demo.programs import FALL_COURSES, STUDENTS
from domain import agreements as ag
from domain import student_record, transfer_state
from domain.grants import process as gp
from domain.parties import Organisation, Person
from domain.releases import process as rp
from services import agreements, grants, programs, releases
from services.files import read_mapping
from store.directory import AccountSpec, DirectoryFile
from tests.documents.examples import party
from tests.domain.releases.examples import STEPPE_WIND

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
ACTOR = {"actor_id": "kim-minji"}
HASH = "0123456789abcdef" * 4


def _demo(*parts: str) -> dict[str, Any]:
    path = DEMO.joinpath(*parts)
    return read_mapping(path, "demo", 10_000_000)


def file_examples() -> dict[type[BaseModel], list[dict[str, Any]]]:
    """Every file format and the models inside it that people write, from the demo's files."""
    agreement_files = [_demo("agreements", p.name) for p in sorted((DEMO / "agreements").glob("*.yaml"))]
    program = _demo("programs", "kafa-vgik-film-ai.yaml")
    fund = _demo("grants", "fund-2026.yaml")
    applications = [_demo("grants", "applications", p.name) for p in sorted((DEMO / "grants" / "applications").glob("*.yaml"))[:3]]
    festival = _demo("releases", "festival-2026.yaml")
    directory = _demo("directory.yaml")
    sid, enrolled, abroad, posted, _, _ = STUDENTS[1]
    student = programs.StudentFile(student_id=sid, person=sid, program_id="kafa-vgik-film-ai", home_institution_id="kafa",
                                   enrolled_term=enrolled, terms_abroad=abroad, posted=posted).model_dump(mode="json")  # fmt: skip
    contact = {"id": "priya-nair", "name": "Priya Nair", "email": "priya@example.org", "title": "Producer"}
    spec = ag.AgreementSpec(id="mou-kr-cn", kind=ag.AgreementKind.CO_PRODUCTION, title="Co-production MOU",
                            variables={"scope": "feature films", "min_financial_share_percent": 20},
                            parties=[party(0), party(1)], initiator=party(0).approvers[0]).model_dump(mode="json")  # fmt: skip
    return {
        agreements.AgreementFile: agreement_files,
        agreements.PartyEntry: [p for f in agreement_files for p in f["parties"]][:4],
        ag.AgreementSpec: [spec],
        programs.ProgramFile: [program],
        programs.RosterEntry: [program["roster"]],
        programs.StaffEntry: list(program["roster"]["staff"].values()),
        programs.EquivalencyEntry: [e for rows in program.get("equivalencies", {}).values() for e in rows][:3],
        programs.StudentFile: [student],
        grants.FundFile: [fund],
        grants.ReviewerEntry: fund["reviewers"][:3],
        grants.ApplicationFile: applications,
        grants.Application: [{**a["application"], "contact": contact} for a in applications],
        releases.FestivalFile: [festival],
        releases.FilmEntry: festival["films"][:3],
        DirectoryFile: [directory],
        Organisation: directory["organisations"][:3],
        Person: directory["people"][:3],
        AccountSpec: directory["accounts"][:3],
    }


def action_examples() -> dict[type[BaseModel], dict[str, Any]]:
    """One valid set of fields for every action people send."""
    licensee = party(0).model_dump(mode="json")
    request = {"id": "req-han-2026-fall", "program_id": "kafa-vgik-film-ai", "student_id": "han-jiwoo", "term": "2026-fall",
               "taken_at": "vgik", "credited_at": "kafa", "courses": FALL_COURSES}  # fmt: skip
    award = {"id": "aw-1", "edition_id": "sco-2026", "film_id": "steppe-wind", "category_id": "best_film",
             "jury_note": "For a landscape that listens.", "awarded_on": "2026-06-18"}  # fmt: skip
    examples: dict[type[BaseModel], dict[str, Any]] = {
        # agreements
        ag.CommentAction: {"text": "Clause 4 needs a date.", "clause_id": "purpose"},
        ag.ReviseAction: {"summary": "Tighter scope", "base_version_hash": HASH, "clause_overrides": {"purpose": {"en": "New text."}},
                          "variables": {"scope": "documentaries"}},
        ag.PhaseAction: {},
        ag.ApproveAction: {"version_hash": HASH},
        ag.SignAction: {"version_hash": HASH},
        ag.DeclineAction: {"version_hash": HASH, "reason": "The governing law is missing."},
        ag.DelegateAction: {"to_person_id": "park-jihoon", "reason": "On leave until May."},
        ag.VoidAction: {"reason": "Superseded by the 2027 MOU."},
        ag.RenewAction: {"term_months": 24},
        ag.TerminateAction: {"reason": "The programme has ended."},
        # grant applications and grants
        gp.ScreenAction: {"passed": False, "reason": "Outside the call's scope."},
        gp.ScoreAction: {"values": {"story": "8.5", "team": 7}, "comment": "Strong team.", "criterion_comments": {"story": "Fresh."}},
        gp.DeclineReviewAction: {"reason": "I worked with the lead producer.", "conflict": True},
        gp.VoteAction: {"choice": "approve", "amount": "50000.00", "reason": ""},
        gp.CloseVoteAction: {},
        gp.WithdrawAction: {"reason": "Financing fell through."},
        gp.SubmitReportAction: {"tranche_id": "milestone", "reference": "doc-2026-17", "summary": "Principal photography done."},
        gp.ReviewReportAction: {"tranche_id": "milestone", "approve": False, "reason": "The budget report is missing."},
        gp.ProposeAmendmentAction: {"new_amount": "60000.00", "due_dates": {"final": "2027-06-30"}, "reason": "Shooting delayed."},
        gp.AmendmentVoteAction: {"choice": "reject", "reason": "No new money this year."},
        gp.CancelGrantAction: {"reason": "The project was abandoned.", "clawback": "1000.00"},
        # the festival and country releases
        rp.RecordAwardAction: {"award": award},
        rp.RegisterFilmAction: {"film": STEPPE_WIND.model_dump(mode="json"), "licensor": party(3).model_dump(mode="json")},
        rp.AcknowledgeAction: {"note": "Received."},
        rp.ClassifyAction: {"outcome": "approved_with_cuts", "rating": "15", "cuts": "Shorten the fight in reel 3."},
        rp.QuotaAction: {"granted": True, "reference": "Q-2026-4"},
        rp.SubsidyAction: {"outcome": "granted", "kind": "subtitling", "amount": "1000000", "currency": "KRW"},
        rp.LicenceAction: {"deal_id": "deal-kr-1", "licensee": licensee, "media": ["theatrical", "streaming"], "starts_on": "2026-12-01",
                           "ends_on": "2028-11-30", "exclusive": True, "fee": "25000", "currency": "USD"},
        rp.ScheduleAction: {"release_on": "2026-12-24", "platform": "CGV"},
        rp.ConfirmReleaseAction: {"released_on": "2026-12-24", "platform": "CGV"},
        rp.DeclineAction: {"reason": "No distributor is interested."},
        # credit transfers and student records
        transfer_state.DecideCourseAction: {"course_code": "DIR-620", "decision": "approve", "home_course_code": "FP-501",
                                            "note": "Same content.", "save_as_equivalency": True, "expected_revision": 2},
        transfer_state.ProvideInformationAction: {"course_code": "SCR-540", "text": "The syllabus is attached."},
        transfer_state.StageAction: {"comment": "Checked.", "expected_revision": 3},
        transfer_state.ReturnAction: {"reason": "Please check VFX-630.", "course_codes": ["VFX-630"]},
        transfer_state.ProposeChangeAction: {"proposal_id": "chg-1", "kind": "add", "course_code": "DIR-630", "title": "Documentary",
                                             "reason": "timetable_clash", "base_revision": 2},
        transfer_state.ApproveChangeAction: {"proposal_id": "chg-1"},
        transfer_state.CloseChangeAction: {"proposal_id": "chg-1", "decline": True, "reason": "Outdated."},
        student_record.StartTransferAction: {"request": request},
        student_record.ThesisAction: {"institution_id": "kafa", "status": "approved"},
        student_record.AddTermAction: {"institution_id": "vgik", "term": "2027-spring"},
    }  # fmt: skip
    return {model: {**ACTOR, **fields} for model, fields in examples.items()}


ACTION_MODULES = (ag, gp, rp, transfer_state, student_record)


def action_models() -> set[type[BaseModel]]:
    """Every model an update carries: the actions of each lifecycle's table, every subclass of the
    agreement `Action`, and every `…Action` model the action modules define."""
    tables = [agreements.ACTIONS, programs.TRANSFER_ACTIONS, programs.RECORD_ACTIONS, grants.APPLICATION_ACTIONS,
              grants.GRANT_ACTIONS, releases.FESTIVAL_ACTIONS, releases.RELEASE_ACTIONS]  # fmt: skip
    found = {model for table in tables for _, model in table.values()}
    pending: list[type] = [ag.Action]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending += cls.__subclasses__()
    for module in ACTION_MODULES:
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, BaseModel) and name.endswith("Action") and obj.__module__ == module.__name__:
                found.add(obj)
    return found - {ag.Action}  # the base alone is never sent
