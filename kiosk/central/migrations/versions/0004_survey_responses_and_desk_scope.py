"""SKM answers pushed by the kiosks (survey_responses) and the read-only cross-office scope of a desk user
(desk_users.scope: the offices a Kejati account reads, or "*" for the national one).

Revision ID: 0004_survey_scope
Revises: 0003_complaints
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_survey_scope"
down_revision = "0003_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_responses",
        sa.Column("response_id", sa.String(36), primary_key=True),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        *(sa.Column(f"u{i}", sa.SmallInteger, nullable=False) for i in range(1, 10)),
        sa.Column("age_group", sa.String(64), nullable=False),
        sa.Column("sex", sa.String(64), nullable=False),
        sa.Column("education", sa.String(64), nullable=False),
        sa.Column("occupation", sa.String(64), nullable=False),
        sa.Column("comment_enc", sa.Text, nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_survey_responses_office_created", "survey_responses", ["office", "created_at"])
    op.add_column("desk_users", sa.Column("scope", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("desk_users", "scope")
    op.drop_index("ix_survey_responses_office_created", "survey_responses")
    op.drop_table("survey_responses")
