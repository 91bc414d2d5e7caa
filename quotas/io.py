"""Read and write quota files: our YAML format and the CSV formats of existing sortition tools.

YAML (what ``sortition`` writes, and the format to prefer)::

    panel_size: 30
    id_column: id                                   # optional
    households: [street, house_number, postcode]    # optional: at most one person per address
    categories:
      gender:
        female: {min: 14, max: 16}
        male:   {min: 14, max: 16}

CSV (one row per value; a CSV file carries no panel size, so it must be given separately). The header
names are matched case-insensitively; these layouts are recognised:

- ``category,feature,min,max`` (Flanigan et al. research data),
- ``category,name,min,max`` (diversimax; empty trailing columns are ignored),
- ``feature,value,min,max[,min_flex,max_flex]`` (sortition-algorithms; the flex columns are ignored),
- ``category,value,min,max``.

The separator may be ``,``, ``;`` or a tab, the encoding UTF-8 (with or without BOM), UTF-16 with BOM or
cp1252, as spreadsheet programs write them.

Example:
    >>> spec = spec_from_dict({"panel_size": 2, "categories": {"gender": {
    ...     "female": {"min": 1, "max": 1}, "male": {"min": 1, "max": 1}}}})
    >>> print(dump_yaml(spec).splitlines()[-1])
        male:   {min: 1, max: 1}
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quotas.errors import InputError, QuotaError
from quotas.model import Category, QuotaSpec, ValueQuota
from quotas.textfiles import decode_bytes, detect_delimiter, parse_delimited, read_bytes, write_atomically
from quotas.yamlload import OTHER_BASE, DecimalLoader

#: Largest number accepted as a quota bound or panel size; beyond it a file is surely wrong.
MAX_NUMBER = 1_000_000_000

#: Largest quota or plan YAML file read (a real one is a few kB); the YAML parser is pure Python, so a
#: multi-megabyte file would take seconds only to be refused.
MAX_YAML_BYTES = 1 << 20

YAML_SUFFIXES = (".yaml", ".yml", ".json")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
TOP_LEVEL_KEYS = ("panel_size", "id_column", "households", "categories")
BOUND_KEYS = ("min", "max")
#: Optional key of a value: its share of the population (0 to 1, or a percentage like ``50.8%``), for reports.
POPULATION_KEY = "population"

_EXAMPLE_VALUE = "e.g. `female: {min: 14, max: 16}`"


# --------------------------------------------------------------------------------------------- public API


def load_quotas(path: str | Path, *, panel_size: int | None = None) -> QuotaSpec:
    """Load a quota file (YAML or CSV, chosen by the file extension).

    Args:
        path: a ``.yaml``/``.yml`` (also ``.json``) file in our format, or a ``.csv``/``.tsv``/``.txt``
            file in one of the CSV layouts listed in the module docstring.
        panel_size: the panel size k. Required for CSV files (they carry none). For YAML it may be left
            out; when both are given they must agree.

    Returns:
        The validated quota specification; its ``source`` is ``str(path)``.

    Raises:
        InputError: the file is missing or unreadable.
        QuotaError: the quotas are wrong; the message names the file, row/line and column and says what
            to change.

    Example:
        >>> spec = load_quotas("categories.csv", panel_size=20)  # doctest: +SKIP
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix in YAML_SUFFIXES:
        return _load_yaml(path, panel_size)
    if suffix in CSV_SUFFIXES:
        return _load_csv(path, panel_size)
    raise InputError(
        f"unknown quota file type '{path.suffix}'.", file=path,
        hint="Use a .yaml, .yml or .csv file (an Excel sheet can be saved as CSV).")


def spec_from_dict(
    data: Mapping[str, Any], *, source: str | None = None, panel_size: int | None = None
) -> QuotaSpec:
    """Build a QuotaSpec from the mapping form of our YAML format (see the module docstring).

    Args:
        data: the parsed YAML (or an equivalent dict).
        source: file name used in error messages and stored as ``spec.source``.
        panel_size: panel size to use when ``data`` has none; must agree with it when it has one.

    Raises:
        QuotaError: naming the key (and the YAML line when ``data`` came from :func:`load_quotas`).
    """
    return _spec_from_mapping(data, source, panel_size)


