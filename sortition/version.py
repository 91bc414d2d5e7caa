"""The software version that public records state."""

from __future__ import annotations


def software_version() -> str:
    """The installed package's version (``0+unknown`` when running from a source tree without installing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sortition")
    except PackageNotFoundError:
        return "0+unknown"
