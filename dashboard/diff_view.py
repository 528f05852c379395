"""Comparing two versions of an agreement: what was inserted (green) and deleted (red, struck).

The canonical texts live in the blob store by their `text_sha256`; `domain.texts.diff_texts`
decides what changed, this module only draws it. Everything drawn is escaped here with
`html.escape`, because clause text comes from people and must never become markup.
"""

from __future__ import annotations

import html

import streamlit as st

from dashboard import common
from domain.agreements import AgreementState, Version
from domain.reference import LANGUAGES
from domain.texts import CanonicalText, ClauseDiff, ClauseStatus, DiffSegment, diff_texts
from store.blobs import BlobError

STATUS_LABELS = {
    ClauseStatus.ADDED: ("added", "#0b5d0b"),
    ClauseStatus.REMOVED: ("removed", "#a4161a"),
    ClauseStatus.CHANGED: ("changed", "#8a5a00"),
    ClauseStatus.UNCHANGED: ("unchanged", "#666"),
}

STYLE = (
    "<style>.hx-diff{line-height:1.6}.hx-diff p{white-space:pre-wrap;margin:.2em 0 1em 0}"
    ".hx-diff ins{background:#d3f5d3;color:#0b5d0b;text-decoration:none;padding:0 1px}"
    ".hx-diff del{background:#ffd9d6;color:#a4161a;text-decoration:line-through;padding:0 1px}"
    ".hx-diff h5{margin:1.1em 0 .2em 0}.hx-diff small{font-weight:normal;margin-left:.6em}</style>"
)


def _segments_html(segments: list[DiffSegment]) -> str:
    out = []
    for seg in segments:
        text = html.escape(seg.text)
        out.append(f"<ins>{text}</ins>" if seg.op == "insert" else f"<del>{text}</del>" if seg.op == "delete" else text)
    return "".join(out)


def to_html(diffs: list[ClauseDiff], show_unchanged: bool) -> str:
    """The diff as escaped HTML: one heading per clause, its status, then its body's segments."""
    parts = [STYLE, '<div class="hx-diff">']
    for d in diffs:
        if d.status is ClauseStatus.UNCHANGED and not show_unchanged:
            continue
        label, color = STATUS_LABELS[d.status]
        heading = html.escape(d.heading or d.clause_id)
        if d.old_heading is not None:
            heading = f"<del>{html.escape(d.old_heading)}</del> <ins>{heading}</ins>"
        parts.append(f'<h5>{heading}<small style="color:{color}">{label}</small></h5>')
        parts.append(f"<p>{_segments_html(d.segments)}</p>")
    parts.append("</div>")
    return "".join(parts)


def _load(v: Version) -> CanonicalText:
    return CanonicalText.model_validate_json(common.blobs().get(v.text_sha256))


def compare_versions(state: AgreementState) -> None:
    if len(state.versions) < 2:
        st.caption("There is only one version so far; a comparison appears once the text is revised.")
        return
    numbers = [v.number for v in state.versions]
    by_number = {v.number: v for v in state.versions}
    c1, c2, c3 = st.columns(3)
    a = c1.selectbox("From version", numbers, index=len(numbers) - 2, key="diff-a", format_func=lambda n: f"v{n}")
    b = c2.selectbox("To version", numbers, index=len(numbers) - 1, key="diff-b", format_func=lambda n: f"v{n}")
    lang = c3.selectbox("Language", state.spec.languages, key="diff-lang", format_func=lambda c: LANGUAGES.get(c, c))
    if a == b:
        st.caption("Choose two different versions.")
        return
    try:
        diffs = diff_texts(_load(by_number[a]), _load(by_number[b]), lang)
    except (BlobError, ValueError):  # missing, damaged or not a canonical text
        common.log.exception("cannot compare versions %s and %s of %s", a, b, state.spec.id)
        st.warning("The text of one of these versions cannot be read on this server, so they cannot be compared.")
        return
    changed = [d for d in diffs if d.status is not ClauseStatus.UNCHANGED]
    if not changed:
        st.success(f"No differences between v{a} and v{b} in {LANGUAGES.get(lang, lang)}.")
        return
    counts = {s: sum(d.status is s for d in diffs) for s in (ClauseStatus.CHANGED, ClauseStatus.ADDED, ClauseStatus.REMOVED)}
    st.caption(
        f"{counts[ClauseStatus.CHANGED]} clause(s) changed, {counts[ClauseStatus.ADDED]} added, "
        f"{counts[ClauseStatus.REMOVED]} removed. Inserted text is green; deleted text is red and struck through."
    )
    show = st.toggle("Show unchanged clauses", key="diff-all")
    st.html(to_html(diffs, show))