def spec_to_dict(spec: QuotaSpec) -> dict[str, Any]:
    """The mapping form of ``spec``; ``spec_from_dict(spec_to_dict(spec)) == spec``.

    Optional keys (``id_column``, ``households``, a value's ``population``) appear only when they are set.
    """
    out: dict[str, Any] = {"panel_size": spec.panel_size}
    if spec.id_column is not None:
        out["id_column"] = spec.id_column
    if spec.households:
        out["households"] = list(spec.households)
    out["categories"] = {
        cat.name: {v.value: {"min": v.min, "max": v.max,
                             **({POPULATION_KEY: v.population} if v.population is not None else {})}
                   for v in cat.values} for cat in spec.categories
    }
    return out


def dump_yaml(spec: QuotaSpec) -> str:
    """Render ``spec`` as readable YAML, keeping the order of categories and values.

    The output is deterministic (same spec, same text) and loads back to an equal spec.
    """
    lines = [
        "# Quotas for a panel drawn by lot (sortition).",
        "# panel_size: how many people the panel has.",
        "# Per category and value: at least `min` and at most `max` panel members with that value.",
        "# In every category the minimums must add up to at most panel_size, the maximums to at least it.",
        *(["# population: the value's share of the population (reports show it beside pool and panel)."]
          if any(v.population is not None for _, v in spec.iter_values()) else []),
        f"panel_size: {spec.panel_size}",
    ]
    if spec.id_column is not None:
        lines.append(f"id_column: {_yaml_scalar(spec.id_column)}")
    if spec.households:
        lines.append("# At most one panel member per household, a household being these columns together:")
        lines.append("households: [" + ", ".join(_yaml_scalar(h) for h in spec.households) + "]")
    lines.append("categories:")
    for cat in spec.categories:
        lines.append(f"  {_yaml_scalar(cat.name)}:")
        names = [_yaml_scalar(v.value) for v in cat.values]
        width = max(len(n) for n in names) + 1
        for name, v in zip(names, cat.values, strict=True):
            share = "" if v.population is None else f", population: {_share_text(v.population)}"
            lines.append(f"    {(name + ':').ljust(width)} {{min: {v.min}, max: {v.max}{share}}}")
    return "\n".join(lines) + "\n"


def _share_text(share: float) -> str:
    """A population share as YAML: at most 6 decimals, no trailing zeros (``0.508``, ``1``)."""
    text = f"{share:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def write_yaml(spec: QuotaSpec, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``spec`` as YAML to ``path`` atomically (temporary file in the same folder, then rename).

    Args:
        spec: the quotas to write.
        path: target file; must end in ``.yaml`` or ``.yml``.
        overwrite: replace an existing file. Without it an existing file is an error.

    Returns:
        The path written.

    Raises:
        InputError: the file exists (and ``overwrite`` is false), the folder is missing, or the name does
            not end in .yaml/.yml.
    """
    path = Path(path)
    if path.suffix.casefold() not in (".yaml", ".yml"):
        raise InputError("a quota file is written as YAML.", file=path,
                         hint="Give a file name ending in .yaml or .yml.")
    if path.is_dir():
        raise InputError("is a folder; the quota file is not written.", file=path,
                         hint="Give the path of a file ending in .yaml or .yml.")
    if spec.source is not None and path.exists() and _same_file(path, Path(spec.source)):
        raise InputError("is the input this quota file is made from; it is never overwritten (not even with "
                         "--force).", file=path, hint="Choose another file name.")
    if path.exists() and not overwrite:
        raise InputError("already exists; it was not changed.", file=path,
                         hint="Pass --force to overwrite it, or choose another file name.")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"the folder '{folder}' does not exist.", file=path, hint="Create it first.")
    write_atomically(path, dump_yaml(spec).encode("utf-8"), 0o644)  # a quota file holds no personal data
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


# --------------------------------------------------------------------------------------------- shared helpers


def read_text(path: Path) -> str:
    """Read a text file written by a spreadsheet or editor (encodings as in :func:`decode_bytes`).

    Raises:
        InputError: the file is missing, a folder, an Excel workbook, binary or undecodable.
    """
    return decode_bytes(read_bytes(path), path)[0]


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Read a delimited file into a header and numbered records of whitespace-trimmed cells.

    Rows are numbered as in a spreadsheet (header = row 1); see :func:`parse_delimited`.

    Raises:
        InputError: unreadable file or malformed row; QuotaError: empty file.
    """
    text = read_text(path)
    empty = QuotaError("the file is empty.", file=path, hint="It needs a header row and one row per value.")
    # Cells beyond the header are ignored, so a wrong header is reported as such, not as a long row.
    header, records = parse_delimited(text, detect_delimiter(text), path, on_empty=empty, check_widths=False)
    return _trimmed(header), [(number, _trimmed(cells)) for number, cells in records]


