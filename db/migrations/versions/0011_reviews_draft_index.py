"""reports: reviews found by their draft (a period's returns, п.14) without reading them all

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reviews_draft_id", "reviews", ["draft_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reviews_draft_id", table_name="reviews")
