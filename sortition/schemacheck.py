"""A small, fast JSON Schema checker for the schemas of the public records (sortition/schemas, docs/schemas).

The schema files are the single source: this module compiles them into checking functions. It knows the
draft 2020-12 keywords those files use (type, const, enum, pattern, minimum, maximum, required, properties,
additionalProperties, propertyNames, items, oneOf, local ``$ref``) and refuses a schema with any other, so a
schema can never say more than is checked. It stops at the first problem and says where it is. The test
suite checks that it agrees with the reference implementation (the ``jsonschema`` package) on every record
the examples produce and on mutated ones; the reference implementation is too slow to run on every read
(seconds for a lottery of 1000 panels, where this takes milliseconds).

Example:
    >>> check = compile_schema({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}})
    >>> check({"a": 1})
    'a: expected a string, got 1.'
    >>> check({"a": "x"}) is None
    True
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

#: Keywords that only annotate a schema.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
_CHECKED = frozenset({"type", "const", "enum", "pattern", "minimum", "maximum", "required", "properties",
                      "additionalProperties", "propertyNames", "items", "oneOf", "$ref"})
_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "an object", "array": "a list", "null": "null"}

Path = tuple[str | int, ...]
#: A compiled schema: the value and its path -> None, or (path, message) for the first problem.
Check = Callable[[Any, Path], "tuple[Path, str] | None"]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and math.isfinite(v) and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: 1 equals 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def shown(value: Any) -> str:
    """A value as a message shows it: short, JSON-spelled, never a whole object or list."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def path_text(path: Path) -> str:
    """``people.3f9a0c1d2b4e5f60.household``, ``events[0].rule``; ``the top level`` for the record itself."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "the top level"


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """Compile a schema (with its ``$defs``) into ``check(value) -> None | "path: what is wrong."``.

    Raises:
        ValueError: the schema uses a keyword this checker does not know.
    """
    root = _Compiler(schema).compile(schema)

    def check(value: Any) -> str | None:
        problem = root(value, ())
        return None if problem is None else f"{path_text(problem[0])}: {problem[1]}"

    return check


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.compiled: dict[str, Check] = {}
        # Simple schemas (a pseudonym, a probability) also get a plain predicate: lists and maps of
        # thousands of them are then checked in one pass, and walked in detail only when one fails.
        self.fast: dict[Check, Callable[[Any], bool]] = {}

    def ref(self, ref: str) -> Check:
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix):] not in self.defs:
            raise ValueError(f"unsupported $ref {ref!r}: only #/$defs/<name> of the same file")
        name = ref[len(prefix):]
        if name not in self.compiled:
            self.compiled[name] = self.compile(self.defs[name])
        return self.compiled[name]

    def compile(self, schema: Mapping[str, Any]) -> Check:
        unknown = set(schema) - _ANNOTATIONS - _CHECKED
        if unknown:
            raise ValueError(f"unsupported schema keyword(s): {', '.join(sorted(unknown))}")
        expected = schema.get("description")
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "type" in schema:
            checks.append(_type(schema["type"]))
        if "const" in schema:
            checks.append(_const(schema["const"]))
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        checks += _scalar_checks(schema, expected)
        checks += self._object_checks(schema)
        if "items" in schema:
            inner = self.compile(schema["items"])
            checks.append(_items(inner, self.fast.get(inner)))
        if "oneOf" in schema:
            checks.append(_one_of([self.compile(s) for s in schema["oneOf"]], expected))
        compiled = _all(checks)
        fast = self._predicate(schema)
        if fast is not None:
            self.fast[compiled] = fast
        return compiled

    def _predicate(self, schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
        keys = set(schema) - _ANNOTATIONS
        if keys == {"$ref"}:
            return self.fast.get(self.ref(schema["$ref"]))
        if keys == {"type", "pattern"} and schema["type"] == "string":
            search = re.compile(schema["pattern"]).search
            return lambda v: isinstance(v, str) and search(v) is not None
        if keys == {"type"} and schema["type"] == "string":
            return lambda v: isinstance(v, str)
        if keys <= {"type", "minimum", "maximum"} and schema.get("type") == "number":
            low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
            return lambda v: _is_number(v) and low <= v <= high
        return None

    def _object_checks(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "required" in schema:
            checks.append(_required(tuple(schema["required"])))
        props = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        if props or extra is not True or names is not None:
            more = None if extra is True else (False if extra is False else self.compile(extra))
            fast = (self.fast.get(names) if names is not None else None,
                    self.fast.get(more) if callable(more) else None)
            checks.append(_members(props, more, names, fast))
        return checks


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        for c in checks:
            problem = c(value, path)
            if problem is not None:
                return problem
        return None

    return check


def _type(types: str | list[str]) -> Check:
    names = [types] if isinstance(types, str) else list(types)
    tests = [_TYPES[n] for n in names]
    wanted = " or ".join(_TYPE_NAMES[n] for n in names)

    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        if any(t(value) for t in tests):
            return None
        return path, f"expected {wanted}, got {shown(value)}."

    return check


def _const(const: Any) -> Check:
    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        return None if json_equal(value, const) else (path, f"expected {shown(const)}, got {shown(value)}.")

    return check


def _enum(options: list[Any]) -> Check:
    wanted = ", ".join(shown(o) for o in options)

    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        if any(json_equal(value, o) for o in options):
            return None
        return path, f"expected one of {wanted}, got {shown(value)}."

    return check


def _scalar_checks(schema: Mapping[str, Any], expected: str | None) -> list[Check]:
    checks: list[Check] = []
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        what = expected or f"text matching {schema['pattern']}"

        def pattern(value: Any, path: Path) -> tuple[Path, str] | None:
            if not isinstance(value, str) or search(value):
                return None
            return path, f"expected {what}, got {shown(value)}."

        checks.append(pattern)
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        what = expected or " and ".join(t for t in (low is not None and f"at least {low}",
                                                    high is not None and f"at most {high}") if t)

        def bounds(value: Any, path: Path) -> tuple[Path, str] | None:
            if not _is_number(value) or math.isnan(value):
                return None  # NaN is a number to JSON Schema libraries, and compares false with any bound
            if (low is not None and value < low) or (high is not None and value > high):
                return path, f"expected {what}, got {shown(value)}."
            return None

        checks.append(bounds)
    return checks


def _required(fields: tuple[str, ...]) -> Check:
    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        if isinstance(value, dict):
            for f in fields:
                if f not in value:
                    return path, f"missing field '{f}'."
        return None

    return check


def _members(props: dict[str, Check], more: Check | bool | None, names: Check | None,
             fast: tuple[Callable[[Any], bool] | None, Callable[[Any], bool] | None]) -> Check:
    names_ok, more_ok = fast
    quick = not props and (names is None or names_ok is not None) and callable(more) and more_ok is not None

    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        if not isinstance(value, dict):
            return None
        if quick and (names_ok is None or all(map(names_ok, value))) and all(map(more_ok, value.values())):  # type: ignore[arg-type]
            return None  # every key and value passes the quick test
        for key, item in value.items():
            if names is not None:
                problem = names(key, (*path, key))
                if problem is not None:
                    wanted = re.match(r"expected (.*), got ", problem[1])
                    return path, f"the key {shown(key)} is not {wanted.group(1) if wanted else 'allowed here'}."
            inner = props.get(key)
            if inner is None:
                if more is False:
                    return path, f"unexpected field '{key}'."
                inner = more if callable(more) else None
            if inner is not None:
                problem = inner(item, (*path, key))
                if problem is not None:
                    return problem
        return None

    return check


def _items(inner: Check, fast: Callable[[Any], bool] | None) -> Check:
    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        if isinstance(value, list) and not (fast is not None and all(map(fast, value))):
            for i, item in enumerate(value):
                problem = inner(item, (*path, i))
                if problem is not None:
                    return problem
        return None

    return check


def _one_of(options: list[Check], expected: str | None) -> Check:
    def check(value: Any, path: Path) -> tuple[Path, str] | None:
        problems = [o(value, path) for o in options]
        if sum(p is None for p in problems) == 1:
            return None
        if expected is None:
            return next((p for p in problems if p is not None), (path, "matches more than one allowed form."))
        return path, f"expected {expected}, got {shown(value)}."

    return check


__all__ = ["compile_schema", "json_equal", "path_text", "shown"]
