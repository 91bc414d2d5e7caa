"""Entry point of the ``sortition`` command: Ctrl-C while the tool still starts up ends with one line.

Importing the app loads numpy, pandas, rich and the library, which takes a noticeable moment; a Ctrl-C then
would print a traceback of the import machinery. So this module imports nothing of the project at its top,
and loads the app inside :func:`main`, where the interrupt is caught. (``importlib`` rather than an import
statement: the import itself is what must be interruptible, not a rule that lives in the wrong layer.)
"""

from __future__ import annotations

import importlib
import sys

#: The exit code of an interrupted command (128 + SIGINT), as in ``cli.output.EXIT_INTERRUPTED``.
EXIT_INTERRUPTED = 130


def main() -> None:
    """Run the ``sortition`` command."""
    try:
        run = importlib.import_module("cli.app").main
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted while starting; nothing was written.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run()
