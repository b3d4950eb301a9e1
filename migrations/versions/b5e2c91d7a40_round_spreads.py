"""round spreads: the histogram of a cohort's handed-in self-ratings, kept per round

Revision ID: b5e2c91d7a40
Revises: 0d00516d3703
Create Date: 2026-12-03 13:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5e2c91d7a40"
down_revision = "0d00516d3703"
branch_labels = None
depends_on = None


#: The rounds handed in before this revision, counted as the hand-in now counts them: the
#: current trainees' handed-in work, each trainee's mean per competency rounded to one
#: decimal (a test runs it against the hand-in's own count on both databases).
BACKFILL = """
        INSERT INTO round_spreads (round_id, competency_id, value, trainees, mean_sum)
        SELECT round_id, competency_id, CAST(value AS FLOAT), COUNT(*), SUM(mean)
        FROM (
            SELECT self_assessments.round_id AS round_id,
                   hand_in_scores.competency_id AS competency_id,
                   CAST(hand_in_scores.total AS FLOAT) / hand_in_scores.rated AS mean,
                   ROUND(CAST(CAST(hand_in_scores.total AS FLOAT) / hand_in_scores.rated
                              AS NUMERIC), 1) AS value
            FROM self_assessments
            JOIN hand_in_scores ON hand_in_scores.self_assessment_id = self_assessments.id
            JOIN rounds ON rounds.id = self_assessments.round_id
            JOIN cohort_memberships
              ON cohort_memberships.cohort_id = rounds.cohort_id
             AND cohort_memberships.user_id = self_assessments.trainee_id
             AND cohort_memberships.role = 'trainee'
            WHERE self_assessments.status = 'submitted' AND hand_in_scores.rated > 0
        ) AS per_trainee
        GROUP BY round_id, competency_id, value
"""


def upgrade():
    op.create_table(
        "round_spreads",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("trainees", sa.Integer(), nullable=False),
        sa.Column("mean_sum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_round_spreads_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_spreads_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "round_id", "competency_id", "value", name=op.f("pk_round_spreads")
        ),
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table("round_spreads")
