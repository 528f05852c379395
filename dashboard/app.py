"""The Helix dashboard: `streamlit run dashboard/app.py` from the repository root.

This script runs first on every interaction: it signs the person in (or shows only the sign-in
page), then offers the pages their roles allow (`domain.access.visible_pages`) and runs the one
they chose. Every page reads the SQL read model and changes things only through workflow updates.
Nothing below lets an exception's traceback reach the browser: people get a sentence, the server
log gets the details.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import logging  # noqa: E402
from typing import Any  # noqa: E402

import streamlit as st  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from dashboard import auth, common, grant_common, release_common  # noqa: E402
from domain import access  # noqa: E402
from services import logsafe  # noqa: E402

log = logging.getLogger("helix.dashboard")

PAGES: dict[str, dict[str, object]] = {
    access.PAGE_OVERVIEW: {"title": "Overview", "icon": ":material/monitoring:", "file": "overview.py"},
    access.PAGE_BOTTLENECKS: {"title": "Bottlenecks", "icon": ":material/hourglass_top:", "file": "bottlenecks.py"},
    access.PAGE_TASKS: {"title": "My tasks", "icon": ":material/inbox:", "file": "tasks.py"},
    access.PAGE_AGREEMENTS: {"title": "Agreements", "icon": ":material/contract:", "file": "agreements.py"},
    access.PAGE_AGREEMENT: {
        "title": "Agreement",
        "icon": ":material/description:",
        "file": "agreement.py",
        "visibility": "hidden",
    },
    access.PAGE_PROGRAMS: {"title": "Programs", "icon": ":material/school:", "file": "programs.py"},
    access.PAGE_STUDENTS: {"title": "Students", "icon": ":material/groups:", "file": "students.py"},
    access.PAGE_CREDIT_REQUESTS: {"title": "Credit requests", "icon": ":material/swap_horiz:", "file": "credit_requests.py"},
    access.PAGE_MY_STUDIES: {"title": "My studies", "icon": ":material/local_library:", "file": "my_studies.py"},
    access.PAGE_STUDENT: {"title": "Student", "icon": ":material/person:", "file": "student.py", "visibility": "hidden"},
    access.PAGE_CREDIT_TRANSFER: {
        "title": "Credit transfer",
        "icon": ":material/swap_horiz:",
        "file": "credit_transfer.py",
        "visibility": "hidden",
    },
    access.PAGE_GRANTS: {"title": "Grants pipeline", "icon": ":material/movie:", "file": "grants.py"},
    access.PAGE_FUNDS: {"title": "Fund ledger", "icon": ":material/account_balance:", "file": "funds.py"},
    access.PAGE_REVIEWERS: {"title": "Reviewer workload", "icon": ":material/group:", "file": "reviewers.py"},
    access.PAGE_MY_REVIEWS: {"title": "My reviews", "icon": ":material/grading:", "file": "my_reviews.py"},
    access.PAGE_MY_APPLICATIONS: {"title": "My applications", "icon": ":material/movie:", "file": "my_applications.py"},
    access.PAGE_APPLICATION: {
        "title": "Application",
        "icon": ":material/movie:",
        "file": "application.py",
        "visibility": "hidden",
    },
    access.PAGE_GRANT: {"title": "Grant", "icon": ":material/payments:", "file": "grant.py", "visibility": "hidden"},
    access.PAGE_RELEASES: {"title": "Releases", "icon": ":material/public:", "file": "releases.py"},
    access.PAGE_MY_COUNTRY: {"title": "My country's releases", "icon": ":material/flag:", "file": "my_country.py"},
    access.PAGE_RELEASE_TARGET: {"title": "Release target", "icon": ":material/flag_circle:", "file": "release_target.py"},
    access.PAGE_FESTIVAL: {"title": "Festival", "icon": ":material/emoji_events:", "file": "festival.py"},
    access.PAGE_RELEASE: {
        "title": "Country release",
        "icon": ":material/local_movies:",
        "file": "release.py",
        "visibility": "hidden",
    },
    access.PAGE_OUTBOX: {"title": "Outbox", "icon": ":material/mail:", "file": "outbox.py"},
}

DATABASE_DOWN = (
    "The records database cannot be reached right now, so this page cannot be shown. "
    "Please try again in a few minutes; if it persists, tell an administrator."
)
PAGE_FAILED = "Something went wrong while showing this page. Please reload it; if it persists, tell an administrator."


def navigation_for(names: list[str]) -> list[st.Page]:
    pages = []
    for i, name in enumerate(names):
        spec = PAGES[name]
        pages.append(
            st.Page(
                HERE / "views" / str(spec["file"]),
                title=str(spec["title"]),
                icon=str(spec["icon"]),
                url_path=name,
                default=i == 0,
                visibility=spec.get("visibility", "visible"),  # type: ignore[arg-type]
            )
        )
    return pages


@st.cache_data(ttl=60, show_spinner=False)
def item_roles(person_id: str, _engine: Any, _person: Any) -> tuple[bool, bool, bool]:
    """Whether the person is a grant contact, a festival administrator, a party of a release: read
    from the items once a minute per person, not on every click (they only choose menu pages)."""
    return (grant_common.is_grant_contact(_engine, person_id), release_common.is_festival_admin(_engine, _person),
            release_common.is_release_party(_engine, _person))  # fmt: skip


def main() -> None:
    logsafe.ensure_installed()  # every configured secret is *** in the server log
    engine = common.engine()
    person = auth.current_person(engine)
    if person is None:
        st.session_state.pop(common.PERSON_KEY, None)
        st.navigation([st.Page(auth.sign_in_page, title="Sign in", icon=":material/login:")], position="hidden").run()
        return
    st.session_state[common.PERSON_KEY] = person
    contact, festival, party = item_roles(person.id, engine, person)
    pages = access.visible_pages(person, grant_contact=contact, release_party=party, festival_admin=festival)
    nav = st.navigation(navigation_for(pages))
    auth.sidebar(engine, person)
    nav.run()


st.set_page_config(page_title="Helix", page_icon=":material/handshake:", layout="wide")
try:
    main()
except SQLAlchemyError:
    log.exception("read model unavailable")
    st.error(DATABASE_DOWN, icon=":material/cloud_off:")
except Exception:
    log.exception("dashboard page failed")
    st.error(PAGE_FAILED, icon=":material/error:")
