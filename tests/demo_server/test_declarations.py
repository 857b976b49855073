"""The routes declare their parameters and bodies explicitly (FromPath, QueryParameter,
JSONBody...): building the app raises no deprecation warning from Litestar."""

from __future__ import annotations

import warnings

from demo_server.app import create_app
from demo_server.db import make_engine


async def test_building_the_app_warns_of_nothing_deprecated() -> None:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            create_app(engine=engine)
    finally:
        await engine.dispose()
    deprecated = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecated == []
