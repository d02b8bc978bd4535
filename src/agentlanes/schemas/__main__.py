"""Regenerate the shipped schema files: ``python -m agentlanes.schemas``."""

import json
from pathlib import Path

from agentlanes.schemas import BACKLOG_SCHEMA_FILE, backlog_schema_from_model

target = Path(__file__).with_name(BACKLOG_SCHEMA_FILE)
target.write_text(json.dumps(backlog_schema_from_model(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
print(f"wrote {target}")
