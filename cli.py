"""`helix`: the command line for scripted use.

Every command reports bad input as one readable line on stderr and exits with status 2; nothing is
started or changed when the input is wrong. `--as` names the person acting: the CLI is an
operator's tool on a machine that already reaches the Temporal server, and the workflow still
authorizes every action against that person's roles.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from services import agreements as svc
from services.errors import EngineBusy
from settings import connect_temporal, get_settings
from store import queries
from store.blobs import BlobError, BlobStore
from store.db import init_db, make_engine
from store.directory import DirectoryError, load_directory

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Helix: agreements and programmes of the SCO film network.")
agreement = typer.Typer(no_args_is_help=True, help="Start, list, show and compare agreements.")
directory_app = typer.Typer(no_args_is_help=True, help="Organisations, people and accounts.")
demo = typer.Typer(no_args_is_help=True, help="Demo data.")
program_app = typer.Typer(no_args_is_help=True, help="Joint programs: load, list, export.")
student_app = typer.Typer(no_args_is_help=True, help="Students of joint programs: enrol, show, act.")
fund_app = typer.Typer(no_args_is_help=True, help="Co-production funds: open, list.")
grant_app = typer.Typer(no_args_is_help=True, help="Grant applications and grants: submit, list, show, act.")
festival_app = typer.Typer(no_args_is_help=True, help="Festival editions: open, record awards.")
release_app = typer.Typer(no_args_is_help=True, help="Awarded films' releases per country: list, show, act, the target.")
board_app = typer.Typer(no_args_is_help=True, help="The coordination board: the weekly digest.")
pdf_app = typer.Typer(no_args_is_help=True, help="PDFs from the system: verify their signatures.")
app.add_typer(agreement, name="agreement")
app.add_typer(program_app, name="program")
app.add_typer(student_app, name="student")
app.add_typer(fund_app, name="fund")
app.add_typer(grant_app, name="grant")
app.add_typer(festival_app, name="festival")
app.add_typer(release_app, name="release")
app.add_typer(board_app, name="board")
app.add_typer(pdf_app, name="pdf")
db_app = typer.Typer(no_args_is_help=True, help="The read model's schema: status, upgrade.")
app.add_typer(db_app, name="db")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log: verify, show the latest rows.")
app.add_typer(audit_app, name="audit")
app.add_typer(directory_app, name="directory")
app.add_typer(demo, name="demo")
keys_app = typer.Typer(no_args_is_help=True, help="Payload encryption keys.")
app.add_typer(keys_app, name="keys")


def engine():  # type: ignore[no-untyped-def]
    e = make_engine(get_settings().resolved_database_url)
    init_db(e)
    return e


def fail(message: str) -> None:
    from services.errors import one_line

    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(2)


def run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except RPCError as e:
        fail(f"the Temporal server did not answer ({e.message}); is the system running? (see README)")
    except EngineBusy as e:
        fail(e.message)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        fail("the action was sent but no answer came in time; it may still take effect — check with 'agreement show'")
    except (ConnectionError, OSError, RuntimeError) as e:
        if "connect" in str(e).lower():
            fail(f"cannot reach the Temporal server: {e}")
        raise


def write_document(sha: str, out: Path) -> None:
    try:
        data = BlobStore(get_settings().documents_dir).get(sha)
    except BlobError as e:  # missing or corrupt in the document store
        fail(f"the document {sha[:12]} cannot be read from the store: {e}")
    try:
        out.write_bytes(data)
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror}")


@directory_app.command("load")
def directory_load(path: Path) -> None:
    """Load organisations, people and accounts from a YAML or JSON file (idempotent)."""
    try:
        d = load_directory(engine(), path)
    except DirectoryError as e:
        fail(str(e))
    typer.echo(f"loaded {len(d.organisations)} organisations, {len(d.people)} people, {len(d.accounts)} accounts")


@agreement.command("start")
def agreement_start(path: Path, dry_run: Annotated[bool, typer.Option(help="Check the file only")] = False) -> None:
    """Start an agreement from a YAML or JSON file."""
    try:
        spec = svc.build_spec(engine(), svc.read_agreement_file(path))
    except svc.InputError as e:
        fail(str(e))
    if dry_run:
        typer.echo(f"ok: {spec.id} ({spec.kind.value}, {len(spec.parties)} parties)")
        return

    async def go() -> str:
        return await svc.start_agreement(await connect_temporal(), spec)

    try:
        wid = run(go())
    except svc.InputError as e:
        fail(str(e))
    typer.echo(f"started {wid}")


@agreement.command("list")
def agreement_list(
    phase: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
    organisation: Annotated[str | None, typer.Option()] = None,
    text: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List agreements from the read model."""
    rows = queries.list_items(engine(), item_type="agreement", phase=phase, kind=kind, country=country,
                              organisation_id=organisation, text=text)
    for r in rows:
        typer.echo(f"{r.item_id:40} {r.phase:12} {r.kind:24} {r.title}")
    typer.echo(f"({len(rows)} agreements)")


