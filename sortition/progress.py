"""Progress is a protocol: the library reports, only the CLI renders (with rich)."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    """Receives progress from long operations. Every method may be called often; keep them cheap."""

    def start(self, task: str, total: float | None = None) -> None: ...

    def update(self, advance: float = 0.0, *, completed: float | None = None, message: str = "") -> None: ...

    def finish(self, message: str = "") -> None: ...


class NullProgress:
    """The default reporter: ignores everything."""

    def start(self, task: str, total: float | None = None) -> None:
        pass

    def update(self, advance: float = 0.0, *, completed: float | None = None, message: str = "") -> None:
        pass

    def finish(self, message: str = "") -> None:
        pass


NULL_PROGRESS: ProgressReporter = NullProgress()
