"""The weekly board digest on the dashboard: the digests made so far, and "produce it now".

`digest_section()` is placed on the network overview page. Everyone who sees that page may read
and download the digests; people who act somewhere in the network (and administrators) may also
ask for this week's digest at once, through the digest's Temporal schedule, the way the Monday
run makes it. A week has one digest: once this week's exists, the button says so instead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import streamlit as st

from dashboard import common
from dashboard.client import ACTION_TIMEOUT_SECONDS, Outcome
from dashboard.grant_common import blob_download
from domain import access
from domain.board_digest import DIGEST_ITEM_ID, DIGEST_KIND, digest_id_for, digest_seq
from domain.parties import Person
from services.schedules import trigger_board_digest
from settings import connect_temporal
from store import queries
from store.models import DocumentPublic

log = logging.getLogger("helix.dashboard")
FLASH_SCOPE = "board-digest"


def may_produce(person: Person) -> bool:
    """A board seat alone is read-only oversight; people who act (and administrators) may ask for a digest."""
    return access.can_act(person) or access.is_admin(person)


def digests() -> list[DocumentPublic]:
    """The digests made so far, newest first."""
    docs = [d for d in queries.documents_for(common.engine(), DIGEST_ITEM_ID) if d.kind == DIGEST_KIND]
    return sorted(docs, key=lambda d: (d.version or 0, d.created_at), reverse=True)


def file_name(d: DocumentPublic) -> str:
    """'board-digest-2026-W48.pdf' (a digest's `version` is its week, see `digest_seq`)."""
    week = f"{d.version // 100}-W{d.version % 100:02d}" if d.version else d.sha256[:8]
    return f"board-digest-{week}.pdf"


async def _trigger() -> None:
    await trigger_board_digest(await connect_temporal())


def produce_now() -> Outcome:
    """Ask the digest's schedule for a run now, in a fresh event loop like every dashboard action
    (`dashboard.client`); every failure becomes a sentence for the person who clicked."""
    week = digest_id_for(datetime.now(UTC))
    if any(d.version == digest_seq(week) for d in digests()):
        return Outcome(True, f"This week's digest ({week}) is already listed below; the next one comes on Monday.")
    try:
        asyncio.run(asyncio.wait_for(_trigger(), ACTION_TIMEOUT_SECONDS))
    except TimeoutError:
        return Outcome(False, "The workflow engine did not answer in time. Reload the page in a moment; asking again is safe.")
    except Exception:  # any transport failure: the person needs a sentence, the log the details
        log.exception("triggering the board digest failed")
        return Outcome(
            False, "The workflow engine cannot be reached right now, so no digest was requested. Please try again later."
        )
    return Outcome(True, f"The digest of {week} is being produced; reload the page in a few seconds to download it.")


def digest_section() -> None:
    """The digests with a download button each; "Produce the digest now" for people who act."""
    st.subheader("Weekly board digest")
    st.caption(
        "A PDF of the whole network — headline figures, funnels, the longest-waiting steps, the slowest steps by "
        "country and a row per country — made every Monday at 06:00 UTC, one per ISO week."
    )
    common.show_flash(FLASH_SCOPE)
    if may_produce(common.me()) and st.button(
        "Produce the digest now", key="board-digest-produce", icon=":material/picture_as_pdf:"
    ):
        with st.spinner("Asking the workflow engine…"):
            outcome = produce_now()
        common.flash(outcome.ok, outcome.message, FLASH_SCOPE)
        st.rerun()
    docs = digests()
    if not docs:
        st.info("No digest has been made yet; the first comes on Monday at 06:00 UTC.", icon=":material/event:")
        return
    for d in docs:
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            blob_download(d.sha256, f"{d.label or 'Board digest'} (PDF)", file_name(d), f"digest-{d.sha256}")
        pages = f"{d.pages} page{'s' if d.pages != 1 else ''}" if d.pages else ""
        right.caption(" · ".join(x for x in (f"figures as of {common.when(d.created_at)}", pages) if x))


__all__ = ["digest_section", "digests", "may_produce", "produce_now"]
