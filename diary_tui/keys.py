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
from typing import Final

from textual.binding import ActiveBinding
from textual.keys import _character_to_key

from api_client.i18n import _

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
