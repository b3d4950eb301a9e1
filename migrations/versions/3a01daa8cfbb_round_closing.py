"""round closing: a trainer can close a round early

Revision ID: 3a01daa8cfbb
Revises: 65ce1b7a46a2
Create Date: 2026-12-01 09:02:58.297673

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3a01daa8cfbb"
down_revision = "65ce1b7a46a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
