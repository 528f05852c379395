"""Propose a revision: edit one clause of the current version, in each of its languages.

The form starts from the current version's canonical text (read from the document store by the
hash the parties see) and sends only what changed, with that hash as the revision's base: if
someone else revised meanwhile, the workflow answers with its conflict message.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from dashboard import client, common
from domain.agreements import AgreementState
from domain.parties import Person
from domain.texts import CanonicalText

LANG_NAMES = {"en": "English", "ko": "한국어", "ru": "Русский", "zh": "中文"}


def _current_text(state: AgreementState) -> CanonicalText | None:
    if not state.current_hash:
        return None
    try:
        return CanonicalText.model_validate_json(common.blobs().get(state.current_hash))
    except Exception:  # noqa: BLE001 - a missing text only hides the form, with a note
        return None


def _submit(item_id: str, me_id: str, base_hash: str, clause_id: str, originals: dict[str, str], key: str, scope: str) -> None:
    summary = (st.session_state.get(f"{key}-summary") or "").strip()
    changed = {
        lang: st.session_state.get(f"{key}-{lang}", "").strip()
        for lang in originals
        if st.session_state.get(f"{key}-{lang}", "").strip() != originals[lang].strip()
    }
    if not changed:
        common.flash(False, "Nothing changed: edit the clause text before proposing a revision.", scope)
        return
    if len(summary) < 3:
        common.flash(False, "Please say in a few words what the revision changes.", scope)
        return
    data: dict[str, Any] = {
        "actor_id": me_id,
        "summary": summary,
        "base_version_hash": base_hash,
        "clause_overrides": {clause_id: changed},
    }
    digest = hashlib.sha256(repr(sorted(data["clause_overrides"][clause_id].items())).encode()).hexdigest()[:16]
    outcome = client.perform(item_id, "revise", data, f"{item_id}:revise:{me_id}:{base_hash[:16]}:{digest}")
    common.flash(outcome.ok, outcome.message, scope)


def revision_form(item_id: str, state: AgreementState, me: Person, scope: str) -> None:
    """An expander with the clause picker, one text area per language, and a summary."""
    text = _current_text(state)
    if text is None or state.current_hash is None:
        return
    with st.expander("Propose a revision"):
        ids = [c.id for c in text.clauses]
        headings = {c.id: c.heading.get(text.languages[0], c.id) for c in text.clauses}
        key = f"revise-{item_id}-{state.current_hash[:12]}"
        clause_id = st.selectbox("Clause", ids, format_func=lambda i: headings[i], key=f"{key}-clause")
        clause = text.clause(clause_id)
        originals = {lang: clause.body.get(lang, "") for lang in text.languages} if clause else {}
        with st.form(f"{key}-{clause_id}", border=False):
            cols = st.columns(len(originals) or 1)
            for col, (lang, body) in zip(cols, originals.items(), strict=False):
                col.text_area(LANG_NAMES.get(lang, lang), value=body, height=220, key=f"{key}-{clause_id}-{lang}")
            st.text_input("Summary of the change", key=f"{key}-{clause_id}-summary", max_chars=500)
            st.form_submit_button(
                "Propose revision",
                icon=":material/edit_note:",
                on_click=_submit,
                args=(item_id, me.id, state.current_hash, clause_id, originals, f"{key}-{clause_id}", scope),
            )
            st.caption("A revision becomes the new current version; approvals of earlier versions no longer count.")
