"""Invite codes one at a time, and slips that reset passwords only when asked and confirmed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import (
    CredentialSlips,
    InviteCodeIssued,
    Problem,
    Registration,
    SlipPlan,
    decode,
)
from demo_server import schema as s
from tests.conftest import LoginAs
from tests.demo_server.journal_support import fetch_all
from tests.demo_server.test_accounts import API, log_in, post


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def password_hashes(demo_url: str) -> dict[str, str]:
    rows = await fetch_all(demo_url, select(s.User.login, s.User.password_hash))
    return dict(rows)


async def test_an_invite_code_registers_a_parent_linked_to_exactly_that_child(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    before = await password_hashes(demo_url)
    it = await login_as(http, "it")
    response = await post(http, f"/pupils/{demo.ids['mover']}/invite-code", it)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    issued = decode(response.content, InviteCodeIssued)
    assert issued.pupil.id == demo.ids["mover"] and issued.pupil.class_ is not None
    assert await password_hashes(demo_url) == before  # no password touched
    registered = await http.post(
        f"{API}/register",
        json={
            "code": issued.code,
            "first_name": "Вера",
            "last_name": "Новикова",
            "login": "vera.novikova",
            "password": "Tulips-and-7-bees",
            "consent_version": 1,
        },
    )
    assert registered.status_code == 201, registered.text
    assert [c.id for c in decode(registered.content, Registration).children] == [demo.ids["mover"]]
    links = await fetch_all(
        demo_url,
        select(s.ParentLink.pupil_id)
        .join(s.User, s.User.id == s.ParentLink.parent_id)
        .where(s.User.login == "vera.novikova"),
    )
    assert links == [(demo.ids["mover"],)]
    # Issuing it was audited under the pupil, without the code.
    audit = await fetch_all(
        demo_url,
        select(s.AuditRecord.pupil_id, s.AuditRecord.after).where(
            s.AuditRecord.entity == "invite_code"
        ),
    )
    assert len(audit) == 1 and audit[0][0] == demo.ids["mover"]
    assert issued.code not in str(audit[0][1])


@pytest.mark.parametrize(
    ("viewer", "pupil", "expected"),
    [
        ("classteacher", "pupil", 201),  # leads 5А
        ("teacher", "pupil", 404),  # teaches 5А, does not lead it
        ("parent", "pupil", 403),
        ("it", "teacher", 404),  # not a pupil
    ],
)
async def test_who_issues_an_invite_code(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str, pupil: str, expected: int
) -> None:
    response = await post(
        http, f"/pupils/{demo.ids[pupil]}/invite-code", await login_as(http, viewer)
    )
    assert response.status_code == expected, response.text


async def test_slips_without_the_reset_option_change_no_password(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    before = await password_hashes(demo_url)
    it = await login_as(http, "it")
    response = await post(http, f"/classes/{demo.ids['c5a']}/slips", it)
    assert response.status_code == 200, response.text
    slips = decode(response.content, CredentialSlips)
    assert (slips.pupils, slips.parents, slips.invite_codes) == (0, 0, 2)
    text = slips.content.decode()
    assert "Соколов Миша" in text and "Новиков Дима" in text  # each code names the child
    assert await password_hashes(demo_url) == before
    assert (await log_in(http, "parent", demo.password)).status_code == 200


async def test_a_reset_needs_the_confirmation_that_names_the_count(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    before = await password_hashes(demo_url)
    it = await login_as(http, "it")
    plan = decode(
        (await http.get(f"{API}/classes/{demo.ids['c5a']}/slips/plan", headers=it)).content,
        SlipPlan,
    )
    assert (plan.class_name, plan.pupils, plan.parents, plan.accounts) == ("5А", 2, 1, 3)
    for query in ("reset_passwords=true", "reset_passwords=true&confirm=2"):
        refused = await post(http, f"/classes/{demo.ids['c5a']}/slips?{query}", it)
        assert refused.status_code == 422, refused.text
        problem = decode(refused.content, Problem)
        assert problem.field == "confirm"
        assert "resets the passwords of 3 accounts of 5А (2 pupils and 1 parent)" in (
            problem.detail
        )
    stray = await post(http, f"/classes/{demo.ids['c5a']}/slips?confirm=3", it)
    assert decode(stray.content, Problem).field == "confirm"
    assert await password_hashes(demo_url) == before  # nothing reset by a refusal
    done = await post(http, f"/classes/{demo.ids['c5a']}/slips?reset_passwords=true&confirm=3", it)
    assert done.status_code == 200, done.text
    slips = decode(done.content, CredentialSlips)
    assert (slips.pupils, slips.parents) == (2, 1)
    after = await password_hashes(demo_url)
    assert sum(after[login] != before[login] for login in before) == 3
    # The parent's password slip names the child it was handed out for.
    text = slips.content.decode()
    parent_slip = next(
        part for part in text.split("\n-- ") if "(родитель)" in part and "Логин" in part
    )
    assert "Соколова Ирина" in parent_slip  # the parent
    assert "Для родителя ученика: Соколов Миша" in parent_slip  # and the child
