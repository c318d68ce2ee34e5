"""Complaints and reports by WhatsApp (seed 004): cases with their messages and evidence, and the durable
outbox of WhatsApp messages the central sends (acknowledgements, answers, overdue alerts).

Revision ID: 0003_complaints
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_complaints"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("phone_number_id", sa.String(64), nullable=False),
        sa.Column("reporter_hash", sa.String(64), nullable=False),
        sa.Column("reporter_enc", sa.Text, nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=True, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("last_inbound_at", sa.String(32), nullable=False),
        sa.Column("answered_at", sa.String(32), nullable=True),
        sa.Column("closed_at", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(8), nullable=True),
        sa.Column("working_s", sa.Integer, nullable=True),
        sa.Column("alerted_at", sa.String(32), nullable=True),
    )
    op.create_index("ux_complaint_cases_number", "complaint_cases", ["office", "number"], unique=True)
    op.create_index("ix_complaint_cases_office_status", "complaint_cases", ["office", "status"])
    op.create_index("ix_complaint_cases_reporter", "complaint_cases", ["office", "reporter_hash"])
    op.create_table(
        "complaint_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=True, unique=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("body_enc", sa.Text, nullable=False),
        sa.Column("media_id", sa.String(200), nullable=True),
        sa.Column("evidence_state", sa.String(16), nullable=False),
        sa.Column("evidence_type", sa.String(64), nullable=False),
        sa.Column("evidence_size", sa.Integer, nullable=False),
        sa.Column("evidence_enc", sa.LargeBinary, nullable=True),
        sa.Column("evidence_note", sa.String(200), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.String(32), nullable=True),
    )
    op.create_index(op.f("ix_complaint_items_case_id"), "complaint_items", ["case_id"])
    op.create_table(
        "wa_outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("idem_key", sa.String(200), nullable=False, unique=True),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("phone_number_id", sa.String(64), nullable=False),
        sa.Column("to_enc", sa.Text, nullable=False),
        sa.Column("payload_enc", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.String(32), nullable=False),
        sa.Column("lease_until", sa.String(32), nullable=True),
        sa.Column("wamid", sa.String(200), nullable=True),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.String(32), nullable=True),
    )
    op.create_index(op.f("ix_wa_outbox_case_id"), "wa_outbox", ["case_id"])
    op.create_index(op.f("ix_wa_outbox_wamid"), "wa_outbox", ["wamid"])
    op.create_index("ix_wa_outbox_status_next", "wa_outbox", ["status", "next_at"])


def downgrade() -> None:
    op.drop_table("wa_outbox")
    op.drop_table("complaint_items")
    op.drop_table("complaint_cases")