def _trimmed(cells: Sequence[str]) -> list[str]:
    return [cell.strip() for cell in cells]


def header_index(header: Sequence[str], path: Path | str | None) -> dict[str, int]:
    """Map case-folded header names to column positions; empty names are skipped, duplicates refused."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.casefold()
        if not key:
            continue
        if key in index:
            raise QuotaError(f"the header has '{name}' twice.", file=path, row=1, column=name,
                             hint="Rename or remove one of the two columns.")
        index[key] = i
    return index


class BadNumber(ValueError):
    """A cell that should hold a whole number does not; the text says why (used to build messages)."""


def whole_number(raw: object) -> int:
    """Parse a whole number >= 0 from a YAML scalar or a CSV cell (``14``, ``14.0``, `` 14 ``).

    Raises:
        BadNumber: with a short reason such as "'14.5' is not a whole number".
    """
    if isinstance(raw, bool):
        raise BadNumber(f"is {'yes/true' if raw else 'no/false'}, not a number")
    if raw is None:
        raise BadNumber("is empty")
    if isinstance(raw, int):
        num = raw
    elif isinstance(raw, float):
        num = _float_to_int(raw, repr(raw))
    elif isinstance(raw, str):
        num = _text_to_int(raw)
    else:
        raise BadNumber(f"is a {type(raw).__name__}, not a number")
    if num < 0:
        raise BadNumber("is below 0" if num < -MAX_NUMBER else f"is {num}, below 0")
    if num > MAX_NUMBER:
        raise BadNumber(f"is far too large (at most {MAX_NUMBER:,})")
    return num


def _text_to_int(text: str) -> int:
    text = text.strip()
    if not text:
        raise BadNumber("is empty")
    try:
        return int(text)
    except ValueError:  # also raised for more than 4300 digits
        pass
    if OTHER_BASE.match(text):  # 0x10, 0o10, 0b11, 1:30: never read in another base
        raise BadNumber(f"'{_clip(text)}' is not a decimal number (write it with the digits 0-9 only)")
    try:
        number = float(text)
    except ValueError:
        raise BadNumber(f"'{_clip(text)}' is not a number") from None
    return _float_to_int(number, _clip(text))


def _float_to_int(number: float, shown: str) -> int:
    if math.isnan(number):
        raise BadNumber("is not a number (NaN)")
    if math.isinf(number):
        raise BadNumber("is below 0" if number < 0 else f"is far too large (at most {MAX_NUMBER:,})")
    if not number.is_integer():
        raise BadNumber(f"'{shown}' is not a whole number")
    return int(number)


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar, quoted only when YAML would otherwise read it as something else."""
    dumped = yaml.safe_dump([text], default_flow_style=True, allow_unicode=True, width=1 << 30).strip()
    if any(c in dumped for c in "\n\r\x85\u2028\u2029") or yaml.safe_load(dumped) != [text] \
            or yaml.load(dumped, Loader=DecimalLoader) != [text]:
        # Line breaks (also NEL, U+2028) or control characters: one line, everything escaped.
        dumped = yaml.safe_dump([text], default_flow_style=True, default_style='"', allow_unicode=False,
                                width=1 << 30).strip()
    return dumped[1:-1]  # "[female]" -> "female"


