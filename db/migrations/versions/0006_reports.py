"""reports: the marker of scheduled reports sent; indexes for reading a period

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "chat_id"),
    )
    op.create_index("ix_incidents_detected_at", "incidents", ["detected_at"], unique=False)
    op.create_index(
        "ix_assignments_org_incident", "assignments", ["org_code", "incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_org_incident", table_name="assignments")
    op.drop_index("ix_incidents_detected_at", table_name="incidents")
    op.drop_table("report_marks")
