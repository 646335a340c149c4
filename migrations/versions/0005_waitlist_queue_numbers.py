"""waitlist order by queue number; the waitlist's length and last number kept on the event

A waitlist RSVP takes the next queue number under the same guarded UPDATE of
the event that serialises seats, and learns its position from the length kept
beside it, so joining costs the same however long the queue. Existing
waitlists are numbered in their old order (queued_at, then id).

Revision ID: 0005_waitlist_queue_numbers
Revises: 0004_slimmer_rsvp_indexes
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_waitlist_queue_numbers'
down_revision = '0004_slimmer_rsvp_indexes'
branch_labels = None
depends_on = None


# Only columns added and dropped, and indexes: both databases do these in place,
# so no table is rebuilt (SQLite's batch mode would fail to drop one that others
# point at while they hold rows).


def upgrade():
    op.add_column('events', sa.Column('waitlist_length', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.add_column('events', sa.Column('last_queue_number', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.add_column('registrations', sa.Column('queue_number', sa.Integer(), nullable=True))
    op.drop_index('ix_registrations_event_status_queued', table_name='registrations')
    op.create_index('ix_registrations_event_status_queue', 'registrations',
                    ['event_id', 'status', 'queue_number'], unique=False)

    op.execute(
        "UPDATE registrations SET queue_number = ranked.number FROM ("
        " SELECT id, row_number() OVER (PARTITION BY event_id ORDER BY queued_at, id)"
        " AS number FROM registrations WHERE status = 'waitlisted') AS ranked"
        " WHERE registrations.id = ranked.id")
    op.execute(
        "UPDATE events SET"
        " waitlist_length = (SELECT count(*) FROM registrations r"
        "  WHERE r.event_id = events.id AND r.status = 'waitlisted'),"
        " last_queue_number = coalesce((SELECT max(r.queue_number) FROM registrations r"
        "  WHERE r.event_id = events.id), 0)")


def downgrade():
    op.drop_index('ix_registrations_event_status_queue', table_name='registrations')
    op.create_index('ix_registrations_event_status_queued', 'registrations',
                    ['event_id', 'status', 'queued_at'], unique=False)
    # ALTER TABLE … DROP COLUMN: SQLite 3.35 and later, and PostgreSQL.
    for table, column in (('registrations', 'queue_number'), ('events', 'last_queue_number'),
                          ('events', 'waitlist_length')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