@agreement.command("show")
def agreement_show(agreement_id: str) -> None:
    """Timeline, open steps and versions of one agreement."""
    e = engine()
    wid = agreement_id if agreement_id.startswith("agreement-") else svc.workflow_id(agreement_id)
    item = queries.get_item(e, wid)
    if item is None:
        fail(f"no agreement '{agreement_id}' in the read model")
    typer.echo(f"{item.title}\n  phase: {item.phase}   kind: {item.kind}")
    detail = item.detail or {}
    for v in detail.get("versions", []):
        typer.echo(f"  version {v['number']}  {v['text_sha256'][:12]}  {v['author_name']}: {v['summary']}")
    for s in queries.open_steps(e, item_id=wid):
        typer.echo(f"  awaiting: {s.label} — {', '.join(s.awaited_names)} (due {s.due_at:%Y-%m-%d})")
    for ev in queries.events_for(e, wid):
        typer.echo(f"  {ev.at:%Y-%m-%d %H:%M} {ev.kind:22} {ev.actor_name or '':20} {ev.detail}")


@agreement.command("diff")
def agreement_diff(agreement_id: str, a: int, b: int, lang: str = "en") -> None:
    """Compare two versions of an agreement as a readable diff."""
    from domain.texts import CanonicalText, diff_as_text

    e = engine()
    item = queries.get_item(e, svc.workflow_id(agreement_id))
    if item is None:
        fail(f"no agreement '{agreement_id}' in the read model")
    versions = {v["number"]: v for v in (item.detail or {}).get("versions", [])}
    for n in (a, b):
        if n not in versions:
            fail(f"version {n} does not exist; versions are {sorted(versions)}")
    blobs = BlobStore(get_settings().documents_dir)
    try:
        ta, tb = (CanonicalText.model_validate_json(blobs.get(versions[n]["text_sha256"])) for n in (a, b))
    except BlobError as e:
        fail(f"a version's text cannot be read from the document store: {e}")
    typer.echo(diff_as_text(ta, tb, lang))


