"""The office web desk: per-office accounts with roles, and the audit log of who saw or changed a guest record.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "desk_users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ux_desk_users_office_name", "desk_users", ["office", "name"], unique=True)
    op.create_table(
        "desk_audit",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    op.create_index("ix_desk_audit_office_at", "desk_audit", ["office", "at"])


def downgrade() -> None:
    op.drop_index("ix_desk_audit_office_at", "desk_audit")
    op.drop_table("desk_audit")
    op.drop_index("ux_desk_users_office_name", "desk_users")
    op.drop_table("desk_users")