# --------------------------------------------------------------------------------------------- YAML


class _LineDict(dict[str, Any]):
    """A mapping from the YAML loader that remembers the line of each key (for error messages)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}


class _Loader(DecimalLoader):
    """Safe loader that keeps keys as written (``no:`` stays "no"), refuses duplicate keys, notes lines and
    reads numbers as decimal (``min: 010`` is 10, not YAML 1.1's octal 8; see :mod:`quotas.yamlload`)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.Node, deep: bool = False) -> _LineDict:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
    loader.flatten_mapping(node)
    result = _LineDict()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark)
        key = str(key_node.value)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark,
                f"found the key '{key}' twice (first on line {result.lines[key]})", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=deep)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(path: Path, panel_size: int | None) -> QuotaSpec:
    text = decode_bytes(read_bytes(path, what="quota file", max_bytes=4 * MAX_YAML_BYTES), path)[0]
    if len(text) > MAX_YAML_BYTES:
        raise QuotaError(f"this file has {len(text):,} characters; a quota file has a few thousand.", file=path,
                         hint="Check that this is the quota file (YAML), not a pool or register.")
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader (via DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise QuotaError(f"{line}this is not valid YAML ({problem}).", file=path,
                         hint="Check the indentation and the colons on and just above that line.") from None
    except RecursionError:
        raise QuotaError("this YAML is nested too deeply to be a quota file.", file=path,
                         hint="A quota file has two levels: categories, then values.") from None
    except ValueError as exc:  # a value PyYAML reads as a date or time but that is none, e.g. 2027-13-45
        raise QuotaError(f"this YAML holds a value that cannot be read ({exc}).", file=path,
                         hint="Put dates and other such values in quotes.") from None
    if data is None:
        raise QuotaError("the file is empty.", file=path,
                         hint="It needs `panel_size:` and `categories:`; see `sortition quotas --help`.")
    return _spec_from_mapping(data, str(path), panel_size)


def _line(mapping: object, key: str) -> int | None:
    lines = getattr(mapping, "lines", None)
    return lines.get(key) if isinstance(lines, dict) else None


def _place(keys: Sequence[str], line: int | None) -> str:
    text = " > ".join(keys)
    return f"line {line}, {text}" if line else text


def _fail(source: str | None, keys: Sequence[str], line: int | None, message: str, hint: str) -> QuotaError:
    where = _place(keys, line)
    return QuotaError(f"{where}: {message}" if where else message, file=source, hint=hint)


def _check_keys(mapping: Mapping[str, Any], allowed: Sequence[str], keys: Sequence[str],
                source: str | None) -> None:
    for key in mapping:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key).casefold(), allowed, n=1, cutoff=0.5)
        hint = f"Did you mean '{close[0]}'?" if close else "Allowed here: " + ", ".join(allowed) + "."
        raise _fail(source, [*keys, str(key)], _line(mapping, key), f"unknown key '{key}'.", hint)


def _spec_from_mapping(data: object, source: str | None, panel_size: int | None) -> QuotaSpec:
    if not isinstance(data, Mapping):
        raise QuotaError("the quota file must start with keys such as `panel_size:` and `categories:`, "
                         f"not a {type(data).__name__}.", file=source,
                         hint="See the example in the user guide.")
    _check_keys(data, TOP_LEVEL_KEYS, (), source)
    return QuotaSpec(
        panel_size=_panel_size(data, source, panel_size),
        categories=_categories(data, source),
        id_column=_id_column(data, source),
        households=_households(data, source),
        source=source,
    )


def _number(mapping: Mapping[str, Any], key: str, keys: Sequence[str], source: str | None) -> int:
    try:
        return whole_number(mapping[key])
    except BadNumber as exc:
        raise _fail(source, [*keys, key], _line(mapping, key), f"{key} {exc}.",
                    "Write a whole number of people, 0 or more.") from None


