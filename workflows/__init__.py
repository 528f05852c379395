"""Workflow definitions. `ALL_WORKFLOWS` is what a worker registers."""

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
