"""feedback after events: series settings and outcomes, requests, answers kept apart

Revision ID: 0007_feedback
Revises: 0006_speakers
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_feedback'
down_revision = '0006_speakers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('series_feedback',
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), nullable=False),
    sa.Column('remind_at', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_series_feedback_series_id_series')),
    sa.PrimaryKeyConstraint('series_id', name=op.f('pk_series_feedback'))
    )
    op.create_table('feedback_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_feedback_outcomes_series_id_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_outcomes')),
    sa.UniqueConstraint('series_id', 'position', name=op.f('uq_feedback_outcomes_series_id'))
    )
    with op.batch_alter_table('feedback_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_outcomes_series_id'), ['series_id'], unique=False)

    op.create_table('event_feedback',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_feedback_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_feedback'))
    )
    op.create_table('feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('remind_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_done_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_feedback_requests_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_requests')),
    sa.UniqueConstraint('registration_id', 'purpose', name=op.f('uq_feedback_requests_registration_id'))
    )
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_requests_remind_at'), ['remind_at'], unique=False)

    # No person, no time: see events/feedback.py for why.
    op.create_table('feedback_answers',
    sa.Column('locator', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('questions', sa.String(length=20), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('worked', sa.Text(), nullable=False),
    sa.Column('better', sa.Text(), nullable=False),
    sa.Column('come_again', sa.String(length=20), nullable=True),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('share_with_speakers', sa.Boolean(), nullable=False),
    sa.Column('may_quote', sa.Boolean(), nullable=False),
    sa.Column('obstacle', sa.String(length=20), nullable=True),
    sa.Column('obstacle_note', sa.Text(), nullable=False),
    sa.Column('used', sa.String(length=20), nullable=True),
    sa.Column('how', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feedback_answers_event_id_events')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_feedback_answers_registration_id_registrations')),
    sa.PrimaryKeyConstraint('locator', name=op.f('pk_feedback_answers'))
    )
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_answers_event_id'), ['event_id'], unique=False)

    op.create_table('feedback_self_assessments',
    sa.Column('locator', sa.String(length=64), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('score_before', sa.Integer(), nullable=False),
    sa.Column('score_now', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['locator'], ['feedback_answers.locator'], name=op.f('fk_feedback_self_assessments_locator_feedback_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['feedback_outcomes.id'], name=op.f('fk_feedback_self_assessments_outcome_id_feedback_outcomes')),
    sa.PrimaryKeyConstraint('locator', 'outcome_id', name=op.f('pk_feedback_self_assessments'))
    )


def downgrade():
    op.drop_table('feedback_self_assessments')
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_answers_event_id'))
    op.drop_table('feedback_answers')
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_requests_remind_at'))
    op.drop_table('feedback_requests')
    op.drop_table('event_feedback')
    with op.batch_alter_table('feedback_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_outcomes_series_id'))
    op.drop_table('feedback_outcomes')
    op.drop_table('series_feedback')
