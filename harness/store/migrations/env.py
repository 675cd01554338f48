"""Alembic's entry point: migrate the connection the store handed over, in its transaction.

:func:`harness.store.schema.ensure_schema` opens the transaction and takes the lock; Alembic
runs inside it (``begin_transaction`` is a no-op on a connection already in one), so a failed
step leaves the store as it was.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
