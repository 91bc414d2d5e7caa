"""A YAML loader that reads numbers the way people write them: in decimal.

PyYAML follows YAML 1.1, where ``min: 010`` is octal 8, ``0x10`` is 16, ``1:30`` is 90 (base 60) and
``0b11`` is 3. A quota of 010 meant as ten must not silently become eight. :class:`DecimalLoader` is a
``SafeLoader`` whose integers are decimal only: ``010`` is 10, ``08`` is 8, ``1_000`` is 1000, ``-3`` is -3;
``0x10``, ``0o10``, ``0b11`` and ``1:30`` stay text, which the quota and plan readers refuse with a message
asking for decimal digits. Floats lose the base-60 form (``1:30.5``) too.

Example:
    >>> import yaml
    >>> yaml.load("{min: 010, max: 0x10}", Loader=DecimalLoader)
    {'min': 10, 'max': '0x10'}
"""

from __future__ import annotations

import re

import yaml

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
#: Decimal digits, optionally signed, optionally grouped by underscores (``1_000``).
DECIMAL_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_DECIMAL_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""", re.X)
#: What a number written in another base looks like, for messages (``0x10``, ``0o10``, ``0b11``, ``1:30``).
OTHER_BASE = re.compile(r"^[-+]?(?:0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+)$")


class DecimalLoader(yaml.SafeLoader):
    """``SafeLoader`` with decimal-only integers (and no base-60 numbers); see the module docstring."""


DecimalLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (INT_TAG, FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DecimalLoader.add_implicit_resolver(INT_TAG, DECIMAL_INT, list("-+0123456789"))
DecimalLoader.add_implicit_resolver(FLOAT_TAG, _DECIMAL_FLOAT, list("-+0123456789."))


def _construct_decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    text = str(loader.construct_scalar(node))
    if not DECIMAL_INT.match(text):  # an explicit !!int 0x10: keep the text for the caller to refuse
        return text
    try:
        return int(text.replace("_", ""), 10)
    except ValueError:  # more digits than Python converts: the caller says the number is too large
        return text


DecimalLoader.add_constructor(INT_TAG, _construct_decimal_int)


def not_decimal_hint(value: object) -> str:
    """A sentence for a message about ``value`` when it looks like a number in another base, else ""."""
    if isinstance(value, str) and OTHER_BASE.match(value.strip()):
        return f" '{value.strip()}' is not a decimal number: write the number with the digits 0-9 only."
    return ""


__all__ = ["DECIMAL_INT", "DecimalLoader", "not_decimal_hint"]
