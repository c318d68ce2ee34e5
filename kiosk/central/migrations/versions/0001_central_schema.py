"""The central service's schema: visits, events, feed, idempotency, hosts, notices, credentials, erasures.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("state_key", sa.String(80), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("record_enc", sa.Text, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("photo_enc", sa.LargeBinary, nullable=True),
        sa.Column("subject_hash", sa.String(64), nullable=True),
        sa.Column("loker", sa.Integer, nullable=True),
    )
    op.create_index("ix_visits_office_created", "visits", ["office", "created_at"])
    op.create_index("ix_visits_subject", "visits", ["office", "subject_hash"])
    op.create_table(
        "events",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_events_visit_id", "events", ["visit_id"])
    op.create_table(
        "feed",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("item_enc", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_feed_visit_id", "feed", ["visit_id"])
    op.create_index("ix_feed_office_seq", "feed", ["office", "seq"])
    op.create_table(
        "idempotency",
        sa.Column("office", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("replays", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hosts",
        sa.Column("office", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("nama", sa.String(200), nullable=False),
        sa.Column("bidang", sa.String(200), nullable=False),
        sa.Column("jabatan", sa.String(200), nullable=False),
        sa.Column("no_hp", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("message_id", sa.String(200), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("host_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_notices_visit_id", "notices", ["visit_id"])
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "erasures",
        sa.Column("office", sa.String(32), primary_key=True),
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("visits_deleted", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for name in ("erasures", "credentials", "notices", "hosts", "idempotency", "feed", "events", "visits"):
        op.drop_table(name)
