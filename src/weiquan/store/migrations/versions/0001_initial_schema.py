"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 12:01:16.127001
"""

from alembic import op
import sqlalchemy as sa
import weiquan.store.types


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ts", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column("derivation", sa.String(length=40), nullable=True),
        sa.Column("first_name", sa.String(length=500), nullable=True),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["derived_from_id"], ["evidence.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "ledger",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_evidence_sha256"), ["evidence_sha256"], unique=False)

    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lender_name", sa.String(length=200), nullable=True),
        sa.Column("lender_entity", sa.String(length=300), nullable=True),
        sa.Column("licence_type", sa.String(length=40), nullable=True),
        sa.Column("borrower_name", sa.String(length=100), nullable=True),
        sa.Column("borrower_phones", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "acquisitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=500), nullable=True),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("source_device", sa.String(length=200), nullable=True),
        sa.Column("acquired_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("parse_status", sa.String(length=20), nullable=False),
        sa.Column("parse_format", sa.String(length=60), nullable=True),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("acquisitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acquisitions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acquisitions_evidence_id"), ["evidence_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=80), nullable=False),
        sa.Column("document", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reference_no", sa.String(length=120), nullable=True),
        sa.Column("due_at", sa.Date(), nullable=True),
        sa.Column("due_estimated", sa.Boolean(), nullable=False),
        sa.Column("deadline_rule", sa.JSON(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_access",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "user_id"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("start", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_tz", sa.String(length=64), nullable=False),
        sa.Column("time_basis", sa.String(length=60), nullable=True),
        sa.Column("wallclock_text", sa.String(length=100), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("counterpart_raw", sa.String(length=200), nullable=True),
        sa.Column("counterpart", sa.String(length=40), nullable=True),
        sa.Column("counterpart_name", sa.String(length=200), nullable=True),
        sa.Column("number_kind", sa.String(length=30), nullable=True),
        sa.Column("carrier", sa.String(length=60), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("signature", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_case_dedupe", ["case_id", "dedupe_key"], unique=False)
        batch_op.create_index("ix_events_case_start", ["case_id", "start"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_counterpart"), ["counterpart"], unique=False)

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("detector_id", sa.String(length=80), nullable=False),
        sa.Column("detector_version", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("provisions", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("review_state", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "key", name="uq_finding_key"),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result_evidence_id", sa.Integer(), nullable=True),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["result_evidence_id"], ["evidence.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "evidence_id", "case_id", name="uq_job"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_evidence_id"), ["evidence_id"], unique=False)

    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=True),
        sa.Column("legal_entity", sa.String(length=300), nullable=True),
        sa.Column("licence_type", sa.String(length=40), nullable=True),
        sa.Column("contract_date", sa.Date(), nullable=True),
        sa.Column("principal", sa.Float(), nullable=True),
        sa.Column("cash_flows", sa.JSON(), nullable=False),
        sa.Column("apr", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(length=40), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", weiquan.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_case_id"), ["case_id"], unique=False)

    op.create_table(
        "event_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=500), nullable=False),
        sa.Column("source_format", sa.String(length=60), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "evidence_id", "locator", name="uq_event_source"),
    )
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_sources_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_sources_evidence_id"), ["evidence_id"], unique=False)

    op.create_table(
        "finding_events",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("finding_id", "event_id"),
    )
    with op.batch_alter_table("finding_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_events_event_id"), ["event_id"], unique=False)

    ledger_head = sa.table(
        "ledger_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger), sa.column("entry_hash", sa.String)
    )
    op.bulk_insert(ledger_head, [{"id": 1, "seq": 0, "entry_hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table("finding_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_events_event_id"))

    op.drop_table("finding_events")
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_sources_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_event_sources_event_id"))

    op.drop_table("event_sources")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_case_id"))

    op.drop_table("loans")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_case_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_case_id"))

    op.drop_table("findings")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_counterpart"))
        batch_op.drop_index("ix_events_case_start")
        batch_op.drop_index("ix_events_case_dedupe")

    op.drop_table("events")
    op.drop_table("case_access")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_case_id"))

    op.drop_table("actions")
    with op.batch_alter_table("acquisitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acquisitions_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_acquisitions_case_id"))

    op.drop_table("acquisitions")
    op.drop_table("cases")
    op.drop_table("users")
    op.drop_table("ledger_head")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_ledger_case_id"))

    op.drop_table("ledger")
    op.drop_table("evidence")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_case_id"))

    op.drop_table("audit_log")
