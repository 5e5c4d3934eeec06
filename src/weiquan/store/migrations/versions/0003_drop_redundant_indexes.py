"""drop two indexes that other indexes already cover

``ix_events_counterpart`` (counterpart alone): every query on a counterpart also filters the case,
which the dashboard index ``(case_id, counterpart, …)`` serves. ``ix_event_sources_event_id``: the
unique constraint ``uq_event_source (event_id, evidence_id, locator)`` starts with ``event_id``, so
look-ups and cascading deletes by event use it. Each index cost every imported record one more
B-tree insert (bench/import_sms.py times SQLite's share of an import).

Revision ID: 0003
Revises: 0002
"""

from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_counterpart")
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.drop_index("ix_event_sources_event_id")


def downgrade() -> None:
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.create_index("ix_event_sources_event_id", ["event_id"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_counterpart", ["counterpart"], unique=False)
