"""formative review: trainers' comment threads on a trainee's work, and a shared draft

Revision ID: 0d00516d3703
Revises: a27b6fa516a9
Create Date: 2026-12-03 08:35:23

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0d00516d3703"
down_revision = "a27b6fa516a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "part",
            sa.Enum(
                "text", "reflection", "evidence", name="reviewpart", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("self_assessment_id", sa.Integer(), nullable=True),
        sa.Column("evidence_item_id", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_version", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "handled", name="threadstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_review_threads_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_review_threads_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_item_id"],
            ["evidence_items.id"],
            name=op.f("fk_review_threads_evidence_item_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_review_threads_handled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"],
            ["self_assessments.id"],
            name=op.f("fk_review_threads_self_assessment_id_self_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["users.id"],
            name=op.f("fk_review_threads_trainee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_threads")),
    )
    with op.batch_alter_table("review_threads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_threads_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_review_threads_cohort_status", ["cohort_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_threads_evidence_item_id"), ["evidence_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_threads_self_assessment_id"), ["self_assessment_id"], unique=False
        )
        batch_op.create_index(
            "ix_review_threads_trainee_status", ["trainee_id", "status"], unique=False
        )

    op.create_table(
        "review_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_review_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["review_threads.id"],
            name=op.f("fk_review_messages_thread_id_review_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_messages")),
    )
    with op.batch_alter_table("review_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_messages_thread_id"), ["thread_id"], unique=False
        )

    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_column("shared_at")

    with op.batch_alter_table("review_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_messages_thread_id"))

    op.drop_table("review_messages")
    with op.batch_alter_table("review_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_review_threads_trainee_status")
        batch_op.drop_index(batch_op.f("ix_review_threads_self_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_review_threads_evidence_item_id"))
        batch_op.drop_index("ix_review_threads_cohort_status")
        batch_op.drop_index(batch_op.f("ix_review_threads_author_id"))

    op.drop_table("review_threads")
