"""The local store: models, engine set-up, migrations and the narrow queries the UI reads."""

from console.store.engine import Store, open_memory_store, open_store

__all__ = ["Store", "open_memory_store", "open_store"]
