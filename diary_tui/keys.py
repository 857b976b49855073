"""Keys in every layout and bindings in the interface's language.

**ЙЦУКЕН.** A user with the Russian layout on presses the key where ``g`` is and the terminal
sends ``п``. Every single-key binding of the app works from either layout: when no binding
takes a key of the Russian layout, the app tries the key in the same place on the Latin
layout (:data:`LATIN_TWIN`: ``п`` is ``g``, ``П`` is ``G``, ``х`` is ``[``). It is done where
Textual looks a key up (``DiaryApp._check_bindings``), after the user's keymap is applied and
after the focused widget took what it types (an input keeps its ``п``), so it covers every
screen, dialog and binding added at run time, and a binding remapped by id (``week.next =
"n"``) answers ``т`` too.

**Descriptions.** A binding's description is written in English, marked ``N_()``, and
translated when it is shown (:func:`localized`): the footer and F1 help follow the language
switched in Settings without a restart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from textual.binding import ActiveBinding, Binding
from textual.keys import _character_to_key

from api_client.i18n import _

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen

_LATIN: Final = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_RUSSIAN: Final = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"

LATIN_TWIN: Final[Mapping[str, str]] = {
    _character_to_key(ru): _character_to_key(en) for ru, en in zip(_RUSSIAN, _LATIN, strict=True)
}
"""Textual's name of a key of the Russian layout (a Cyrillic letter names itself: ``п``) to
the name of the key in the same place on the Latin one (``g``; ``х`` to
``left_square_bracket``)."""

RUSSIAN_TWIN: Final[Mapping[str, str]] = {latin: ru for ru, latin in LATIN_TWIN.items()}
"""The other way: ``g`` to ``п``, for F1 help."""


def latin_twin(key: str) -> str | None:
    """The key in the same place on the Latin layout, for a key of the Russian one."""
    return LATIN_TWIN.get(key)


def localized(bindings: Mapping[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """``bindings`` with their descriptions and tooltips in the language in force."""
    out: dict[str, ActiveBinding] = {}
    for key, active in bindings.items():
        binding = active.binding
        if binding.description or binding.tooltip:
            binding = dataclasses.replace(
                binding,
                description=_(binding.description) if binding.description else "",
                tooltip=_(binding.tooltip) if binding.tooltip else "",
            )
        tooltip = _(active.tooltip) if active.tooltip else active.tooltip
        out[key] = ActiveBinding(active.node, binding, active.enabled, tooltip)
    return out


def key_label(display: str, key: str) -> str:
    """A key as a person reads it in the language in force: ``display`` (Textual's name of
    ``key``: ``A``) and, in Russian, the key in the same place on the Russian layout too
    (``A (Ф)``), which is what a Russian keyboard shows and sends."""
    from api_client import i18n

    twin = RUSSIAN_TWIN.get(key)
    if twin is not None and i18n.language() == "ru":
        return f"{display} ({twin})"
    return display


def key_of(screen: Screen[Any], binding_id: str, *, every: bool = False) -> str:
    """The key of the binding ``binding_id`` on ``screen`` (or a widget on it) as a person
    reads it in the language in force (:func:`key_label`: ``A (Ф)`` in Russian): the key in
    force after the user's keymap, so a hint or a help text that names it follows a rebinding
    and the Russian layout. ``every``: all the keys bound to it ("y or Enter"), else the
    first. A screen's words name keys only through here, never as a letter written in."""
    app = screen.app
    bindings: list[Binding] = [
        active.binding for active in app.active_bindings.values() if active.node is not None
    ]
    nodes: list[DOMNode] = [screen, *screen.query("*")]
    for node in nodes:
        # A node's own map is as declared: the keymap is applied only to the chain of the
        # bindings in force, which leaves out an action not possible now (``check_action``).
        for each in node._bindings.key_to_bindings.values():
            for binding in each:
                bindings.extend(_keymapped(app, binding))
    if not any(binding.id == binding_id for binding in bindings):
        # Not mounted yet (a widget the screen adds once its data is in): the binding as
        # its class declares it, with the user's keymap applied.
        bindings = _declared(app, binding_id)
    shown: list[str] = []
    for binding in bindings:
        if binding.id != binding_id:
            continue
        label = key_label(app.get_key_display(binding), binding.key)
        if label not in shown:
            shown.append(label)
        if not every:
            break
    return _(" or ").join(shown)


def _declared(app: Any, binding_id: str) -> list[Binding]:
    """The binding ``binding_id`` as a widget or screen class declares it in ``BINDINGS``,
    with its key taken from the app's keymap where the user rebound it."""
    from textual.dom import DOMNode

    classes: list[type[DOMNode]] = [DOMNode]
    while classes:
        cls = classes.pop()
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id == binding_id:
                return _keymapped(app, binding)
        classes.extend(cls.__subclasses__())
    return []


def _keymapped(app: Any, binding: Binding) -> list[Binding]:
    """``binding`` once for each of its keys, the keys from the app's keymap where the user
    rebound it."""
    keys = getattr(app, "_keymap", {}).get(binding.id) if binding.id else None
    return [
        dataclasses.replace(binding, key=key.strip()) for key in (keys or binding.key).split(",")
    ]


class _Key:
    """``{journal.discard}`` in a text given to :func:`with_keys`: the key of that binding
    (``{confirm.yes:all}``: every key bound to it)."""

    def __init__(self, screen: Screen[Any], binding_id: str) -> None:
        self.screen = screen
        self.binding_id = binding_id

    def __getattr__(self, name: str) -> _Key:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Key(self.screen, f"{self.binding_id}.{name}")

    def __format__(self, spec: str) -> str:
        return key_of(self.screen, self.binding_id, every=spec == "all")


class _Keys(dict[str, object]):
    def __init__(self, screen: Screen[Any], values: dict[str, object]) -> None:
        super().__init__(values)
        self.screen = screen

    def __missing__(self, name: str) -> _Key:
        return _Key(self.screen, name)


def with_keys(screen: Screen[Any], text: str, **values: object) -> str:
    """``text`` (translated) with each ``{binding.id}`` in it replaced by the key of that
    binding on ``screen`` (:func:`key_of`) and the other fields by ``values``: a hint or a
    help text names its keys by the bindings' ids ("{setup.new} makes one"), never as
    letters, so a rebinding and the Russian layout show."""
    return text.format_map(_Keys(screen, values))
