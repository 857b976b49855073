"""The key footer of every screen, made to fit its width.

Textual's ``Footer`` lays the shown bindings out in one row, in order, and scrolls what does
not fit out of sight: at 80 columns a screen with seven or eight keys (the week after signing,
the grades) lost its last keys, the quit key among them. ``KeyFooter`` measures the keys
against the width it has: it first draws them compact (less space around each key), then
leaves out keys from the right until the rest fit. The keys that get a user out (quit, close,
back, cancel) and F1 (whose help lists every key of the screen, left out ones included) are
never left out.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from api_client.i18n import _
from diary_tui.keys import localized

#: Actions whose key is always shown: the way out, and the help that lists every key.
KEPT_ACTIONS = ("quit", "close", "cancel", "back", "dismiss", "help")

PALETTE_WIDTH = 13
"""The command palette's key on the right (``▏^p palette`` and its padding)."""


def quits(binding: Binding) -> bool:
    return binding.action in ("quit", "app.quit")


def helps(binding: Binding) -> bool:
    return binding.action in ("help", "app.help")


def kept(binding: Binding) -> bool:
    """Whether ``binding`` is one the footer never leaves out."""
    action = binding.action.rsplit(".", 1)[-1].split("(", 1)[0]
    return action in KEPT_ACTIONS or action.startswith("quit")


def key_width(key_display: str, description: str, *, compact: bool) -> int:
    """The cells a key takes in the footer (``FooterKey``'s padding and margin included)."""
    if not description:
        return len(key_display) + (1 if compact else 0)
    return len(key_display) + len(description) + (2 if compact else 3)


def fitting(
    entries: list[tuple[Binding, str, bool]], width: int
) -> tuple[list[tuple[Binding, str, bool]], bool]:
    """The entries (binding, key display, enabled) that fit in ``width`` cells, and whether
    they are drawn compact. Kept bindings stay; the others go from the right, disabled first."""

    def total(chosen: list[tuple[Binding, str, bool]], compact: bool) -> int:
        widths = [key_width(k, b.description, compact=compact) for b, k, _ in chosen]
        # The last key's margin may fall under the command palette's border.
        return sum(widths) - (1 if compact and widths else 0)

    if total(entries, False) <= width:
        return entries, False
    chosen = list(entries)
    for disabled_only in (True, False):
        for entry in reversed(list(chosen)):
            if total(chosen, True) <= width:
                return chosen, True
            binding, _key, enabled = entry
            if kept(binding) or (disabled_only and enabled):
                continue
            chosen.remove(entry)
    return chosen, True


def declared(node: object) -> list[tuple[str | None, str]]:
    """The ids and actions of the bindings ``node``'s classes declare, base classes first."""
    found: list[tuple[str | None, str]] = []
    for cls in reversed(type(node).__mro__):
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                found.append((binding.id, binding.action))
    return found


def in_declared_order(active: list[ActiveBinding]) -> list[ActiveBinding]:
    """``active`` with each node's bindings in the order its class declares them, in the
    places they hold. A key a screen binds that the app or a base class binds too (``k``, My
    class, is the accounts' Link) keeps that first binding's place in Textual's map, ahead of
    the screen's own first key; here it goes back among the screen's keys, so that the keys
    left out at a narrow width are the screen's last, not its first."""
    by_node: dict[int, list[ActiveBinding]] = {}
    for entry in active:
        by_node.setdefault(id(entry.node), []).append(entry)
    for entries in by_node.values():
        order = declared(entries[0].node)

        def rank(entry: ActiveBinding, order: list[tuple[str | None, str]] = order) -> int:
            made = (entry.binding.id, entry.binding.action)
            return max((i for i, d in enumerate(order) if d == made), default=len(order))

        entries.sort(key=rank)
    turns = {node_id: iter(entries) for node_id, entries in by_node.items()}
    return [next(turns[id(entry.node)]) for entry in active]


class KeyFooter(Footer):
    """A ``Footer`` that fits its width and always shows the way out (see the module)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._fitted_width = 0

    def _width(self) -> int:
        width = self.size.width or self.screen.size.width or self.app.size.width
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            width -= PALETTE_WIDTH
        return width

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        # Every screen's keys in the language in force, a dialog's too (a DiaryScreen's are
        # already; translating a translated word again leaves it as it is).
        active = localized(self.screen.active_bindings)
        entries: list[tuple[Binding, str, bool]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in in_declared_order(list(active.values())):
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append((binding, self.app.get_key_display(binding), enabled))
        if not any(quits(binding) for binding, _key, _enabled in entries):
            # A screen that keeps q for typing (a form, the journal's grid) quits with the
            # app's ctrl+q: the footer shows that one.
            for _node, binding, enabled, _tooltip in active.values():
                if quits(binding):
                    shown = Binding(binding.key, binding.action, _("Quit"), id=binding.id)
                    entries.append((shown, self.app.get_key_display(binding), enabled))
                    break
        if hasattr(self.screen, "show_help") and not any(
            helps(binding) for binding, _key, _enabled in entries
        ):
            # A screen that does not show its F1 (the journal, My class, the staff's screens)
            # has it from the app: the footer shows that one first, as the others do.
            for _node, binding, enabled, _tooltip in active.values():
                if helps(binding):
                    shown = Binding(binding.key, binding.action, _("Help"), id=binding.id)
                    entries.insert(0, (shown, self.app.get_key_display(binding), enabled))
                    break
        self._fitted_width = self._width()
        chosen, compact = fitting(entries, self._fitted_width)
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        for binding, key_display, enabled in chosen:
            yield FooterKey(
                binding.key,
                key_display,
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=binding.tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, _tip = active[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def on_resize(self) -> None:
        if self._bindings_ready and self._width() != self._fitted_width:
            self.call_after_refresh(self.recompose)
