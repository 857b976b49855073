"""The layering of DESIGN.md, kept by a test: imports point one way.

screens -> diary_tui -> api_client, and demo_server -> api_client.models. api_client and
demo_server never import Textual; nothing imports screens but the app.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api_client", "demo_server", "diary_tui", "screens")


def imports_of(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at any depth in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", ["api_client", "demo_server"])
def test_no_textual_outside_the_app(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imports_of(path) if top(n) == "textual")
        for path in modules(package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_api_client_imports_no_other_package() -> None:
    for path in modules("api_client"):
        names = {top(n) for n in imports_of(path)}
        assert not names & {"diary_tui", "screens", "demo_server"}, path


def test_demo_server_uses_only_the_contract_of_api_client() -> None:
    for path in modules("demo_server"):
        for name in imports_of(path):
            assert top(name) not in {"diary_tui", "screens"}, path
            if top(name) == "api_client":
                assert name.startswith(
                    ("api_client.models", "api_client.grading", "api_client.passwords")
                ), (path, name)


def test_diary_tui_does_not_import_screens_except_the_app() -> None:
    allowed = {"app.py", "commands.py", "help.py"}
    for path in modules("diary_tui"):
        if path.name in allowed:
            continue
        names = {top(n) for n in imports_of(path)}
        assert "screens" not in names, path
        assert "demo_server" not in names or path.name in {"demo.py"}, path


def test_screens_never_see_http() -> None:
    for path in modules("screens"):
        names = {top(n) for n in imports_of(path)}
        assert not names & {"httpx", "demo_server"}, path


def screen_imports(path: Path) -> set[str]:
    """The modules of ``screens`` that ``path`` imports."""
    return {
        ".".join(name.split(".")[:-1]) if name.count(".") > 1 else name
        for name in imports_of(path)
        if top(name) == "screens"
    }


def test_screens_import_only_the_screen_kit() -> None:
    """A screen takes shared helpers from ``diary_tui`` (``diary_tui.ui``) and shared screen
    parts from ``screens.base`` and ``screens.dialogs``, never from another screen; only the
    modules of one screen (``journal_grid`` beside ``journal``) import each other."""
    kit = ("screens.base", "screens.dialogs")
    opens = {"screens/login.py": {"screens.register"}}  # F2 opens the registration form
    offenders: list[str] = []
    for path in modules("screens"):
        if path.parent.name == "dialogs" or path.name == "base.py":
            family = "screens.base"
        else:
            family = f"screens.{path.stem.split('_')[0]}"
        for name in sorted(screen_imports(path)):
            module = name if name.count(".") == 1 else ".".join(name.split(".")[:2])
            if module.startswith(kit) or module == family or module.startswith(family + "_"):
                continue
            if module in opens.get(str(path.relative_to(ROOT)), set()):
                continue
            offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_command_line_starts_without_heavy_imports() -> None:
    """``diary --help`` must not pay for Textual, httpx or the server."""
    code = (
        "import sys\n"
        "from diary_tui import cli\n"
        "heavy = [m for m in ('textual', 'httpx', 'litestar', 'sqlalchemy', 'keyring') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


def test_a_failing_worker_never_takes_the_app_down() -> None:
    """Every ``@work`` of a screen says ``exit_on_error=False``: a refusal or a lost
    connection is shown on the screen (``DiaryScreen.worker_failed``), never a crash."""
    crashing: list[str] = []
    for path in modules("screens") + modules("diary_tui"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                name = call.func if call is not None else decorator
                if not (isinstance(name, ast.Name) and name.id == "work"):
                    continue
                keywords = {k.arg: k.value for k in call.keywords} if call is not None else {}
                value = keywords.get("exit_on_error")
                if not (isinstance(value, ast.Constant) and value.value is False):
                    crashing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert crashing == []
