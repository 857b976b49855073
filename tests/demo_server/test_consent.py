"""Consent to the processing of personal data: kept with its version and time at
registration, refused without it, asked again after a new version, paper consents and
withdrawals kept as history, and the IT staff's list by class and state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api_client.models import (
    ConsentHistory,
    ConsentState,
    ConsentText,
    MyConsent,
    ParentConsents,
    Problem,
    decode,
)
from demo_server import schema as s
from tests.conftest import DEMO_NOW, LoginAs
from tests.demo_server.journal_support import fetch_all
from tests.demo_server.test_accounts import API, post
from tests.demo_server.test_registration import body, issue


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def consent_rows(url: str, login: str) -> list[tuple[Any, ...]]:
    return await fetch_all(
        url,
        select(s.ConsentRecord.action, s.ConsentRecord.way, s.ConsentText.version)
        .join(s.ConsentText, s.ConsentText.id == s.ConsentRecord.text_id)
        .join(s.User, s.User.id == s.ConsentRecord.parent_id)
        .where(s.User.login == login)
        .order_by(s.ConsentRecord.id),
    )


async def users_named(url: str, login: str) -> int:
    rows = await fetch_all(url, select(func.count()).where(s.User.login == login))
    return int(rows[0][0])


async def test_registration_needs_the_current_consent_and_keeps_it(
    http: httpx.AsyncClient, demo: Any, demo_url: str
) -> None:
    code = await issue(demo_url, demo.ids["mover"])
    shown = await http.post(f"{API}/register/consent", json={"code": code})
    assert shown.status_code == 200, shown.text
    text = decode(shown.content, ConsentText)
    assert text.version == 1 and "персональных данных" in text.text and text.school

    refused = await http.post(f"{API}/register", json={**body(code), "consent_version": None})
    assert refused.status_code == 422
    problem = decode(refused.content, Problem)
    assert problem.field == "consent_version" and "consent" in problem.detail
    assert "version 1" in problem.detail
    stale = await http.post(f"{API}/register", json={**body(code), "consent_version": 7})
    assert stale.status_code == 422 and decode(stale.content, Problem).field == "consent_version"
    assert await users_named(demo_url, "new.parent") == 0  # nothing half-written

    russian = await http.post(
        f"{API}/register",
        json={**body(code), "consent_version": None},
        headers={"Accept-Language": "ru"},
    )
    assert "персональных данных" in decode(russian.content, Problem).detail

    done = await http.post(f"{API}/register", json=body(code))
    assert done.status_code == 201, done.text
    assert await consent_rows(demo_url, "new.parent") == [("given", "registration", 1)]
    at = await fetch_all(
        demo_url,
        select(s.ConsentRecord.at, s.ConsentRecord.recorded_by, s.User.id)
        .join(s.User, s.User.id == s.ConsentRecord.parent_id)
        .where(s.User.login == "new.parent"),
    )
    assert at[0][1] == at[0][2]  # recorded by the parent themself
    assert abs(at[0][0] - DEMO_NOW) < dt.timedelta(minutes=5)  # the server's clock


async def test_a_bad_code_gets_no_consent_text(http: httpx.AsyncClient) -> None:
    response = await http.post(f"{API}/register/consent", json={"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 422 and decode(response.content, Problem).field == "code"


async def test_a_new_version_asks_the_parent_again(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    parent = await login_as(http, "parent")
    mine = decode((await http.get(f"{API}/me/consent", headers=parent)).content, MyConsent)
    assert mine.state is ConsentState.GIVEN and mine.version == 1 and not mine.needed

    it = await login_as(http, "it")
    made = await post(http, "/consent/texts", it, {"text": "  Новая редакция согласия.  "})
    assert made.status_code == 201, made.text
    assert decode(made.content, ConsentText).version == 2
    texts = (await http.get(f"{API}/consent/texts", headers=it)).json()["versions"]
    assert [t["version"] for t in texts] == [2, 1] and texts[0][
        "text"
    ] == "Новая редакция согласия."

    mine = decode((await http.get(f"{API}/me/consent", headers=parent)).content, MyConsent)
    assert mine.state is ConsentState.OUTDATED and mine.needed and mine.text.version == 2
    stale = await post(http, "/me/consent", parent, {"version": 1})
    assert stale.status_code == 409 and "version 2" in decode(stale.content, Problem).detail
    accepted = await post(http, "/me/consent", parent, {"version": 2})
    assert accepted.status_code == 200, accepted.text
    assert decode(accepted.content, MyConsent).state is ConsentState.GIVEN
    again = await post(http, "/me/consent", parent, {"version": 2})
    assert again.status_code == 200  # nothing new recorded
    assert await consent_rows(demo_url, "parent") == [("given", "paper", 1), ("given", "app", 2)]

    withdrawn = await post(http, "/me/consent/withdraw", parent, {"note": "переезжаем"})
    assert decode(withdrawn.content, MyConsent).state is ConsentState.WITHDRAWN
    twice = await post(http, "/me/consent/withdraw", parent, {})
    assert twice.status_code == 409
    audited = await fetch_all(
        demo_url, select(s.AuditRecord.entity).where(s.AuditRecord.entity.like("consent%"))
    )
    assert sorted(e for (e,) in audited) == ["consent", "consent", "consent_text"]


async def test_paper_consent_and_withdrawal_are_kept_as_history(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    other = demo.ids["other_parent"]
    path = f"/consent/parents/{other}"
    future = await post(http, path, it, {"action": "given", "signed_on": "2026-12-01"})
    assert future.status_code == 422 and decode(future.content, Problem).field == "signed_on"
    nothing = await post(http, path, it, {"action": "withdrawn", "signed_on": "2026-11-20"})
    assert nothing.status_code == 409 and decode(nothing.content, Problem).field == "action"

    given = await post(http, path, it, {"action": "given", "signed_on": "2026-11-20"})
    assert given.status_code == 201, given.text
    history = decode(given.content, ConsentHistory)
    assert history.parent.state is ConsentState.GIVEN
    assert history.parent.signed_on == dt.date(2026, 11, 20)
    twice = await post(http, path, it, {"action": "given", "signed_on": "2026-11-21"})
    assert twice.status_code == 409

    back = await post(
        http, path, it, {"action": "withdrawn", "signed_on": "2026-11-24", "note": "заявление"}
    )
    assert back.status_code == 201, back.text
    read = await http.get(f"{API}{path}", headers=it)
    history = decode(read.content, ConsentHistory)
    assert history.parent.state is ConsentState.WITHDRAWN
    assert [(e.action.value, e.way.value, e.signed_on) for e in history.events] == [
        ("given", "paper", dt.date(2026, 11, 20)),
        ("withdrawn", "paper", dt.date(2026, 11, 24)),
    ]
    assert history.events[1].note == "заявление" and history.events[1].recorded_by == "Белов Игорь"
    # The first record is still there as it was: history is added to, never overwritten.
    assert await consent_rows(demo_url, "other_parent") == [
        ("given", "paper", 1),
        ("withdrawn", "paper", 1),
    ]
    pupil = await http.get(f"{API}/consent/parents/{demo.ids['pupil']}", headers=it)
    assert pupil.status_code == 404 and decode(pupil.content, Problem).field == "parent_id"


@pytest.mark.readonly
async def test_the_list_by_class_and_state(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")

    async def names(**params: str) -> tuple[list[str], ParentConsents]:
        response = await http.get(f"{API}/consent/parents", params=params, headers=it)
        assert response.status_code == 200, response.text
        page = decode(response.content, ParentConsents)
        return [p.login for p in page.items], page

    everyone, page = await names()
    assert everyone == ["other_parent", "parent"]  # surname order: Морозов, Соколова
    assert (page.given, page.none, page.version) == (1, 1, 1)
    assert (await names(state="none"))[0] == ["other_parent"]
    assert (await names(state="given"))[0] == ["parent"]
    assert (await names(state="withdrawn"))[0] == []
    in_5a, page = await names(**{"class": "5А"})
    assert in_5a == ["parent"] and page.none == 0
    assert (await names(**{"class": "7В", "state": "none"}))[0] == ["other_parent"]
    assert (await names(**{"class": "7В", "state": "given"}))[0] == []
    bad = await http.get(f"{API}/consent/parents", params={"state": "maybe"}, headers=it)
    assert bad.status_code == 400


@pytest.mark.readonly
@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("teacher", 403), ("parent", 403)])
async def test_who_sees_the_list(
    http: httpx.AsyncClient, login_as: LoginAs, who: str, status: int
) -> None:
    response = await http.get(f"{API}/consent/parents", headers=await login_as(http, who))
    assert response.status_code == status


@pytest.mark.readonly
async def test_only_a_parent_has_a_consent_of_their_own(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    response = await http.get(f"{API}/me/consent", headers=await login_as(http, "teacher"))
    assert response.status_code == 403
