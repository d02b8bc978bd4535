"""``python -m agentlanes``."""

from agentlanes.cli import entry_point

entry_point()
