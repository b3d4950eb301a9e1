"""training modules: the blocks of training days of a cohort

Revision ID: c5d18e4f7a20
Revises: a3f9c2d71b04
Create Date: 2026-12-01 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5d18e4f7a20"
down_revision = "a3f9c2d71b04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "training_modules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_training_modules_days_in_order")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_training_modules_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_modules")),
    )
    with op.batch_alter_table("training_modules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_modules_cohort_id"), ["cohort_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("training_modules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_modules_cohort_id"))
    op.drop_table("training_modules")
