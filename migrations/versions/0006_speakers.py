"""guest speakers: invitations with answers, speaker links, briefings, reminders

People get their own time zone; roles become invitations (withdrawn, who
answered and when, a note, what the speaker shows publicly, their own
SEQUENCE); events say whether they are recorded. The per-role briefing text,
never shown anywhere, gives way to briefings per programme, series or event.

Revision ID: 0006_speakers
Revises: 0005_waitlist_queue_numbers
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_speakers'
down_revision = '0005_waitlist_queue_numbers'
branch_labels = None
depends_on = None

HAS_TOKEN = sa.text('token_hash IS NOT NULL')


# Only columns added and dropped, tables and indexes created: both databases do
# these in place, so no table is rebuilt (SQLite's batch mode would fail to drop
# one that others point at while they hold rows).
def role_columns():
    """The columns an invitation gains (made afresh for each use)."""
    return (
        sa.Column('message', sa.Text(), nullable=False, server_default=''),
        sa.Column('invited_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by', sa.Enum('speaker', 'organiser', name='answerer',
                                         native_enum=False, length=20), nullable=True),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('display_name', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('bio', sa.Text(), nullable=False, server_default=''),
        sa.Column('listed_publicly', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('recording_consent', sa.Boolean(), nullable=True),
        sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'),
    )


def upgrade():
    op.add_column('people', sa.Column('timezone', sa.String(length=64), nullable=True))
    op.add_column('events', sa.Column('recorded', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for column in role_columns():
        op.add_column('roles', column)
    # ALTER TABLE … DROP COLUMN: SQLite 3.35 and later, and PostgreSQL.
    op.execute('ALTER TABLE roles DROP COLUMN briefing')

    op.create_table(
        'speaker_links',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_speaker_links_person_id_people')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_speaker_links')),
    )
    op.create_index('uq_speaker_links_token_hash', 'speaker_links', ['token_hash'], unique=True,
                    sqlite_where=HAS_TOKEN, postgresql_where=HAS_TOKEN)

    op.create_table(
        'briefings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('written_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_briefings_programme_id_programmes')),
        sa.ForeignKeyConstraint(['series_id'], ['series.id'],
                                name=op.f('fk_briefings_series_id_series')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_briefings_event_id_events')),
        sa.ForeignKeyConstraint(['written_by_id'], ['accounts.id'],
                                name=op.f('fk_briefings_written_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_briefings')),
    )
    for column in ('programme_id', 'series_id', 'event_id'):
        op.create_index(f'ix_briefings_{column}', 'briefings', [column], unique=False)

    op.create_table(
        'speaker_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('offset_minutes', sa.Integer(), nullable=False),
        sa.Column('round', sa.DateTime(), nullable=False),
        sa.Column('sent', sa.Boolean(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['role_id'], ['roles.id'],
                                name=op.f('fk_speaker_reminders_role_id_roles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_speaker_reminders')),
        sa.UniqueConstraint('role_id', 'kind', 'offset_minutes', 'round',
                            name=op.f('uq_speaker_reminders_role_id')),
    )


def downgrade():
    op.drop_table('speaker_reminders')
    for column in ('event_id', 'series_id', 'programme_id'):
        op.drop_index(f'ix_briefings_{column}', table_name='briefings')
    op.drop_table('briefings')
    op.drop_index('uq_speaker_links_token_hash', table_name='speaker_links')
    op.drop_table('speaker_links')

    # Withdrawn invitations did not exist before: they read as declined.
    op.execute("UPDATE roles SET status = 'declined' WHERE status = 'withdrawn'")
    op.add_column('roles', sa.Column('briefing', sa.Text(), nullable=False, server_default=''))
    for table, column in ([('roles', column.name) for column in reversed(role_columns())]
                          + [('events', 'recorded'), ('people', 'timezone')]):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
