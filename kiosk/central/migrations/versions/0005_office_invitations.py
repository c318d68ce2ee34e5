"""The desk's office parts: the host directory edited on the desk (photo, last change) and the
pre-registration invitations issued on the desk (their WhatsApp messages go by wa_outbox, 0003_complaints).

Revision ID: 0005_office_invitations
Revises: 0004_survey_scope
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_office_invitations"
down_revision = "0004_survey_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("photo_enc", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("updated_at", sa.String(32), nullable=True))
    op.create_table(
        "invitations",
        sa.Column("invitation_id", sa.String(16), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("host_id", sa.String(64), nullable=False),
        sa.Column("host_name", sa.String(200), nullable=False),
        sa.Column("record_enc", sa.Text, nullable=False),
        sa.Column("subject_hash", sa.String(64), nullable=True),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("valid_from", sa.String(32), nullable=False),
        sa.Column("valid_until", sa.String(32), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
        sa.Column("used_at", sa.String(32), nullable=True),
        sa.Column("used_visit_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_invitations_office_created", "invitations", ["office", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_invitations_office_created", "invitations")
    op.drop_table("invitations")
    with op.batch_alter_table("hosts") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("photo_enc")
