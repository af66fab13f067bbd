"""``onething catalogue``: how many materials each way replaces, per bundle and overall."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from onething.cli import app
from onething.cli.console import console
from onething.constants import BUNDLES
from workflows.catalogue import WAYS, jinhua_summary, load_catalogue


@app.command()
def catalogue(
    as_json: Annotated[bool, typer.Option("--json", help="counts as one JSON object")] = False,
) -> None:
    """Print how many materials each way replaces, per bundle and overall."""
    materials = load_catalogue()
    per_bundle = {bundle: materials.counts(bundle) for bundle in BUNDLES}
    overall = materials.counts()
    if as_json:
        console.print_json(json.dumps({"bundles": per_bundle, "overall": overall}))
        return
    table = Table("bundle", *WAYS, "total")
    for bundle, counts in per_bundle.items():
        table.add_row(bundle, *(str(counts[w]) for w in WAYS), str(sum(counts.values())))
    table.add_row("overall", *(str(overall[w]) for w in WAYS), str(sum(overall.values())))
    console.print(table)
    for bundle, counts in per_bundle.items():
        console.print(f"{bundle}: {jinhua_summary(counts)}")
    console.print(f"overall: {jinhua_summary(overall)}")