@agreement.command("pdf")
def agreement_pdf(
    agreement_id: str,
    out: Annotated[Path, typer.Option("-o", "--out")],
    version: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Write an agreement's PDF: the executed one, or a version's draft with --version."""
    item = queries.get_item(engine(), svc.workflow_id(agreement_id))
    if item is None:
        fail(f"no agreement '{agreement_id}' in the read model")
    detail = item.detail or {}
    if version is None:
        sha = detail.get("executed_pdf_sha256")
        if not sha:
            fail("the agreement is not executed yet; pass --version N for a draft")
    else:
        found = [v for v in detail.get("versions", []) if v["number"] == version]
        if not found:
            fail(f"version {version} does not exist")
        sha = found[0]["pdf_sha256"]
    write_document(sha, out)
    typer.echo(f"wrote {out}")


@app.command("act")
def act(
    agreement_id: str,
    action: Annotated[str, typer.Argument(help=", ".join(svc.ACTIONS))],
    as_: Annotated[str, typer.Option("--as", help="Person id acting")],
    fields: Annotated[str | None, typer.Option("--fields", help="JSON object of the action's fields")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
    text: Annotated[str | None, typer.Option()] = None,
    to: Annotated[str | None, typer.Option(help="Person to delegate to")] = None,
    version_hash: Annotated[str | None, typer.Option("--hash", help="Version hash; the current one if omitted")] = None,
    update_id: Annotated[str | None, typer.Option(help="Idempotency key: the same id counts once")] = None,
) -> None:
    """Act on an agreement as a person: approve, sign, decline, comment, delegate, void, …"""
    try:
        data: dict[str, Any] = json.loads(fields) if fields else {}
    except (ValueError, RecursionError) as e:  # not JSON; a number of over 4,300 digits; nested thousands deep
        fail(f"--fields is not valid JSON: {e}")
    if not isinstance(data, dict):
        fail("--fields must be a JSON object")
    data["actor_id"] = as_
    for key, value in {"reason": reason, "text": text, "to_person_id": to}.items():
        if value is not None:
            data[key] = value
    wid = svc.workflow_id(agreement_id)
    if action in {"approve", "sign", "decline", "revise"} and not version_hash and "base_version_hash" not in data:
        item = queries.get_item(engine(), wid)
        versions = (item.detail or {}).get("versions", []) if item else []
        if not versions:
            fail(f"no agreement '{agreement_id}' with a version in the read model")
        version_hash = versions[-1]["text_sha256"]
    if version_hash:
        data["base_version_hash" if action == "revise" else "version_hash"] = version_hash
    try:
        parsed = svc.parse_action(action, data)
    except svc.InputError as e:
        fail(str(e))

    async def go() -> Any:
        return await svc.act(await connect_temporal(), wid, action, parsed, update_id=update_id)

    try:
        result = run(go())
    except svc.ActionRejected as e:
        fail(f"rejected: {e.message}")
    typer.echo(f"{result.message} (phase: {result.phase.value})")


@program_app.command("load")
def program_load(path: Path) -> None:
    """Load (or update) a joint program from a YAML or JSON file, with its equivalency table."""
    from services import programs as psvc

    try:
        d = psvc.load_program(engine(), path)
    except psvc.InputError as e:
        fail(str(e))
    typer.echo(f"loaded {d.program.id}: {d.program.name()} ({', '.join(d.program.institution_ids)})")


@program_app.command("list")
def program_list() -> None:
    """Programs with their MOU's phase and their students by phase."""
    from services import programs as psvc
    from store import programs

    e = engine()
    for d in programs.list_programs(e):
        phase = psvc.mou_phase(e, d.program)
        students = queries.list_items(e, item_type="student", kind=d.program.id, limit=10_000)
        by_phase = {p: sum(1 for x in students if x.phase == p) for p in sorted({x.phase for x in students})}
        typer.echo(f"{d.program.id:28} MOU {phase.value if phase else 'unknown':12} {by_phase}  {d.program.name()}")


@program_app.command("export")
def program_export(
    program_id: str,
    out: Annotated[Path, typer.Option("-o", "--out")],
    what: Annotated[str, typer.Option(help="students or credits")] = "students",
) -> None:
    """Write a CSV of a program's students (one row per degree) or of every posted credit."""
    from domain.student_record import StudentRecordState
    from exports.program_csv import credits_csv, students_csv

    if what not in {"students", "credits"}:
        fail("--what is 'students' or 'credits'")
    items = queries.list_items(engine(), item_type="student", kind=program_id, limit=100_000)
    if not items:
        fail(f"no students of a program '{program_id}' in the read model")
    states = [StudentRecordState.model_validate(d.detail) for i in items if (d := queries.get_item(engine(), i.item_id))]
    text = students_csv(states) if what == "students" else credits_csv(states)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror}")
    typer.echo(f"wrote {out} ({len(states)} students)")


@student_app.command("enrol")
def student_enrol(path: Path) -> None:
    """Enrol a student from a YAML or JSON file (refused unless the program's MOU is active)."""
    from services import programs as psvc

    e = engine()
    try:
        f = psvc.read_student_file(path)
        psvc.build_enrolment(e, f)
    except psvc.InputError as err:
        fail(str(err))

    async def go() -> str:
        return await psvc.enrol(await connect_temporal(), e, f)

    try:
        wid = run(go())
    except psvc.InputError as err:
        fail(str(err))
    typer.echo(f"started {wid}")


@student_app.command("show")
def student_show(student_id: str) -> None:
    """A student's audit per degree, transfers and timeline."""
    e = engine()
    wid = student_id if student_id.startswith("student-") else f"student-{student_id}"
    item = queries.get_item(e, wid)
    if item is None:
        fail(f"no student '{student_id}' in the read model")
    from domain.student_record import StudentRecordState

    st = StudentRecordState.model_validate(item.detail)
    typer.echo(f"{item.title}\n  phase: {item.phase}")
    for a in st.audits:
        typer.echo(f"  {a.degree_title.get('en', a.institution_id)}: {a.percent_complete}%"
                   f"{' — met' if a.met else ''}; projected {a.projected_completion_term or '—'}")  # fmt: skip
        for m in a.missing:
            typer.echo(f"    missing: {m}")
    for t in st.transfers:
        typer.echo(f"  transfer {t.term}: {t.status.value} ({t.workflow_id})")
    for ev in queries.events_for(e, wid):
        typer.echo(f"  {ev.at:%Y-%m-%d %H:%M} {ev.kind:22} {ev.actor_name or '':20} {ev.detail}")


@student_app.command("act")
def student_act(
    workflow_id: Annotated[str, typer.Argument(help="student-… or credit-transfer-…")],
    action: str,
    as_: Annotated[str, typer.Option("--as", help="Person id acting")],
    fields: Annotated[str | None, typer.Option("--fields", help="JSON object of the action's fields")] = None,
    update_id: Annotated[str | None, typer.Option(help="Idempotency key: the same id counts once")] = None,
) -> None:
    """Act on a student record or a credit transfer as a person (decide_course, approve, confirm_grades, …)."""
    from services import programs

    result = _act(programs.LIFECYCLE, workflow_id, action, as_, fields, update_id)
    typer.echo(result.message)


