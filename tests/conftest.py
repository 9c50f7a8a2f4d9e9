"""Shared test fixtures."""

from __future__ import annotations


import os
from pathlib import Path
from typing import Callable

import pytest


@pytest.fixture
def make_unreadable(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make a file unreadable the way the OS would; as root (who reads anything) simulate the
    PermissionError every other user gets."""

    def unreadable(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0)
            return
        import builtins

        real_open = builtins.open

        def deny(file, *a, **k):  # type: ignore[no-untyped-def]
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *a, **k)

        monkeypatch.setattr(builtins, "open", deny)

    return unreadable
