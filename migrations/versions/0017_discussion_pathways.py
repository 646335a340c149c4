"""a book discussion's reading plan as resources, and a person's own zone in one place

The reading plan becomes the kick-off's resources for people with a place,
one or more a week (``resources.week``); the rows of ``reading_weeks`` move
there and the table goes. A facilitator's roles at a group's later meetings
follow the first one's invitation (``roles.lead_role_id``). A sign-up's own zone moves to the person (kept
where the person had none yet) and the sign-up's column goes.

Revision ID: 0017_discussion_pathways
Revises: 0010_resources
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0017_discussion_pathways'
down_revision = '0016_limits_and_forgetting'
branch_labels = None
depends_on = None

# As limits.RESOURCE_TITLE_MAX when this was written: a reading was allowed 300.
TITLE_MAX = 200


def upgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('week', sa.Integer(), nullable=True))
    # No foreign key: SQLite cannot add one in place to a table others refer to.
    with op.batch_alter_table('roles', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('lead_role_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_roles_lead_role_id'), ['lead_role_id'],
                              unique=False)
    now = datetime.now(UTC).replace(tzinfo=None)
    connection = op.get_bind()
    readings = connection.execute(sa.text(
        'SELECT d.kickoff_event_id, r.week, r.reading, r.question FROM reading_weeks r '
        'JOIN book_discussions d ON d.id = r.discussion_id ORDER BY r.discussion_id, r.week'
    )).all()
    resources = sa.table(
        'resources', sa.column('event_id', sa.Integer()), sa.column('position', sa.Integer()),
        sa.column('kind', sa.String()), sa.column('timing', sa.String()),
        sa.column('audience', sa.String()), sa.column('title', sa.String()),
        sa.column('url', sa.String()), sa.column('description', sa.Text()),
        sa.column('week', sa.Integer()), sa.column('created_at', sa.DateTime()),
        sa.column('updated_at', sa.DateTime()))
    if readings:
        op.bulk_insert(resources, [
            dict(event_id=event_id, position=1000 + week, kind='reading', timing='before',
                 audience='registered', title=reading[:TITLE_MAX], url='',
                 description=question, week=week, created_at=now, updated_at=now)
            for event_id, week, reading, question in readings])
    op.drop_table('reading_weeks')
    connection.execute(sa.text(
        "UPDATE people SET timezone = (SELECT MIN(s.timezone) FROM discussion_sign_ups s "
        "WHERE s.person_id = people.id AND s.timezone <> '') "
        "WHERE timezone IS NULL AND EXISTS (SELECT 1 FROM discussion_sign_ups s "
        "WHERE s.person_id = people.id AND s.timezone <> '')"))
    # SQLite drops a column in place (3.35 and later): rebuilding a table that
    # others refer to would fail their foreign keys once rows exist.
    with op.batch_alter_table('discussion_sign_ups', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('timezone')


def downgrade():
    with op.batch_alter_table('roles', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_roles_lead_role_id'))
        batch_op.drop_column('lead_role_id')
    with op.batch_alter_table('discussion_sign_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False,
                                      server_default=''))
    op.create_table('reading_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('reading', sa.String(length=300), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_reading_weeks_discussion_id_book_discussions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_weeks')),
    sa.UniqueConstraint('discussion_id', 'week', name=op.f('uq_reading_weeks_discussion_id'))
    )
    op.execute(
        'INSERT INTO reading_weeks (discussion_id, week, reading, question) '
        'SELECT d.id, r.week, MIN(r.title), MIN(r.description) FROM resources r '
        'JOIN book_discussions d ON d.kickoff_event_id = r.event_id '
        'WHERE r.week IS NOT NULL GROUP BY d.id, r.week')
    op.execute('DELETE FROM resources WHERE week IS NOT NULL')
    with op.batch_alter_table('resources', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('week')
