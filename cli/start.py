"""Entry point of the ``sortition`` command: Ctrl-C at any moment ends with one line and exit 130.

Importing the app loads numpy, pandas, rich and the library, which takes a noticeable moment. The first
thing ``import sortition`` does is :mod:`sortition.startup`, which (in the command's own process only) makes
a Ctrl-C during those imports one line and exit 130. Once the app is loaded, :func:`main` hands Ctrl-C back
to the app (KeyboardInterrupt, one line, exit 130), and when the command has ended a late Ctrl-C is ignored
rather than shown as a traceback from the interpreter's exit. (``importlib`` for the app: importing it is
what must be interruptible.)
"""

from __future__ import annotations

import importlib
import sys

from sortition.startup import EXIT_INTERRUPTED, command_ended, end_startup


def main() -> None:
    """Run the ``sortition`` command."""
    try:
        run = importlib.import_module("cli.app").main
    except KeyboardInterrupt:  # when the start-up handler is not installed (e.g. not the main thread)
        sys.stderr.write("Interrupted while starting; nothing was written.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    end_startup()
    try:
        run()
    finally:
        command_ended()