def _panel_size(data: Mapping[str, Any], source: str | None, given: int | None) -> int:
    if "panel_size" not in data:
        if given is None:
            raise QuotaError("no panel_size.", file=source,
                             hint="Add `panel_size: N` to the file, or give --panel-size.")
        return given
    size = _number(data, "panel_size", (), source)
    if given is not None and given != size:
        raise _fail(source, ["panel_size"], _line(data, "panel_size"),
                    f"the file says panel_size {size} but panel size {given} was given.",
                    "Give the same number, or leave out --panel-size.")
    return size


def _name(raw: object, keys: Sequence[str], line: int | None, source: str | None, what: str) -> str:
    if isinstance(raw, (Mapping, list, tuple)) or raw is None:
        raise _fail(source, keys, line, f"{what} must be a name.", "Write a plain name.")
    name = str(raw).strip()
    if not name:
        raise _fail(source, keys, line, f"{what} is empty.", "Write a name.")
    return name


def _id_column(data: Mapping[str, Any], source: str | None) -> str | None:
    if data.get("id_column") is None:
        return None
    return _name(data["id_column"], ["id_column"], _line(data, "id_column"), source, "id_column")


def _households(data: Mapping[str, Any], source: str | None) -> tuple[str, ...]:
    raw = data.get("households")
    if raw is None:
        return ()
    line = _line(data, "households")
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)):
        raise _fail(source, ["households"], line, "must be a list of column names.",
                    "Write e.g. `households: [street, house_number, postcode]`.")
    return tuple(_name(item, ["households"], line, source, "a household column") for item in items)


def _categories(data: Mapping[str, Any], source: str | None) -> tuple[Category, ...]:
    raw = data.get("categories")
    line = _line(data, "categories")
    if raw is None or raw == {}:
        raise _fail(source, ["categories"], line, "no categories.",
                    f"Under `categories:` give each category with its values, {_EXAMPLE_VALUE}.")
    if not isinstance(raw, Mapping):
        raise _fail(source, ["categories"], line, "must map each category name to its values.",
                    f"Write e.g. `gender:` and under it {_EXAMPLE_VALUE}.")
    return tuple(_category(raw, key, source) for key in raw)


def _category(categories: Mapping[str, Any], key: str, source: str | None) -> Category:
    line = _line(categories, key)
    name = _name(key, ["categories", str(key)], line, source, "a category name")
    keys = ["categories", name]
    raw = categories[key]
    if raw is None or raw == {}:
        raise _fail(source, keys, line, f"category '{name}' has no values.",
                    f"List each value with its min and max under it, {_EXAMPLE_VALUE}.")
    if not isinstance(raw, Mapping):
        raise _fail(source, keys, line, f"category '{name}' must map each value to its quota.",
                    f"Write e.g. {_EXAMPLE_VALUE}.")
    return Category(name, tuple(_value_quota(raw, value, keys, source) for value in raw))


def _value_quota(values: Mapping[str, Any], key: str, keys: Sequence[str], source: str | None) -> ValueQuota:
    line = _line(values, key)
    name = _name(key, [*keys, str(key)], line, source, "a value name")
    keys = [*keys, name]
    raw = values[key]
    if not isinstance(raw, Mapping):
        raise _fail(source, keys, line, "needs a min and a max.", f"Write e.g. {_EXAMPLE_VALUE}.")
    _check_keys(raw, (*BOUND_KEYS, POPULATION_KEY), keys, source)
    for bound in BOUND_KEYS:
        if bound not in raw:
            raise _fail(source, keys, line, f"missing {bound}.", f"Write e.g. {_EXAMPLE_VALUE}.")
    low, high = (_number(raw, bound, keys, source) for bound in BOUND_KEYS)
    if low > high:
        raise _fail(source, keys, _line(raw, "min") or line, f"min {low} is above max {high}.",
                    "Swap them or correct one.")
    return ValueQuota(name, low, high, _population(raw, keys, source))


