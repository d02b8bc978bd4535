"""JSON Schemas of the artifacts, generated from their pydantic models."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from agentlanes.analysis.artifact import SCHEMA_ID, SCHEMA_VERSION, BacklogAnalysis

BACKLOG_SCHEMA_FILE = f"backlog_analysis-{SCHEMA_VERSION}.schema.json"


def backlog_schema_from_model() -> dict[str, Any]:
    schema = BacklogAnalysis.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = SCHEMA_ID
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def backlog_schema() -> dict[str, Any]:
    """Return the shipped schema of ``backlog_analysis.json``."""
    text = resources.files("agentlanes.schemas").joinpath(BACKLOG_SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)
