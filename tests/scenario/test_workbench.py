"""Officers answer a death-at-home verification in the workbench, in headless Chromium.

The shared stack's workbench (part of ``onething up``) lists the case for the police once the
case waits on them. One officer claims and confirms it in the browser; another police officer
cannot answer the item the first holds; a tax officer gets 403; sending the same answer again
changes nothing; and the case completes with the officer named in its history. Each page is
saved as a screenshot under ``docs/`` for the README.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from temporalio.client import Client
from temporalio.service import RPCError

from events.samples import sample_event
from onething.cases import CaseNotFoundError, case_view
from onething.constants import TOPIC_DEATHS, case_id
from onething.crypto.tokens import department_token
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.browser import chromium
from tests.helpers.kafka import produce_event
from workbench.board import TemporalBoard
from workflows.models import CaseView, VerificationAnswerRequest

pytestmark = pytest.mark.scenario

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: The worklist reads Temporal's visibility, which trails a case's own state by a moment.
LIST_TIMEOUT_MS = 90_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


async def until(
    client: Client, case: str, ready: Callable[[CaseView], bool], timeout_s: float = 120
) -> CaseView:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            view = await case_view(client, case)
        except (CaseNotFoundError, RPCError):  # the bridge has not started it yet
            view = None
        if view is not None and ready(view):
            return view
        await asyncio.sleep(0.5)
    raise AssertionError(f"{case} did not get there in {timeout_s:g} s")


async def signed_in(browser: Browser, base: str, officer: str, department: str) -> Page:
    """A browser of its own, signed in as ``officer`` of ``department``, in English."""
    context: BrowserContext = await browser.new_context(
        base_url=base, viewport={"width": 1100, "height": 700}
    )
    page = await context.new_page()
    await page.goto("/login?lang=en")
    await page.get_by_label("Officer ID").fill(officer)
    await page.get_by_label("Department").select_option(department)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/ops" if department == "ops" else f"**/dept/{department}")
    return page


async def shot(page: Page, name: str) -> None:
    DOCS.mkdir(exist_ok=True)
    await page.screenshot(path=str(DOCS / name), full_page=True)


async def test_a_police_officer_answers_a_death_at_home_in_the_browser(
    stack: Any, browser: Browser
) -> None:
    client = await connect_temporal(stack.settings)
    event = sample_event("death", 2020, place="home")
    case = case_id("death", event["subject"])
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await until(client, case, lambda view: bool(view.waits))
    base = stack.settings.web_url

    wang = await signed_in(browser, base, "wang-0571", "police")
    row = wang.locator(f'tr[data-case="{case}"]')
    # The page refreshes its list every ten seconds: the case appears without a reload.
    await row.wait_for(timeout=LIST_TIMEOUT_MS)
    await shot(wang, "workbench-dept.png")
    # On a phone (360 px wide) the list scrolls inside its table; the page itself does not.
    await wang.set_viewport_size({"width": 360, "height": 740})
    assert await wang.evaluate("document.documentElement.scrollWidth") <= 360
    await shot(wang, "workbench-dept-phone.png")
    await wang.set_viewport_size({"width": 1100, "height": 700})
    await row.get_by_role("link", name="Open").click()
    await wang.get_by_role("button", name="Claim").click()
    await wang.locator("#answer-form").wait_for()
    assert await wang.locator("#holder").inner_text() == "wang-0571"
    for fact in ("deceased", "died_at", "place"):
        assert await wang.locator("#facts").get_by_role("cell", name=fact, exact=True).count() == 1
    assert await wang.locator("#facts").get_by_role("cell", name="informant").count() == 0
    deceased = event["data"]["deceased"]
    assert deceased["name"] in await wang.locator("#subject").inner_text()
    assert event["data"]["informant"]["name"] not in await wang.content()
    await shot(wang, "workbench-item.png")
    item_url = wang.url.split("?")[0]

    li = await signed_in(browser, base, "li-0572", "police")
    await li.goto(item_url)
    assert "wang-0571 holds this verification" in await li.content()
    assert await li.locator("#answer-form").count() == 0
    await shot(li, "workbench-claimed.png")
    li_token = await li.locator('input[name="csrf"]').first.get_attribute("value")
    taken = await li.request.post(
        item_url + "/answer",
        form={"verdict": "refused", "reason": "not mine to answer", "csrf": li_token or ""},
        max_redirects=0,
    )
    assert taken.status == 409

    zhao = await signed_in(browser, base, "zhao-0573", "tax")
    refused = await zhao.goto("/dept/police")
    assert refused is not None
    assert refused.status == 403
    assert "may not see or act on the work of Police" in await zhao.content()
    assert case not in await zhao.content()
    await shot(zhao, "workbench-403.png")

    token = await wang.locator('input[name="csrf"]').first.get_attribute("value")
    await wang.get_by_label("Confirm").check()
    await wang.get_by_label("Reason").fill("visited the home with the community doctor")
    await wang.get_by_role("button", name="Submit").click()
    await wang.wait_for_url("**/dept/police")
    assert "was accepted" in await wang.locator(".notice").inner_text()
    await shot(wang, "workbench-answered.png")

    again = await wang.request.post(
        item_url + "/answer",
        form={"verdict": "confirmed", "reason": "again", "csrf": token or ""},
        max_redirects=0,
    )
    assert again.status == 409
    assert "nothing changed" in await again.text()
    # Past the page's own check, the case itself refuses a second answer, open or closed.
    board = TemporalBoard(client)
    repeat = VerificationAnswerRequest(
        step="death_verification", answer="refused", operator="police:li-0572", reason="again"
    )
    assert (await board.answer(case, repeat)).result == "moved_on"

    view = await wait_for_case(client, case, timeout_s=120)
    assert (await board.answer(case, repeat)).result == "moved_on"
    assert view.status == "completed"
    answers = [a for a in view.actions if a.action.startswith("answer_verification")]
    assert [(a.operator, a.action) for a in answers] == [
        ("police:wang-0571", "answer_verification:confirmed")
    ]
    assert "death_medical_certificate" in {d.kind for d in view.documents}
    # The police logged each time an officer read what to check.
    async with httpx.AsyncClient(timeout=30) as http:
        logged = await http.post(
            stack.settings.department_url("police") + "/access-log/query",
            json={"id_number": deceased["id_number"]},
            headers={"Authorization": f"Bearer {department_token(stack.settings, 'police')}"},
        )
    purposes = {
        read["purpose"]
        for read in logged.json()["reads"]
        if read["fact"] == "verification:death_outside_hospital"
    }
    assert purposes == {
        "death_outside_hospital verification by officer wang-0571",
        "death_outside_hospital verification by officer li-0572",
    }


async def test_an_operator_finds_a_waiting_case_and_cancels_it_in_the_browser(
    stack: Any, browser: Browser
) -> None:
    client = await connect_temporal(stack.settings)
    event = sample_event("death", 2021, place="home")
    case = case_id("death", event["subject"])
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await until(client, case, lambda view: bool(view.waits))

    operator = await signed_in(browser, stack.settings.web_url, "op-0579", "ops")
    await operator.goto("/ops?status=waiting-department&bundle=death")
    row = operator.locator(f'tr[data-case="{case}"]')
    await row.wait_for(timeout=LIST_TIMEOUT_MS)
    waiting = await operator.locator('strong[data-status="waiting-department"]').inner_text()
    assert int(waiting) >= 1
    await shot(operator, "workbench-ops.png")
    await row.get_by_role("link", name=case).click()
    assert await operator.locator("#status").inner_text() == "waiting-department"
    await operator.get_by_label("Reason").fill("the family withdrew the application")
    await operator.get_by_role("button", name="Cancel the case").click()
    await operator.wait_for_url(f"**/ops/cases/{case}")
    assert "Action accepted" in await operator.locator(".notice").inner_text()

    view = await wait_for_case(client, case, timeout_s=120)
    assert view.status == "cancelled"
    assert [(a.operator, a.action, a.reason) for a in view.actions] == [
        ("ops:op-0579", "cancel", "the family withdrew the application")
    ]
    await operator.reload()
    assert await operator.locator("#cancel-form").count() == 0
    await shot(operator, "workbench-ops-case.png")
