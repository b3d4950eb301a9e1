"""sign-in throttle: counters of recent failed sign-ins per account and per address

Revision ID: 6e0e4b87379e
Revises: 4badbace05be
Create Date: 2026-12-01 09:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e0e4b87379e'
down_revision = '4badbace05be'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_last_failure_at'), ['last_failure_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_last_failure_at'))

    op.drop_table('sign_in_failures')
