"""`ALL_WORKFLOWS`: what a worker registers.

Not in `workflows/__init__.py`: the sandbox imports a workflow's module afresh for every execution
it starts or replays, package first, so an `__init__` importing every workflow made each new
execution run all eleven modules — their pydantic models and workflow definitions built again —
where one (and what it imports) is needed. That was half of the engine worker's CPU at 40
concurrent lifecycles of each type (bench/engine.py, docs/architecture.md).
"""

from workflows.agreement import AgreementWorkflow
from workflows.board_digest import BoardDigestWorkflow
from workflows.board_snapshots import BoardSnapshotsWorkflow
from workflows.country_release import CountryReleaseWorkflow
from workflows.credit_transfer import CreditTransferWorkflow
from workflows.festival import FestivalWorkflow
from workflows.film_rights import FilmRightsWorkflow
from workflows.fund_ledger import FundLedgerWorkflow
from workflows.grant import GrantWorkflow
from workflows.grant_application import GrantApplicationWorkflow
from workflows.student_record import StudentRecordWorkflow

ALL_WORKFLOWS = [
    AgreementWorkflow,
    CreditTransferWorkflow,
    StudentRecordWorkflow,
    FundLedgerWorkflow,
    GrantApplicationWorkflow,
    GrantWorkflow,
    FestivalWorkflow,
    FilmRightsWorkflow,
    CountryReleaseWorkflow,
    BoardDigestWorkflow,
    BoardSnapshotsWorkflow,
]
