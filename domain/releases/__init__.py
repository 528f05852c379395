"""Award-to-release: a festival award becomes a release of the film across the network.

A jury award at the SCO Film Festival becomes a release recommendation to every member state and
Korea. Each country then runs its own path: classification, an import-quota exception where one is
needed, an optional dubbing/subtitling subsidy, a licence with a distributor (signed through the
agreement engine), and a scheduled, confirmed release. The network counts the films released
outside their origin countries each year against its target (at least five by the end of 2026).

Pure rules only (no I/O, no clock, no randomness), so the release workflows can call them inside
Temporal's deterministic sandbox and replay them with the same result. Money reuses
`domain.grants.money`; every refusal is a `Rejected` whose message is shown to the person as is.

Modules: `festival` (editions, sections, award categories, films, jury awards), `rights`
(licences by territory × media × term × exclusivity, conflicts, availability, the ledger),
`country_rules` (each country's regulatory path and its due days), `targets` (films released
abroad against the network's target), `process` (the per-country release process).
"""
