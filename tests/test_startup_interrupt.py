"""Ctrl-C while the ``sortition`` command starts up: one line and exit 130, never a traceback (issue 16).

A real process gets a real SIGINT. The clock starts when the child has run the start-up guard
(``sortition.startup``, the first thing ``import sortition`` does): the child runs with ``-X importtime``,
which reports each import on stderr as it completes, so the test knows the moment without guessing from the
machine's speed. From there the interrupt lands, after 0 to 0.2 s, while numpy, pandas, rich and the app
load (or after the command has finished, on a fast machine: then exit 0). Before that moment only the
interpreter's own start-up (its ``site`` import) and the loading of the first project file run, which no
project code can guard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sortition.startup

SCRIPT = Path(sys.executable).parent / "sortition"
DELAYS = (0.0, 0.02, 0.05, 0.1, 0.2)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process (POSIX)")


def _interrupt(entry: list[str], delay: float) -> tuple[int, str]:
    """Start ``entry --version``, wait until the start-up guard is in place, wait ``delay``, send SIGINT;
    the exit code and stderr without the import-time lines."""
    proc = subprocess.Popen([sys.executable, "-X", "importtime", *entry, "--version"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:  # import-time lines, as each import completes
        lines.append(line)
        if line.startswith("import time:") and line.split("|")[-1].strip() == "sortition.startup":
            break
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = [line for line in [*lines, *rest.splitlines(keepends=True)] if not line.startswith("import time:")]
    return proc.returncode, "".join(err)


@pytest.mark.parametrize("entry", [pytest.param([str(SCRIPT)], id="console-script"),
                                   pytest.param(["-m", "sortition"], id="python-m")])
def test_ctrl_c_during_start_up_is_one_line_and_exit_130(entry: list[str]) -> None:
    if entry[0] == str(SCRIPT) and not SCRIPT.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    results = {delay: _interrupt(entry, delay) for delay in DELAYS}
    for delay, (code, err) in results.items():
        assert "Traceback" not in err, f"SIGINT {delay} s after the guard:\n{err}"
        assert code in (sortition.startup.EXIT_INTERRUPTED, 0), f"SIGINT {delay} s after the guard: exit {code}\n{err}"
        if code:
            assert err.count("\n") == 1 and "Interrupted" in err, err
    # Right after the guard the app is still far from loaded: that one is always an interrupted start.
    assert results[0.0][0] == sortition.startup.EXIT_INTERRUPTED, results[0.0]


def test_the_guard_is_only_for_the_command_itself() -> None:
    """A library user's process (here pytest's) keeps Python's own Ctrl-C handling."""
    assert not sortition.startup.started_as_command()
    assert not sortition.startup.GUARDED
    assert signal.getsignal(signal.SIGINT) is not sortition.startup._interrupted
