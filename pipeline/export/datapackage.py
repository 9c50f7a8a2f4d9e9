"""datapackage.json (Frictionless Data Package v1) built from the table schemas in `tables.py`,
so any Frictionless tool (or a human) knows every column's type and meaning, the primary keys
and how the tables join, without reading our code."""

from __future__ import annotations

from typing import Any

from .tables import TABLES, Table


def _resource(t: Table, sha256: str | None, rows: int | None) -> dict[str, Any]:
    fields = []
    for c in t.columns:
        f: dict[str, Any] = {"name": c.name, "type": c.type, "description": c.description}
        if c.name == t.primary_key:
            f["constraints"] = {"required": True, "unique": True}
        fields.append(f)
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": [t.primary_key],
        # only unquoted empty cells are missing: text columns never hold missing values
        "missingValues": [""],
    }
    if t.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [fk.field], "reference": {"resource": fk.resource, "fields": [fk.ref]}}
            for fk in t.foreign_keys
        ]
    res: dict[str, Any] = {
        "name": t.name,
        "path": t.file,
        "profile": "tabular-data-resource",
        "description": t.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": schema,
    }
    if sha256:
        res["hash"] = f"sha256:{sha256}"
    if rows is not None:
        res["stats"] = {"rows": rows}
    return res


def build_datapackage(manifest: dict[str, Any], tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The package descriptor; `tables` maps table name -> {"sha256", "rows"} of what was written."""
    version = str(manifest.get("tool_version") or manifest.get("version") or "")
    pkg: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "backissue-dataset",
        "title": "Digitized back issues (backissue)",
        "description": (
            "Text, layout, articles, entities, awards and OCR corrections read from scanned back issues. "
            "Text cells that a spreadsheet would run as a formula (or that start with ') carry one "
            "leading ' (see docs/DATASET.md); pipeline.load_dataset() strips it."
        ),
        "resources": [
            _resource(t, tables.get(t.name, {}).get("sha256"), tables.get(t.name, {}).get("rows"))
            for t in TABLES.values()
        ],
    }
    if version:
        pkg["version"] = version
    return pkg
