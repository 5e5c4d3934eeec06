"""events.date_unconfirmed: a date the source did not show is a proposal until the user confirms it

A screenshot whose messages carry only "22:47" or "3月20日", with no date in its file name, EXIF or
status bar, gets its day/year from the import time; such events are flagged and left out of counts,
analysis and documents until confirmed (services.dates). Existing rows flagged by the extractor
(``extra.date_unconfirmed``) are carried over. The dashboard's covering index gains the column
(right before ``start``) so its grouped pass stays index-only.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DASH = ["case_id", "counterpart", "channel", "recipient", "start", "signature"]


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_unconfirmed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index("ix_events_case_dashboard")
        batch_op.create_index("ix_events_case_dashboard", [*_DASH[:4], "date_unconfirmed", *_DASH[4:]], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE events SET date_unconfirmed = true WHERE (extra::jsonb ->> 'date_unconfirmed') = 'true'")
    else:
        op.execute("UPDATE events SET date_unconfirmed = 1 WHERE json_extract(extra, '$.date_unconfirmed') = 1")


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_case_dashboard")
        batch_op.create_index("ix_events_case_dashboard", _DASH, unique=False)
        batch_op.drop_column("date_unconfirmed")
