"""The local SQLite store that ``agentlanes sync`` fills and every command can read."""

from agentlanes.store.database import QueueRecord, Store, StoredRepository, default_db_path

__all__ = ["QueueRecord", "Store", "StoredRepository", "default_db_path"]
