"""guest speakers: invitations with answers, speaker links, briefings, reminders

People get their own time zone; roles become invitations (withdrawn, who
answered and when, a note, what the speaker shows publicly, their own
SEQUENCE); events say whether they are recorded. The per-role briefing text,
never shown anywhere, gives way to briefings per programme, series or event.

Revision ID: 0006_speakers
Revises: 0004_slimmer_rsvp_indexes
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_speakers'
down_revision = '0004_slimmer_rsvp_indexes'
branch_labels = None
depends_on = None

HAS_TOKEN = sa.text('token_hash IS NOT NULL')


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('answered_by', sa.Enum(
            'speaker', 'organiser', name='answerer', native_enum=False, length=20),
            nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('display_name', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('bio', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('listed_publicly', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('recording_consent', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_column('briefing')

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
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_briefings_programme_id'), ['programme_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_briefings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_briefings_event_id'), ['event_id'], unique=False)

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
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_briefings_event_id'))
        batch_op.drop_index(batch_op.f('ix_briefings_series_id'))
        batch_op.drop_index(batch_op.f('ix_briefings_programme_id'))
    op.drop_table('briefings')
    op.drop_index('uq_speaker_links_token_hash', table_name='speaker_links')
    op.drop_table('speaker_links')

    # Withdrawn invitations did not exist before: they read as declined.
    op.execute("UPDATE roles SET status = 'declined' WHERE status = 'withdrawn'")
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('briefing', sa.Text(), nullable=False, server_default=''))
        for column in ('sequence', 'recording_consent', 'listed_publicly', 'bio',
                       'display_name', 'note', 'answered_by', 'answered_at', 'invited_at',
                       'message'):
            batch_op.drop_column(column)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('recorded')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('timezone')
