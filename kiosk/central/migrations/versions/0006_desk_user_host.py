"""A desk account of role `host` is linked to its host-directory entry: the host sees only their own guests
and invitations (kiosk/central/desk.py, desk_office.py).

Revision ID: 0006_desk_user_host
Revises: 0005_office_invitations
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_desk_user_host"
down_revision = "0005_office_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_users") as batch:
        batch.add_column(sa.Column("host_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_users") as batch:
        batch.drop_column("host_id")
