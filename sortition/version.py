"""The installed version of sortition, as records state it (``software_version``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def software_version() -> str:
    try:
        return version("sortition")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0+unknown"


__all__ = ["software_version"]
