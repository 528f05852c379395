"""Signing in and out: local accounts by default, OIDC (`st.login`) when the secrets configure it.

The browser only ever holds a random session token (in `st.session_state`); who it belongs to and
when it expires live in the read model (`store.accounts`), so a session ends after
`settings.session_minutes` whatever the browser does, and signing out ends it on the server too.
With SSO the identity provider vouches for an email address, which must belong to exactly one
person of the directory: the directory, not the provider, decides what that person may see.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from dashboard import common
from domain.parties import Person
from store import accounts, directory
from store.models import utcnow

log = logging.getLogger("helix.dashboard")

TOKEN_KEY = "helix_token"
NOTICE_KEY = "helix_signin_notice"


# ---------------------------------------------------------------- SSO configuration


def _auth_secrets() -> dict[str, Any] | None:
    """The `[auth]` section of `.streamlit/secrets.toml`, or None when there is none."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
        return dict(section) if hasattr(section, "keys") else None
    except Exception:  # noqa: BLE001 - no or unreadable secrets file: SSO is simply not offered
        return None


def authlib_installed() -> bool:
    return importlib.util.find_spec("authlib") is not None


def sso_provider() -> tuple[bool, str | None]:
    """(configured, provider name for `st.login`); the name is None for a single unnamed provider.

    `st.login` needs Authlib (`streamlit[auth]`); without it the button would only fail, so SSO is
    not offered and the server log says why.
    """
    section = _auth_secrets()
    if not section:
        return False, None
    if not authlib_installed():
        log.warning("[auth] is configured but Authlib is not installed (pip install 'streamlit[auth]'); SSO is off")
        return False, None
    if "client_id" in section:
        return True, None
    named = [k for k, v in section.items() if hasattr(v, "keys")]
    return (True, named[0]) if named else (False, None)


def _sso_email() -> str | None:
    """The email the identity provider vouched for, if someone is signed in with SSO."""
    if not sso_provider()[0]:
        return None
    if not st.user.get("is_logged_in") or st.user.get("email_verified") is False:
        return None
    email = st.user.get("email")
    return str(email).strip() if email else None


def person_by_email(engine: Engine, email: str) -> Person | None:
    """The one directory person with this email; None when there is none or more than one."""
    wanted = email.casefold()
    found = [p for p in directory.list_people(engine) if str(p.email).casefold() == wanted]
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------- the session


def current_person(engine: Engine) -> Person | None:
    """The person this browser session is signed in as, starting a session after SSO."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        person = accounts.session_person(engine, token, utcnow())
        if person is not None:
            return person
        del st.session_state[TOKEN_KEY]
        st.session_state[NOTICE_KEY] = "Your session has expired. Please sign in again."
        if _sso_email():  # the provider's cookie outlives our session: ask the provider again
            st.logout()
        return None
    email = _sso_email()
    if email:
        person = person_by_email(engine, email)
        if person is None:
            st.session_state[NOTICE_KEY] = (
                f"You signed in as {email}, but no one in the network's directory has that address. "
                "Ask an administrator to add it to your directory entry."
            )
            return None
        start(engine, person)
        return person
    return None


def start(engine: Engine, person: Person) -> None:
    st.session_state[TOKEN_KEY] = accounts.start_session(engine, person.id, common.settings().session_minutes, utcnow())


def sign_out(engine: Engine) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(common.PERSON_KEY, None)
    if token:
        accounts.end_session(engine, token)
    if _sso_email():
        st.logout()


# ---------------------------------------------------------------- pages and widgets


def sign_in_page() -> None:
    """The only page shown before signing in."""
    engine = common.engine()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Helix")
        st.caption("Agreements and cooperation workflows of the SCO Film Festival network")
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.warning(notice)
        with st.form("sign-in", border=True):
            st.subheader("Sign in")
            username = st.text_input("Username", key="signin_username", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
        if submitted:
            _sign_in(engine, username, password)
        configured, provider = sso_provider()
        if configured:
            st.divider()
            if st.button("Sign in with SSO", icon=":material/key:", width="stretch"):
                if provider:
                    st.login(provider)
                else:
                    st.login()


def _sign_in(engine: Engine, username: str, password: str) -> None:
    if not username.strip() or not password:
        st.error("Please enter your username and password.")
        return
    try:
        person = accounts.authenticate(engine, username, password, utcnow())
    except accounts.AccountError as e:
        st.error(str(e))
        return
    start(engine, person)
    st.rerun()


def sidebar(engine: Engine, person: Person) -> None:
    """Who is signed in, as what, and the way out."""
    orgs = {o.id: o.name() for o in directory.list_organisations(engine)}
    with st.sidebar:
        st.markdown(f"**{person.name}**")
        lines = [person.title] if person.title else []
        if person.organisation_id:
            lines.append(orgs.get(person.organisation_id, person.organisation_id))
        if lines:
            st.caption(" · ".join(lines))
        roles = [common.role_label(g, orgs) for g in person.roles]
        st.caption("Roles: " + (", ".join(roles) if roles else "none"))
        if st.button("Sign out", icon=":material/logout:", key="sign-out"):
            sign_out(engine)
            st.rerun()