@fund_app.command("open")
def fund_open(path: Path) -> None:
    """Open a fund from its fund file (YAML or JSON): store it and start its ledger (idempotent)."""
    from services import grants as gsvc

    e = engine()
    try:
        gsvc.build_fund(e, gsvc.read_fund_file(path))
    except gsvc.InputError as err:
        fail(str(err))

    async def go() -> Any:
        return await gsvc.open_fund(await connect_temporal(), e, path)

    try:
        d = run(go())
    except gsvc.InputError as err:
        fail(str(err))
    calls = ", ".join(c.id for c in d.calls)
    typer.echo(f"opened {d.fund.id}: {d.fund.name()} ({d.fund.budget:,.2f} {d.fund.currency}; calls {calls})")


@fund_app.command("list")
def fund_list() -> None:
    """Funds with their figures from the ledger (committed, released, remaining)."""
    from services import grants as gsvc

    e = engine()
    funds = gsvc.list_funds(e)
    for d in funds:
        item = queries.get_item(e, f"fund-{d.fund.id}")
        f = item.summary if item is not None else {}

        def money(key: str, f: dict[str, Any] = f) -> str:
            return f"{float(f[key]):>14,.2f}" if f.get(key) is not None else f"{'—':>14}"

        typer.echo(f"{d.fund.id:24} {d.fund.currency} budget {money('budget')} committed {money('committed')}"
                   f" released {money('released')} remaining {money('remaining')}  {d.fund.name()}")  # fmt: skip
    typer.echo(f"({len(funds)} funds)")


@grant_app.command("submit")
def grant_submit(path: Path, dry_run: Annotated[bool, typer.Option(help="Check the file only")] = False) -> None:
    """Submit a grant application from a YAML or JSON file."""
    from services import grants as gsvc

    e = engine()
    try:
        f = gsvc.read_application_file(path)
        inp = gsvc.build_submission(e, f)
    except gsvc.InputError as err:
        fail(str(err))
    a = inp.application
    if dry_run:
        typer.echo(f"ok: {a.id} to {inp.call.id} — “{a.project.title}”, {a.requested_amount:,.2f} {a.currency} requested,"
                   f" team from {', '.join(a.countries)}")  # fmt: skip
        return

    async def go() -> str:
        return await gsvc.submit(await connect_temporal(), e, f)

    try:
        wid = run(go())
    except gsvc.InputError as err:
        fail(str(err))
    typer.echo(f"submitted {wid}")


@grant_app.command("list")
def grant_list(
    stage: Annotated[str | None, typer.Option(help="submitted, screening, review, board, awarded, rejected, …; agreement, active, … for grants")] = None,
    call: Annotated[str | None, typer.Option(help="Only this call's")] = None,
) -> None:
    """Applications and grants from the read model, with their stage."""
    e = engine()
    rows = [r for t in ("grant_application", "grant") for r in queries.list_items(e, item_type=t, phase=stage, kind=call, limit=1000)]
    rows.sort(key=lambda r: (r.item_type != "grant_application", r.item_id))
    for r in rows:
        typer.echo(f"{r.item_id:36} {r.phase:12} {r.kind:12} {r.title}")
    typer.echo(f"({sum(r.item_type == 'grant_application' for r in rows)} applications, {sum(r.item_type == 'grant' for r in rows)} grants)")