def _population(raw: Mapping[str, Any], keys: Sequence[str], source: str | None) -> float | None:
    """The optional population share of a value: a number from 0 to 1, or a percentage ``50.8%``."""
    if raw.get(POPULATION_KEY) is None:
        return None
    value = raw[POPULATION_KEY]
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, str):
            text = value.strip().replace(",", ".")
            share = float(text.removesuffix("%")) / 100 if text.endswith("%") else float(text)
        else:
            share = float(value)
    except (TypeError, ValueError, OverflowError):
        share = math.nan
    if not 0 <= share <= 1:
        raise _fail(source, [*keys, POPULATION_KEY], _line(raw, POPULATION_KEY),
                    f"population {value!r} is not a share from 0 to 1.",
                    "Write the value's share of the population, e.g. `population: 0.508` or `50.8%`.")
    return share


# --------------------------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class _CsvColumns:
    header: tuple[str, ...]
    category: int
    value: int
    min: int
    max: int


def _csv_columns(header: Sequence[str], path: Path) -> _CsvColumns:
    index = header_index(header, path)
    category = value = None
    if "category" in index:
        category = index["category"]
        value = next((index[v] for v in ("value", "feature", "name") if v in index), None)
    elif "feature" in index and "value" in index:
        category, value = index["feature"], index["value"]
    missing = [b for b in BOUND_KEYS if b not in index]
    if category is None or value is None or missing:
        found = ",".join(h for h in header if h) or "nothing"
        raise QuotaError(
            f"the header is '{_clip(found, 80)}'; expected the columns category,value,min,max.", file=path,
            row=1, hint="Also accepted: category,feature,min,max / category,name,min,max / "
            "feature,value,min,max. Row 1 must be the header.")
    return _CsvColumns(tuple(header), category, value, index["min"], index["max"])


def _cell(row: Sequence[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _csv_row(row: Sequence[str], number: int, cols: _CsvColumns, path: Path) -> tuple[str, ValueQuota]:
    names = []
    for i in (cols.category, cols.value):
        text = _cell(row, i)
        if not text:
            raise QuotaError("is empty.", file=path, row=number, column=cols.header[i],
                             hint="Fill it in or delete the row.")
        names.append(text)
    bounds = []
    for i in (cols.min, cols.max):
        try:
            bounds.append(whole_number(_cell(row, i)))
        except BadNumber as exc:
            raise QuotaError(f"{cols.header[i]} {exc}.", file=path, row=number, column=cols.header[i],
                             hint="Write a whole number of people, 0 or more.") from None
    if bounds[0] > bounds[1]:
        raise QuotaError(f"min {bounds[0]} is above max {bounds[1]}.", file=path, row=number,
                         column=cols.header[cols.min], hint="Swap them or correct one.")
    return names[0], ValueQuota(names[1], bounds[0], bounds[1])


def _load_csv(path: Path, panel_size: int | None) -> QuotaSpec:
    header, records = read_table(path)
    cols = _csv_columns(header, path)
    groups: dict[str, tuple[str, list[ValueQuota]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in records:
        if not any(row):
            continue
        cat, quota = _csv_row(row, number, cols, path)
        key = (cat.casefold(), quota.value.casefold())
        if key in seen:
            raise QuotaError(f"'{cat}: {quota.value}' appears twice (also on row {seen[key]}).", file=path,
                             row=number, hint="Keep one of the two rows (names match case-insensitively).")
        seen[key] = number
        groups.setdefault(key[0], (cat, []))[1].append(quota)
    if not groups:
        raise QuotaError("the file has a header but no quota rows.", file=path,
                         hint="Add one row per value: category, value, min, max.")
    if panel_size is None:
        raise QuotaError("a CSV quota file holds no panel size.", file=path,
                         hint="Give --panel-size (or panel_size= when calling load_quotas).")
    categories = tuple(Category(name, tuple(values)) for name, values in groups.values())
    return QuotaSpec(panel_size=panel_size, categories=categories, source=str(path))


__all__ = [
    "dump_yaml",
    "load_quotas",
    "spec_from_dict",
    "spec_to_dict",
    "write_yaml",
]
