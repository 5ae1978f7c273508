"""The store: SQLAlchemy models and queries; the schema is owned by Alembic (``db/migrations/``)."""
