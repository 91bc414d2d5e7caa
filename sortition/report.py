"""The public draw report (Markdown): what an official publishes next to the draw record.

Pseudonyms and quota-category values only; never a name, address or other pool column.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sortition.files import atomic_write


def _quota_table(lottery: Mapping[str, Any], panel: list[str]) -> list[str]:
    people = lottery["people"]
    lines = ["| category | value | pool | min | max | panel |", "|---|---|---:|---:|---:|---:|"]
    for cat, values in lottery["categories"].items():
        pool_counts = Counter(p[cat] for p in people.values())
        panel_counts = Counter(people[p][cat] for p in panel)
        for value, bounds in values.items():
            lines.append(f"| {cat} | {value} | {pool_counts.get(value, 0)} | {bounds['min']} | {bounds['max']} "
                         f"| {panel_counts.get(value, 0)} |")
    return lines


def _probability_lines(lottery: Mapping[str, Any]) -> list[str]:
    probs = sorted(float(v) for v in lottery["probabilities"].values())
    if not probs:
        return []
    label = " (Monte-Carlo estimates)" if lottery.get("probabilities_are_estimates") else ""
    return [
        f"Selection probabilities{label}: minimum {probs[0]:.4f}, median {statistics.median(probs):.4f}, "
        f"maximum {probs[-1]:.4f}; {sum(p >= 1 - 1e-9 for p in probs)} people on every panel, "
        f"{sum(p <= 1e-9 for p in probs)} on none.",
    ]


def render_markdown(lottery: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    settings = lottery["settings"]
    published = record.get("commitment_published_before_seed", True)
    lines = [
        "# Draw report",
        "",
        f"- Commitment (SHA-256 of lottery.json): `{record['commitment']}`",
        f"- Announced seed source: {lottery.get('seed_source') or '(none announced)'}",
        f"- Seed: `{record['seed']}`",
        f"- Commitment published before the seed: {'yes' if published else 'NO (practice draw with select)'}",
        f"- Algorithm: {settings['algorithm']}; panel size {settings['panel_size']}; "
        f"{len(lottery.get('panels') or [])} panels in the lottery",
        f"- Panel index: {record.get('panel_index')}",
        f"- Software version: {lottery['software_version']}",
        "",
        "## Inputs",
        "",
        *[f"- `{name}`: SHA-256 `{digest}`" for name, digest in sorted(lottery["inputs"].items())],
        "",
        "## Quotas and the panel",
        "",
        *_quota_table(lottery, list(record["panel"])),
        "",
        "## Fairness",
        "",
        *_probability_lines(lottery),
        "",
        "## Panel (pseudonyms)",
        "",
        ", ".join(f"`{p}`" for p in record["panel"]),
        "",
        "## How to verify",
        "",
        "Anyone can check this draw from `lottery.json`, `draw.json` and the seed: "
        "`sha256sum lottery.json` must print the commitment, and `sortition verify draw.json` (or the "
        "stdlib-only reference verifier in docs/) recomputes the panel and the reserve list.",
        "",
    ]
    return "\n".join(lines)


def write_report(folder: str | Path, lottery: Mapping[str, Any], record: Mapping[str, Any]) -> Path:
    path = Path(folder) / "report.md"
    atomic_write(path, render_markdown(lottery, record).encode("utf-8"), overwrite=True)
    return path
