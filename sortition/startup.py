"""Ctrl-C while the ``sortition`` command starts up ends with one line and exit 130, never a traceback.

Loading the command (numpy, pandas, rich, the library) takes a noticeable moment; an interrupt then would
print a traceback of the import machinery. So the first import of ``sortition/__init__.py`` is this module,
which calls :func:`guard_startup` on import: only when this process is the ``sortition`` command (the console script or
``python -m sortition``), installs a SIGINT handler that writes one line and exits 130 at once (nothing has
been written yet). The command's entry point (``cli/start.py``) calls :func:`end_startup` once the app is
loaded, so the app's own handling takes over; a library user's process is left alone. Standard library only,
imported before anything heavy.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

#: 128 + SIGINT: what shells report for an interrupted command (``cli.output.EXIT_INTERRUPTED``).
EXIT_INTERRUPTED = 130
#: The one line of an interrupt during start-up.
MESSAGE = b"Interrupted while starting; nothing was written.\n"


def started_as_command() -> bool:
    """Whether this process is the ``sortition`` command: its console script, or ``python -m sortition``."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", None) == "sortition.__main__":
        return True
    script = os.path.basename(str(getattr(main, "__file__", "") or ""))
    if script == "sortition" or script.startswith("sortition-script.py"):
        return True
    argv = list(getattr(sys, "orig_argv", ()))  # while -m imports the package, __main__ is still bare
    return any((a == "-m" and argv[i + 1:i + 2] == ["sortition"]) or a == "-msortition" for i, a in enumerate(argv))


def _interrupted(signum: int, frame: FrameType | None) -> None:
    os.write(2, MESSAGE)
    os._exit(EXIT_INTERRUPTED)  # nothing to flush or clean up: the command has not started


def guard_startup() -> bool:
    """Install the start-up SIGINT handler when this process is the ``sortition`` command; whether it did."""
    if not started_as_command() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return False  # a library user's process, or a handler someone else chose (or SIGINT ignored)
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # not the main thread
        return False
    return True


def end_startup() -> None:
    """The app is loaded: from here Ctrl-C is a KeyboardInterrupt, which the app turns into its one line."""
    if signal.getsignal(signal.SIGINT) is _interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def command_ended() -> None:
    """The command has ended (its exit code is set): a Ctrl-C during the interpreter's shutdown is ignored
    rather than printed as a traceback from the exit machinery."""
    if started_as_command():  # never in a library user's (or a test's) process
        with contextlib.suppress(ValueError):  # not the main thread: nothing to do
            signal.signal(signal.SIGINT, signal.SIG_IGN)


#: Whether importing this module (the first thing ``import sortition`` does) installed the start-up handler.
GUARDED = guard_startup()

__all__ = ["EXIT_INTERRUPTED", "GUARDED", "command_ended", "end_startup", "guard_startup", "started_as_command"]
