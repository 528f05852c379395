"""Names of the co-production fund's activities (workflows refer to activities by name only)."""

LEDGER_OPERATION = "grant_ledger_operation"  # an update to the fund's FundLedger workflow
ISSUE_PAYMENT = "grant_issue_payment"  # a tranche's payment instruction, once per key
RENDER_LETTER = "grant_render_letter"  # award or rejection letter
REVIEWER_LOAD = "grant_reviewer_load"  # open reviews per reviewer, from the read model
VOID_AGREEMENT = "grant_void_agreement"  # a cancelled grant's agreement, not yet executed, is voided
