"""The store's schema history as Alembic revisions: ``v1`` ... ``v4``, one per schema version.

Run through :func:`harness.store.schema.ensure_schema`, never by hand: it takes the lock, stamps a
store written before Alembic managed it (it has only ``schema_version``) and upgrades to head.
"""
