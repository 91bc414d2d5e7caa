"""The self-contained verifier page: one HTML file in which any resident checks a draw in the browser.

The page's JavaScript (``verifier.js``: the checks, ``verifier_ui.js``: the screen) and its template
(``verifier.html``) are package data; :func:`verifier_page` embeds the scripts into the template. The page
fetches nothing (its Content-Security-Policy forbids every request) and works from ``file://``.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from sortition.files import atomic_write

PLACEHOLDER = "/*SORTITION_VERIFIER_JS*/"
SCRIPTS = ("verifier.js", "verifier_ui.js")
_SCRIPT_END = re.compile(r"</script|<!--", re.IGNORECASE)


def _resource(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def verifier_page() -> str:
    """Return the verifier page: the HTML template with its JavaScript embedded inline.

    Example:
        >>> page = verifier_page()
        >>> "Content-Security-Policy" in page and "SortitionVerifier" in page
        True
    """
    template = _resource("verifier.html")
    script = "\n".join(_resource(name) for name in SCRIPTS)
    if _SCRIPT_END.search(script):  # would end the inline <script> element early
        raise ValueError("the verifier's JavaScript contains '</script' or '<!--'")
    if template.count(PLACEHOLDER) != 1:
        raise ValueError("the verifier template must hold the script placeholder exactly once")
    return template.replace(PLACEHOLDER, script)


def write_verifier_page(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the verifier page to ``path`` atomically; an existing different file only with ``overwrite``.

    Raises:
        InputError: ``path`` exists with other content and ``overwrite`` is false.

    Example:
        >>> write_verifier_page("draw1/verify.html")  # doctest: +SKIP
    """
    target = Path(path)
    atomic_write(target, verifier_page().encode("utf-8"), overwrite=overwrite)
    return target


__all__ = ["verifier_page", "write_verifier_page"]
