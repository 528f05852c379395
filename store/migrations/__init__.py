"""Schema migrations of the read model (Alembic). `store.db.init_db` runs them; see docs/operations.md."""
