"""The command palette's list of screens and session commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    name: str
    help: str
    run: Callable[[], object]


class HasCommands(Protocol):
    def palette_commands(self) -> list[PaletteCommand]: ...


class ScreensProvider(Provider):
    """Every screen the user can go to now, plus log out; cheap to discover."""

    def _commands(self) -> list[PaletteCommand]:
        return cast(HasCommands, self.app).palette_commands()

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
