"""resources along the way, and public pages for programmes and series

Resources belong to an event, in an order of their own. Programmes and
series gain a publication date: those that existed before were public
through their feeds already, so they are published as of the upgrade.

Revision ID: 0010_resources
Revises: 0009_book_discussions
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0010_resources'
down_revision = '0009_book_discussions'
branch_labels = None
depends_on = None


def upgrade():
    now = datetime.now(UTC).replace(tzinfo=None)
    for table in ('programmes', 'series'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        op.execute(sa.table(table, sa.column('published_at', sa.DateTime()))
                   .update().values(published_at=now))
    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('reading', 'recording', 'slides', 'link', name='resource_kind', native_enum=False, length=20), nullable=False),
    sa.Column('timing', sa.Enum('before', 'after', name='resource_timing', native_enum=False, length=20), nullable=False),
    sa.Column('audience', sa.Enum('public', 'registered', name='resource_audience', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_resources_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_event_id_position', ['event_id', 'position'], unique=False)


def downgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_event_id_position')
    op.drop_table('resources')
    for table in ('series', 'programmes'):
        # SQLite drops a column in place (3.35 and later): rebuilding a table that
        # others refer to would fail their foreign keys once rows exist.
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column('published_at')
