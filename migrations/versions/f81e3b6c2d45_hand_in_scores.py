"""hand-in scores: each handed-in self-assessment's self-rating per competency

Revision ID: f81e3b6c2d45
Revises: c5d18e4f7a20
Create Date: 2026-12-01 20:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f81e3b6c2d45"
down_revision = "c5d18e4f7a20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hand_in_scores",
        sa.Column("self_assessment_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_hand_in_scores_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"],
            ["self_assessments.id"],
            name=op.f("fk_hand_in_scores_self_assessment_id_self_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "self_assessment_id", "competency_id", name=op.f("pk_hand_in_scores")
        ),
    )
    # Work handed in before this revision: its ratings are still those handed in (handed-in
    # work cannot be edited until it is reopened, and reopened work does not count).
    op.execute(
        """
        INSERT INTO hand_in_scores (self_assessment_id, competency_id, total, rated)
        SELECT ratings.self_assessment_id, indicators.competency_id,
               SUM(ratings.level), COUNT(ratings.level)
        FROM ratings
        JOIN indicators ON indicators.id = ratings.indicator_id
        JOIN self_assessments ON self_assessments.id = ratings.self_assessment_id
        WHERE self_assessments.status = 'submitted'
          AND ratings.level IS NOT NULL
          AND indicators.retired_at IS NULL
        GROUP BY ratings.self_assessment_id, indicators.competency_id
        """
    )


def downgrade():
    op.drop_table("hand_in_scores")
