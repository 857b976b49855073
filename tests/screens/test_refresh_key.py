"""One key refreshes every screen: F5, named "Refresh" in the footer and in F1 help alike
(Bells and My class had r, "Reload" elsewhere, while the lists had F5)."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.screen import Screen

import screens

#: The journal's key also sends what waits at once: its own key and words, on purpose.
OWN_RELOAD = {"journal.reload"}


def screen_classes() -> list[type[Screen[object]]]:
    found: list[type[Screen[object]]] = []
    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, Screen)
                and value.__module__ == module.name
            ):
                found.append(value)
    return found


def test_every_screen_refreshes_with_f5_named_refresh() -> None:
    seen = []
    for cls in screen_classes():
        for binding in cls.BINDINGS:
            if not isinstance(binding, Binding) or binding.action != "reload":
                continue
            if binding.id in OWN_RELOAD:
                continue
            seen.append(binding.id)
            assert (binding.key, binding.description) == ("f5", "Refresh"), (cls, binding)
    assert {"bells.reload", "homeroom.reload", "messages.reload", "week.reload"} <= set(seen)
