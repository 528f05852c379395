"""The co-production fund: calls, applications, review, board decisions, the ledger and tranches.

Pure rules only (no I/O, no clock, no randomness), so the grant workflows can call them inside
Temporal's deterministic sandbox and replay them years later with the same result. Money is
`Decimal` in cents throughout (`domain.grants.money`); every refusal is a `Rejected` whose message
is shown to the person as is.

Modules: `money` (currency, cents, formatting), `rubric` (criteria, scores, ranking), `funds`
(fund and calls), `applications` (what an applicant submits), `eligibility` (the automatic check),
`conflicts` (reviewer assignment), `board` (votes and decisions), `tranches` (payment schedule),
`ledger` (the fund's books).
"""
