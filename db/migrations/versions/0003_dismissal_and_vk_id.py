"""п.10 dismissals (ground, duplicate of) on incidents; people's VK ids

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dismissal_ground", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("dismissal_duplicate_of", sa.Integer(), nullable=True))
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vk_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint("uq_people_vk_id", ["vk_id"])


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint("uq_people_vk_id", type_="unique")
        batch_op.drop_column("vk_id")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("dismissal_duplicate_of")
        batch_op.drop_column("dismissal_ground")
