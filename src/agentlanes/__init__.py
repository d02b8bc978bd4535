"""agentlanes: conflict-free parallel work for AI coding agents and humans on GitHub."""

__version__ = "0.1.0"
