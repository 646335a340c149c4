"""planning without repetition, and big groups

Programmes record their meeting platform's participant limit. Invitations of
a copied or repeated event wait in their own table until an organiser sends
them.

Revision ID: 0011_planning
Revises: 0010_resources
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_planning'
down_revision = '0010_resources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_participant_limit', sa.Integer(), nullable=True))
    op.create_table('pending_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('guest', 'facilitator', 'presenter', 'assistant', name='role_kind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_pending_invitations_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_invitations'))
    )
    with op.batch_alter_table('pending_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_invitations_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_invitations_event_id'))
    op.drop_table('pending_invitations')
    # SQLite drops a column in place (3.35 and later): rebuilding a table that
    # others refer to would fail their foreign keys once rows exist.
    with op.batch_alter_table('programmes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('platform_participant_limit')