def _show_item(e: Any, wid: str) -> None:
    item = queries.get_item(e, wid)
    if item is None:
        return
    s = item.summary or {}
    typer.echo(f"{item.title}\n  stage: {item.phase}   call: {item.kind}")
    if item.item_type == "grant_application":
        typer.echo(f"  lead: {s.get('lead')} ({s.get('lead_country')}); countries {', '.join(s.get('countries') or [])};"
                   f" requested {s.get('requested')} {s.get('currency')}")  # fmt: skip
        typer.echo(f"  reviews: {s.get('reviews_done')} of {s.get('reviews_assigned')}; score {s.get('score') or '—'}"
                   f" (+{s.get('bonus')} bonus); votes {s.get('votes')}; award {s.get('award_amount') or '—'}")  # fmt: skip
        for reason in (item.detail or {}).get("reasons", []):
            typer.echo(f"  reason: {reason}")
    else:
        typer.echo(f"  award {s.get('amount')} {s.get('currency')}, paid {s.get('paid')}; agreement {s.get('agreement_phase') or '—'}")
        for t in s.get("tranches") or []:
            typer.echo(f"  tranche {t['id']:12} {t['amount']:>12} {t['status']:16} due {t['due_on']}  {t['label']}")
        awid = (item.detail or {}).get("agreement_workflow_id")
        agreement_item = queries.get_item(e, awid) if awid else None
        if agreement_item is not None:
            typer.echo(f"  grant agreement {awid.removeprefix('agreement-')}: {agreement_item.phase}")
            for st in queries.open_steps(e, item_id=awid):
                typer.echo(f"    awaiting: {st.label} — {', '.join(st.awaited_names)} (due {st.due_at:%Y-%m-%d})")
    for st in queries.open_steps(e, item_id=wid):
        typer.echo(f"  awaiting: {st.label} — {', '.join(st.awaited_names)} (due {st.due_at:%Y-%m-%d})")
    for d in queries.documents_for(e, wid):
        typer.echo(f"  document: {d.label} ({d.sha256[:12]})")
    for ev in queries.events_for(e, wid):
        typer.echo(f"  {ev.at:%Y-%m-%d %H:%M} {ev.kind:22} {ev.actor_name or '':20} {ev.detail}")


@grant_app.command("show")
def grant_show(application_id: str) -> None:
    """An application's stage, scores and timeline, and its grant's tranches when awarded."""
    e = engine()
    base = application_id.removeprefix("application-").removeprefix("grant-")
    found = [w for w in (f"application-{base}", f"grant-{base}") if queries.get_item(e, w) is not None]
    if not found:
        fail(f"no application or grant '{application_id}' in the read model")
    for i, wid in enumerate(found):
        if i:
            typer.echo("")
        _show_item(e, wid)


@grant_app.command("act")
def grant_act(
    workflow_id: Annotated[str, typer.Argument(help="application-… or grant-…")],
    action: Annotated[str, typer.Argument(help="screen, score, decline_review, vote, close_vote, withdraw; submit_report, review_report, …")],
    as_: Annotated[str, typer.Option("--as", help="Person id acting")],
    fields: Annotated[str | None, typer.Option("--fields", help="JSON object of the action's fields")] = None,
    update_id: Annotated[str | None, typer.Option(help="Idempotency key: the same id counts once")] = None,
) -> None:
    """Act on an application or a grant as a person (screen, score, vote, submit_report, …)."""
    from services import grants

    result = _act(grants.LIFECYCLE, workflow_id, action, as_, fields, update_id)
    typer.echo(f"{result.message} (stage: {result.stage})")


