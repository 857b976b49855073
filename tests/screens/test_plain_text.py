"""Text that is not the program's own is never parsed as markup where the screens show it.

A server's error detail, a login, a name or a file path can hold ``[b]`` or ``[/]``: parsed as
markup, the first changes what the user reads and the second raises ``MarkupError`` while the
notification is drawn."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

#: Files still to be brought under the rule (each has notifications built from server text).
NOT_YET: frozenset[str] = frozenset()


def notify_calls_with_markup(path: Path) -> list[str]:
    """``notify(...)`` calls whose message is built at run time and is parsed as markup."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "notify"
            and node.args
        ):
            continue
        message = node.args[0]
        if isinstance(message, ast.Constant) and isinstance(message.value, str):
            continue  # the program's own words
        markup = {k.arg: k.value for k in node.keywords}.get("markup")
        if isinstance(markup, ast.Constant) and markup.value is False:
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(message)[:60]}")
    return found


def test_notifications_of_built_text_are_not_markup() -> None:
    paths = sorted((ROOT / "screens").glob("*.py")) + sorted((ROOT / "diary_tui").rglob("*.py"))
    offending = [
        line
        for path in paths
        if str(path.relative_to(ROOT)) not in NOT_YET
        for line in notify_calls_with_markup(path)
    ]
    assert offending == []
