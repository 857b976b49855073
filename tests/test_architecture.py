"""The layering of ARCHITECTURE.md: the import contracts in pyproject.toml
(``[tool.importlinter]``: screens -> diary_tui -> api_client, demo_server -> the contract's
shared rules, no Textual below diary_tui, only ``diary demo`` starts the server in-process),
run here and in .ci/run; and what import contracts cannot say: a screen takes shared parts
only from the screen kit, ``diary --help`` stays light, no worker takes the app down.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


def test_the_import_contracts_hold() -> None:
    """``lint-imports`` checks every import, direct or indirect, against the contracts."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


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