def _fields(fields: str | None, as_: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(fields) if fields else {}
    except (ValueError, RecursionError) as e:  # not JSON; a number of over 4,300 digits; nested thousands deep
        fail(f"--fields is not valid JSON: {e}")
    if not isinstance(data, dict):
        fail("--fields must be a JSON object")
    data["actor_id"] = as_
    return data


def _act(lifecycle: Any, workflow_id: str, action: str, as_: str, fields: str | None, update_id: str | None) -> Any:
    """Parse and send one action; each command group takes its own lifecycle's workflows only
    (`lifecycle` is that service's `LIFECYCLE`). Errors are one line."""
    from services import actions
    from services.errors import ActionRejected, InputError

    data = _fields(fields, as_)
    try:
        lifecycle.table(workflow_id)
        parsed = actions.parse_action(workflow_id, action, data, engine=engine())
    except InputError as e:
        fail(str(e))

    async def go() -> Any:
        return await actions.act(await connect_temporal(), workflow_id, action, parsed, update_id=update_id)

    try:
        return run(go())
    except ActionRejected as e:
        fail(f"rejected: {e.message}")


@festival_app.command("open")
def festival_open(path: Path, dry_run: Annotated[bool, typer.Option(help="Check the file only")] = False) -> None:
    """Open a festival edition from its file (YAML or JSON): start its workflow (idempotent)."""
    from services import releases as rsvc

    e = engine()
    try:
        f = rsvc.read_festival_file(path)
        inp = rsvc.build_festival(e, f)
    except rsvc.InputError as err:
        fail(str(err))
    what = (f"{inp.edition.name()} ({inp.edition.city}): {len(inp.films)} films, {len(inp.people.liaisons)} liaisons,"
            f" admins {', '.join(p.id for p in inp.people.festival_admins)}")  # fmt: skip
    if dry_run:
        typer.echo(f"ok: {inp.edition.id} — {what}")
        return

    async def go() -> str:
        return await rsvc.open_festival_file(await connect_temporal(), e, f)

    try:
        wid = run(go())
    except rsvc.InputError as err:
        fail(str(err))
    typer.echo(f"opened {wid} — {what}")


@festival_app.command("award")
def festival_award(
    edition: Annotated[str, typer.Option(help="Edition id, e.g. sco-2026")],
    film: Annotated[str, typer.Option(help="Film id")],
    category: Annotated[str, typer.Option(help="Award category id, e.g. best_film, most_innovative_ai")],
    as_: Annotated[str, typer.Option("--as", help="Person id acting (a festival admin)")],
    on: Annotated[str | None, typer.Option(help="Date of the award (YYYY-MM-DD); today, or the edition's closing day")] = None,
    note: Annotated[str, typer.Option(help="The jury's citation")] = "",
    award_id: Annotated[str | None, typer.Option("--id", help="Award id; <film>-<category> if omitted")] = None,
) -> None:
    """Record a jury award: the film is recommended to every member country (and Korea)."""
    from datetime import date

    from services import releases as rsvc
    from workflows.festival import festival_workflow_id

    e = engine()
    wid = festival_workflow_id(edition)
    item = queries.get_item(e, wid)
    if item is None:
        fail(f"no festival '{edition}' in the read model; open it with 'helix festival open FILE'")
    ed = (item.detail or {}).get("edition") or {}
    if on is None:
        today, opens, closes = date.today(), date.fromisoformat(ed["opens_on"]), date.fromisoformat(ed["closes_on"])
        on = (today if opens <= today <= closes else closes).isoformat()
    award = {"id": award_id or f"{film}-{category}".replace("_", "-")[:64], "edition_id": edition, "film_id": film,
             "category_id": category, "jury_note": note, "awarded_on": on}  # fmt: skip
    try:
        parsed = rsvc.parse_action(wid, "record_award", {"actor_id": as_, "award": award}, engine=e)
    except rsvc.InputError as err:
        fail(str(err))

    async def go() -> Any:
        return await rsvc.act(await connect_temporal(), wid, "record_award", parsed, update_id=f"cli-{wid}-{award['id']}")

    try:
        result = run(go())
    except rsvc.ActionRejected as err:
        fail(f"rejected: {err.message}")
    typer.echo(result.message)
    for w in result.started:
        typer.echo(f"  started {w}")


@release_app.command("list")
def release_list(
    country: Annotated[str | None, typer.Option(help="Only this country's releases (e.g. KR)")] = None,
    stage: Annotated[str | None, typer.Option(help="acknowledge, classification, quota, subsidy, licence, scheduling, releasing, released, refused, declined")] = None,
) -> None:
    """Country releases from the read model, with their stage."""
    rows = queries.list_items(engine(), item_type="country_release", phase=stage, kind=country.upper() if country else None, limit=10_000)
    rows.sort(key=lambda r: r.item_id)
    for r in rows:
        typer.echo(f"{r.item_id:36} {r.phase:15} {r.kind:3} {r.title}")
    typer.echo(f"({len(rows)} country releases)")


@release_app.command("show")
def release_show(workflow_id: Annotated[str, typer.Argument(help="release-<film>-<country>")]) -> None:
    """A country release's stage, classification, licence and timeline."""
    e = engine()
    wid = workflow_id if workflow_id.startswith("release-") else f"release-{workflow_id}"
    item = queries.get_item(e, wid)
    if item is None or item.item_type != "country_release":
        fail(f"no country release '{workflow_id}' in the read model")
    s, d = item.summary or {}, item.detail or {}
    origin = ", ".join(s.get("origin_countries") or [])
    typer.echo(f"{item.title}\n  stage: {item.phase}   country: {item.kind}   origin: {origin}{'   (abroad)' if s.get('abroad') else ''}")
    typer.echo(f"  liaison: {d.get('liaison', {}).get('name')}   rights holder: {next(iter(d.get('licensor', {}).get('names', {}).values()), '—')}")
    c = d.get("classification")
    if c:
        extra = f"; cuts: {c['cuts']}" if c.get("cuts") else f"; reason: {c['reason']}" if c.get("reason") else ""
        typer.echo(f"  classification: {c['outcome']} {c.get('rating') or ''}{extra}")
    if d.get("quota"):
        q = d["quota"]
        typer.echo(f"  import quota: {'granted ' + q.get('reference', '') if q['granted'] else 'refused: ' + q.get('reason', '')}")
    if d.get("subsidy"):
        sb = d["subsidy"]
        typer.echo(f"  subsidy: {sb['outcome']} {sb.get('kind') or ''} {sb.get('amount') or ''} {sb.get('currency') or ''}".rstrip())
    lic = d.get("licence")
    if lic:
        g = lic["grant"]
        typer.echo(f"  licence {g['deal_id']}: {g['licensee_name']}, {', '.join(g['media'])}, {g['starts_on']} to {g['ends_on']},"
                   f" {g['fee']} {g['currency']}; agreement {lic.get('agreement_phase') or 'being prepared'}"
                   f"{', signed ' + lic['signed_on'] if lic.get('signed_on') else ''}")  # fmt: skip
        for st in queries.open_steps(e, item_id=lic["agreement_workflow_id"]):
            typer.echo(f"    awaiting: {st.label} — {', '.join(st.awaited_names)} (due {st.due_at:%Y-%m-%d})")
    if s.get("release_on"):
        typer.echo(f"  release: {s.get('released_on') or s['release_on']} on {s.get('platform')}{'' if s.get('released_on') else ' (scheduled)'}")
    if d.get("decline_reason"):
        typer.echo(f"  declined: {d['decline_reason']}")
    for st in queries.open_steps(e, item_id=wid):
        typer.echo(f"  awaiting: {st.label} — {', '.join(st.awaited_names)} (due {st.due_at:%Y-%m-%d})")
    for doc in queries.documents_for(e, wid):
        typer.echo(f"  document: {doc.label} ({doc.sha256[:12]})")
    for ev in queries.events_for(e, wid):
        typer.echo(f"  {ev.at:%Y-%m-%d %H:%M} {ev.kind:22} {ev.actor_name or '':20} {ev.detail}")


@release_app.command("act")
def release_act(
    workflow_id: Annotated[str, typer.Argument(help="release-<film>-<country> (or festival-<edition>)")],
    action: Annotated[str, typer.Argument(help="acknowledge, classify, decide_quota, record_subsidy, propose_licence, schedule_release, confirm_release, decline")],
    as_: Annotated[str, typer.Option("--as", help="Person id acting")],
    fields: Annotated[str | None, typer.Option("--fields", help="JSON object of the action's fields; propose_licence takes licensee_id")] = None,
    update_id: Annotated[str | None, typer.Option(help="Idempotency key: the same id counts once")] = None,
) -> None:
    """Act on a country release as its liaison (classify, propose_licence with a distributor's licensee_id, …)."""
    from services import releases

    result = _act(releases.LIFECYCLE, workflow_id, action, as_, fields, update_id)
    stage = getattr(result, "stage", None)
    typer.echo(f"{result.message}" + (f" (stage: {stage})" if stage else ""))


@release_app.command("target")
def release_target(year: Annotated[int | None, typer.Option(help="The year; this year if omitted")] = None) -> None:
    """Films released outside their origin countries in a year, against the network's target of 5."""
    from datetime import date

    from services import releases as rsvc

    try:
        p = rsvc.target_progress(engine(), year or date.today().year)
    except rsvc.InputError as e:
        fail(str(e))
    typer.echo(p.summary())
    for f in p.films:
        typer.echo(f"  {f.film_id:28} {', '.join(f.countries):16} first {f.first_released_on.isoformat()}")
    if p.by_country:
        typer.echo("  by country: " + ", ".join(f"{c} {n}" for c, n in p.by_country.items()))


DIGEST_WAIT_SECONDS = 300


@board_app.command("digest")
def board_digest(out: Annotated[Path | None, typer.Option("-o", "--out", help="Also write the PDF here")] = None) -> None:
    """Produce this week's board digest now (through its schedule) and wait for it; a week that has one keeps it."""
    from services import schedules

    async def go() -> Any:
        return await asyncio.wait_for(schedules.produce_board_digest(await connect_temporal()), DIGEST_WAIT_SECONDS)

    try:
        result = run(go())
    except schedules.DigestNotStarted as e:
        fail(f"{e}; is the system running? (see README)")
    except TimeoutError:
        fail(f"no digest within {DIGEST_WAIT_SECONDS // 60} minutes; is a worker running? It will still be made when one is")
    typer.echo(f"{result.label} ({result.digest_id}, {result.pages} pages, figures as of {result.as_of:%Y-%m-%d %H:%M} UTC)")
    typer.echo(f"sha256 {result.sha256}")
    if out is not None:
        write_document(result.sha256, out)
        typer.echo(f"wrote {out}")


@db_app.command("status")
def db_status() -> None:
    """Which schema revision the read model is at, and the newest this code knows."""
    from store.db import head_revision, schema_revision

    current = schema_revision(make_engine(get_settings().resolved_database_url))
    head = head_revision()
    typer.echo(f"database at {current or 'no revision (empty, or from before migrations)'}; code expects {head}")
    if current != head:
        typer.echo("run 'helix db upgrade' (every Helix process also upgrades on start)")
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the read model's schema to this code's revision (what every process does on start)."""
    from store.db import schema_revision

    e = engine()
    typer.echo(f"database at {schema_revision(e)}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole audit chain; names every row that was edited, removed or reordered (exit 1 if any)."""
    from store import audit

    report = audit.verify(engine())
    for p in report.problems:
        typer.echo(f"TAMPERED: {p.what}")
    typer.echo(f"{report.rows} rows; head row {report.head_seq}, hash {report.head_hash}")
    if not report.ok:
        typer.echo(f"the audit log fails verification: {len(report.problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo("OK: every row is intact and in order")


@audit_app.command("show")
def audit_show(rows: Annotated[int, typer.Option("-n", "--rows", min=1, max=10_000, help="How many of the latest rows")] = 20) -> None:
    """The latest rows of the audit log, oldest first."""
    from store import audit

    for r in audit.tail(engine(), rows):
        who = r["actor_id"] or "system"
        where = f" {r['item_id']}#{r['item_seq']}" if r["item_seq"] is not None else (f" {r['item_id']}" if r["item_id"] else "")
        typer.echo(f"{r['seq']:>7} {r['at']:%Y-%m-%d %H:%M:%S} {r['category']:<14} {r['kind']:<22} {who:<20}{where} {r['detail']}")


_COVERS = {"entire file": "covers the entire file", "its revision": "covers its revision", "part of the file": "covers part of the file"}


@pdf_app.command("verify")
def pdf_verify(
    files: Annotated[list[Path], typer.Argument(help="PDF files to check")],
    trust_root: Annotated[Path | None, typer.Option(help="Root certificate (PEM) to trust; this data folder's local signing authority if omitted")] = None,
) -> None:
    """Check each PDF's signatures: intact, issued by the trusted authority, the last covering the whole file.

    Exit status 0 when every file is OK, 1 otherwise (2 when no trust root can be read)."""
    import logging
    from datetime import UTC

    from cryptography import x509

    from documents.pki import LocalAuthority
    from documents.signing import NotAPdf, verify_pdf

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # its tracebacks of failed checks; the problems are printed
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    if trust_root is not None:
        try:
            root = x509.load_pem_x509_certificate(trust_root.read_bytes())
        except (OSError, ValueError) as e:
            fail(f"cannot read the trust root {trust_root}: {getattr(e, 'strerror', None) or e}")
    else:
        pki = get_settings().data_dir / "pki"
        found = LocalAuthority.trust_root(pki)
        if found is None:
            fail(f"no local signing authority in {pki} (the worker creates it); pass --trust-root CERT.pem")
        root = found
    all_ok = True
    for path in files:
        try:
            result = verify_pdf(path.read_bytes(), root)
        except FileNotFoundError:
            typer.echo(f"{path}: error: no such file", err=True)
        except OSError as e:
            typer.echo(f"{path}: error: cannot read it ({e.strerror})", err=True)
        except NotAPdf as e:
            typer.echo(f"{path}: error: {e}", err=True)
        else:
            typer.echo(str(path))
            for c in result.signatures:
                when = f"signed {c.signed_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if c.signed_at else "no signing time"
                typer.echo(f"  {c.organisation} ({c.field_name}), {when}: {'intact' if c.intact else 'ALTERED'}, "
                           f"{'trusted' if c.trusted else 'untrusted'}, {_COVERS[c.coverage]}")  # fmt: skip
            if result.ok:
                typer.echo("  OK")
            else:
                typer.echo(("  NOT SIGNED: " if not result.signatures else "  TAMPERED: ") + " ".join(result.problems))
            all_ok = all_ok and result.ok
            continue
        all_ok = False
    raise typer.Exit(0 if all_ok else 1)


@demo.command("seed")
def demo_seed() -> None:
    """Load the demo directory and agreements (the worker must be running)."""
    from demo.seed import seed

    async def go() -> list[str]:
        return await seed(engine(), await connect_temporal())

    started = run(go())
    typer.echo(f"started {len(started)} demo agreements, student records, grant applications, grants, festivals and releases")


@keys_app.command("new")
def keys_new() -> None:
    """Print a fresh random payload key (base64 of 32 bytes) for HELIX_PAYLOAD_KEY."""
    from services.codec import new_key

    typer.echo(new_key())
    typer.echo("set it as HELIX_PAYLOAD_KEY for the worker and every client (with a new HELIX_PAYLOAD_KEY_ID when it replaces "
               "a key, the old one moving to HELIX_PAYLOAD_OLD_KEYS); see docs/architecture.md", err=True)


def main() -> None:
    from services import logsafe

    logsafe.install()  # every configured secret is *** in any log line
    try:
        app()
    except ValidationError as e:  # a model check no command anticipated: still one readable line
        typer.echo(f"error: {e.errors()[0]['msg']}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
