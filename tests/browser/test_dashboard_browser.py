"""The dashboard in a real browser, on the whole system started as a user starts it (`run.py`).

Headless Chromium signs in, performs an inbox action, and watches the board's overview change by
itself (its figures refresh every 30 seconds); then every page in the sidebar of every demo role is
opened and screenshotted, and none may show a traceback or the app's "Something went wrong".

Screenshots go to `HELIX_SCREENSHOTS` (default `artifacts/screenshots/`), one folder per account.
Sign-in is per Streamlit session and a reload starts a new one, so after signing in the tests move
with the sidebar's links, never `page.goto`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, ROOT, Helix

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser

PASSWORD = "helix-demo"
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 60_000
REFRESH_WAIT_MS = 70_000  # the overview refreshes itself every 30 seconds
MAX_SHOT_HEIGHT = 12_000
SCREENSHOT_BROWSERS = 3

BOARD = "board.chair"
ACTOR, ACTOR_ID = "liaison.kr", "kim-minji"
# Korea's signature is the last one the distribution-network MOU awaits: it closes that step and
# executes the agreement, which opens none (its renewal window is years away).
ACTED_ITEM = "agreement-distribution-network-2026"
ACCOUNTS = ["board.chair", "admin", "liaison.kr", "coordinator.kafa", "fund.manager", "reviewer.aigerim", "producer.mumbai",
            "distributor.kr", "student.han"]  # fmt: skip
FAILURE_TEXTS = ["Something went wrong", "The records database cannot be reached"]


def screenshots_dir() -> Path:
    return Path(os.environ.get("HELIX_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")


# ---------------------------------------------------------------- driving Streamlit


def wait_idle(page: Any) -> None:
    """Until the script run is over: not running, no status widget, no spinner, nothing stale."""
    expect(page.locator("[data-testid=stApp]")).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid=stStatusWidget]")).to_be_hidden(timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid=stSpinner]")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid=stElementContainer][data-stale=true]")).to_have_count(0, timeout=TIMEOUT_MS)


class Runs:
    """Counts the script runs the server reports finished to one page (`script_finished` messages
    on Streamlit's websocket), so a click waits for the run it caused. The page's own "running"
    state is no signal: a short run may start and end between two renders. Whole-page runs and
    fragment runs (the overview's refresh every 30 seconds, a widget inside it) count apart."""

    def __init__(self, page: Any) -> None:
        self.whole = 0
        self.fragment = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") != "script_finished":
            return
        if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.fragment += 1
        elif msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # another run follows that one
            self.whole += 1


RUNS: WeakKeyDictionary[Any, Runs] = WeakKeyDictionary()


def click_and_wait(page: Any, target: Any, fragment: bool = False) -> None:
    """Click something that reruns the page (or the fragment it is in), and wait until that run is over."""
    runs = RUNS[page]
    count = (lambda: runs.fragment) if fragment else (lambda: runs.whole)
    before = count()
    target.click()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while count() <= before:
        assert time.monotonic() < deadline, f"no script run finished within {TIMEOUT_MS / 1000:.0f} s of the click"
        page.wait_for_timeout(50)  # lets playwright deliver the websocket's frames
    wait_idle(page)


def sign_in(browser: Any, helix: Helix, username: str) -> Any:
    """A fresh browser context (its own Streamlit session), signed in as `username`."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    RUNS[page] = Runs(page)
    page.goto(helix.url)
    page.locator("[data-testid=stApp]").wait_for()
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("[data-testid=stSidebarNav]").wait_for()
    wait_idle(page)
    assert_no_failure(page, f"{username} after signing in")
    return page


def nav_labels(page: Any) -> list[str]:
    """The labels of the sidebar's pages, in order (expanding "View N more" first)."""
    nav = page.locator("[data-testid=stSidebarNav]")
    more = nav.locator("[data-testid=stSidebarNavViewButton]")
    if more.count() and "more" in more.inner_text():
        more.click()
        expect(more).not_to_contain_text("more")
    return [label for link in nav.locator("[data-testid=stSidebarNavLink] span[label]").all()
            if (label := link.get_attribute("label"))]  # fmt: skip


def go(page: Any, label: str) -> None:
    """Open a page with its sidebar link."""
    nav = page.locator("[data-testid=stSidebarNav]")
    link = nav.locator("[data-testid=stSidebarNavLink]").filter(has=page.locator(f'span[label="{label}"]'))
    if not link.count():
        nav_labels(page)  # behind "View N more"
    assert link.count() == 1, f"no sidebar link {label!r}: {nav_labels(page)}"
    if link.get_attribute("aria-current") != "page":  # the page shown already needs no click
        click_and_wait(page, link)
    expect(link).to_have_attribute("aria-current", "page")


def choose(page: Any, label: str, option: str, fragment: bool = False) -> None:
    """Pick an option of an `st.selectbox` (a combo box whose list box opens on a click)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click while the widget is being redrawn (a refresh) may be lost
        box.click()
        try:
            item.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - not open: try again
            page.keyboard.press("Escape")
            continue
        click_and_wait(page, item, fragment)
        if box.input_value() == option:
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def metric_value(page: Any, label: str) -> Any:
    """The value of the `st.metric` whose label is exactly `label`."""
    box = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]").get_by_text(label, exact=True)
    )
    return box.locator("[data-testid=stMetricValue]")


def number(text: str) -> int:
    found = re.search(r"-?[\d,]+", text)
    assert found, f"not a number: {text!r}"
    return int(found.group().replace(",", ""))


def assert_no_failure(page: Any, where: str) -> None:
    exceptions = page.locator("[data-testid=stException]")
    assert not exceptions.count(), f"{where}: exception shown: {exceptions.first.inner_text()[:2000]}"
    for text in FAILURE_TEXTS:
        shown = page.get_by_text(text)
        assert not shown.count(), f"{where}: the page says {shown.first.inner_text()!r}"


def wait_drawn(page: Any) -> None:
    """Charts load and draw after the run: wait until no visible placeholder is left and every
    visible chart (not one in a hidden tab) has its canvas."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stSkeleton]')].every(s => !s.getClientRects().length)
              && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
                   .every(c => !c.getClientRects().length || c.querySelector('canvas, svg'))""",
        timeout=TIMEOUT_MS,
    )


def full_screenshot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the viewport grows to fit it."""
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight")
    tall = min(max(int(height), VIEWPORT["height"]), MAX_SHOT_HEIGHT)
    if tall > VIEWPORT["height"]:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": tall})
        page.wait_for_timeout(250)  # charts lay themselves out again
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    if tall > VIEWPORT["height"]:
        page.set_viewport_size(VIEWPORT)


def download_csv(page: Any, key: str) -> list[dict[str, str]]:
    """Click a table's CSV download (`bc.export_buttons`, key `csv-<key>`) and read the file."""
    button = page.locator(f".st-key-csv-{key} button")
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    path = info.value.path()
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


# ---------------------------------------------------------------- tests


def test_an_inbox_action_shows_on_the_board_overview(browser: Any, helix: Helix) -> None:
    """A liaison signs from My tasks in one session; the board chair's open overview, in another,
    shows one open step fewer once it refreshes itself, and its drill-down and the Bottlenecks
    page no longer list the step."""
    awaited = helix.query("select step_id, kind, awaited_ids from step where item_id = ? and closed_at is null", ACTED_ITEM)
    assert len(awaited) == 1, f"the demo should leave {ACTED_ITEM} awaiting one signature: {awaited}"
    step_id, kind, awaited_ids = awaited[0]
    assert kind == "sign" and ACTOR_ID in awaited_ids, awaited[0]
    assert helix.query("select person_id from account where username = ?", ACTOR) == [(ACTOR_ID,)]

    board = sign_in(browser, helix, BOARD)
    go(board, "Overview")
    open_steps = metric_value(board, "Open steps")
    before = number(open_steps.inner_text())
    assert before == helix.open_steps(), "the overview should count every open step of the network"
    assert number(metric_value(board, "Overdue steps").inner_text()) <= before

    actor = sign_in(browser, helix, ACTOR)
    go(actor, "My tasks")
    sign = actor.locator(f".st-key-sign-{ACTED_ITEM}-{step_id} button")
    assert sign.inner_text().strip().endswith("Sign version 1"), sign.inner_text()
    click_and_wait(actor, sign)
    success = actor.locator("[data-testid=stAlertContentSuccess]")
    success.wait_for()
    assert "Signature recorded" in success.inner_text()
    assert_no_failure(actor, f"{ACTOR} after signing")
    actor.context.close()

    # The board chair's page is left alone: its fragment reruns every 30 seconds by itself.
    started = time.monotonic()
    expect(open_steps).to_have_text(str(before - 1), timeout=REFRESH_WAIT_MS)
    print(f"the overview showed {before - 1} open steps {time.monotonic() - started:.0f} s after the signature")
    assert helix.open_steps() == before - 1
    assert_no_failure(board, "Overview after the refresh")

    # Behind the figure: the open steps, without the one just signed.
    choose(board, "Figure", "Open steps", fragment=True)  # the drill-down is part of the refreshing fragment
    board.locator(".st-key-steps-ov-steps [data-testid=stDataFrame]").wait_for()
    rows = download_csv(board, "ov-steps")
    assert len(rows) == before - 1
    assert ACTED_ITEM not in {r["item"] for r in rows}

    go(board, "Bottlenecks")
    assert number(metric_value(board, "Open steps shown").inner_text()) == before - 1
    board.locator(".st-key-steps-bn [data-testid=stDataFrame]").wait_for()
    rows = download_csv(board, "bn")
    assert len(rows) == before - 1 and ACTED_ITEM not in {r["item"] for r in rows}
    assert_no_failure(board, "Bottlenecks")
    board.context.close()


def screenshot_account(browser: Any, helix: Helix, username: str, root: Path) -> list[Path]:
    """Sign in as `username` and screenshot every page of its sidebar, checking each for failures."""
    folder = root / username
    for old in folder.glob("*.png"):
        old.unlink()
    page = sign_in(browser, helix, username)
    shots = []
    labels = nav_labels(page)
    assert labels, f"{username} has no pages"
    for label in labels:
        go(page, label)
        wait_drawn(page)
        assert_no_failure(page, f"{username} · {label}")
        shots.append(folder / f"{slug(label)}.png")
        full_screenshot(page, shots[-1])
    page.context.close()
    return shots


def screenshot_accounts(chromium: str, helix: Helix, usernames: list[str], root: Path) -> list[Path]:
    """One thread's share: a browser of its own (playwright's sync API is per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            return [shot for username in usernames for shot in screenshot_account(browser, helix, username, root)]
        finally:
            browser.close()


def test_every_page_of_every_role_renders(chromium: str, helix: Helix, capsys: pytest.CaptureFixture[str]) -> None:
    """Each role's sidebar pages, opened one by one and screenshotted whole; a few browsers at once
    (the server and the browsers share the machine's cores)."""
    root = screenshots_dir()
    shares = [ACCOUNTS[i::SCREENSHOT_BROWSERS] for i in range(SCREENSHOT_BROWSERS)]
    with ThreadPoolExecutor(SCREENSHOT_BROWSERS) as pool:
        futures = [pool.submit(screenshot_accounts, chromium, helix, share, root) for share in shares]
        shots = [shot for f in futures for shot in f.result()]
    assert len({p.parent for p in shots}) == len(ACCOUNTS)
    assert all(p.stat().st_size > 10_000 for p in shots)
    with capsys.disabled():
        print(f"\n{len(shots)} screenshots of {len(ACCOUNTS)} accounts in {root}")
