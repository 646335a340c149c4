"""book discussions: the book, threads, slots, reading plan, sign-ups, groups, meetings

Also ``events.listed``: a discussion group's weekly meetings stay off public pages.

Revision ID: 0009_book_discussions
Revises: 0008_ideas
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_book_discussions'
down_revision = '0008_ideas'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('book_discussions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kickoff_event_id', sa.Integer(), nullable=False),
    sa.Column('book_title', sa.String(length=300), nullable=False),
    sa.Column('book_author', sa.String(length=200), nullable=False),
    sa.Column('book_isbn', sa.String(length=20), nullable=False),
    sa.Column('book_url', sa.String(length=500), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('first_week_on', sa.Date(), nullable=False),
    sa.Column('meeting_minutes', sa.Integer(), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('max_group_size', sa.Integer(), nullable=False),
    sa.Column('facilitator_seats', sa.Integer(), nullable=False),
    sa.Column('size_exception_reason', sa.Text(), nullable=False),
    sa.Column('size_exception_sides', sa.String(length=20), nullable=False),
    sa.Column('last_formed_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kickoff_event_id'], ['events.id'], name=op.f('fk_book_discussions_kickoff_event_id_events')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_book_discussions_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_book_discussions')),
    sa.UniqueConstraint('kickoff_event_id', name=op.f('uq_book_discussions_kickoff_event_id'))
    )
    with op.batch_alter_table('book_discussions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_book_discussions_programme_id'), ['programme_id'], unique=False)

    op.create_table('discussion_sign_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('slot_ids', sa.JSON(), nullable=False),
    sa.Column('thread_ids', sa.JSON(), nullable=False),
    sa.Column('with_email', sa.String(length=320), nullable=False),
    sa.Column('shares_first_name', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_discussion_sign_ups_discussion_id_book_discussions')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_discussion_sign_ups_person_id_people')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_discussion_sign_ups_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_sign_ups')),
    sa.UniqueConstraint('discussion_id', 'person_id', name=op.f('uq_discussion_sign_ups_discussion_id')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_discussion_sign_ups_registration_id'))
    )
    with op.batch_alter_table('discussion_sign_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_sign_ups_person_id'), ['person_id'], unique=False)

    op.create_table('discussion_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_discussion_threads_discussion_id_book_discussions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_threads'))
    )
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_threads_discussion_id'), ['discussion_id'], unique=False)

    op.create_table('meeting_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_meeting_slots_discussion_id_book_discussions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_slots'))
    )
    with op.batch_alter_table('meeting_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_slots_discussion_id'), ['discussion_id'], unique=False)

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
    op.create_table('discussion_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('meeting_url', sa.String(length=500), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('max_size', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('candidate', 'running', 'closed', name='group_status', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_discussion_groups_discussion_id_book_discussions')),
    sa.ForeignKeyConstraint(['facilitator_id'], ['people.id'], name=op.f('fk_discussion_groups_facilitator_id_people')),
    sa.ForeignKeyConstraint(['slot_id'], ['meeting_slots.id'], name=op.f('fk_discussion_groups_slot_id_meeting_slots')),
    sa.ForeignKeyConstraint(['thread_id'], ['discussion_threads.id'], name=op.f('fk_discussion_groups_thread_id_discussion_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_groups'))
    )
    with op.batch_alter_table('discussion_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_groups_discussion_id'), ['discussion_id'], unique=False)

    op.create_table('draft_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('sign_up_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('previous_group_id', sa.Integer(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['book_discussions.id'], name=op.f('fk_draft_placements_discussion_id_book_discussions')),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_groups.id'], name=op.f('fk_draft_placements_group_id_discussion_groups')),
    sa.ForeignKeyConstraint(['previous_group_id'], ['discussion_groups.id'], name=op.f('fk_draft_placements_previous_group_id_discussion_groups')),
    sa.ForeignKeyConstraint(['sign_up_id'], ['discussion_sign_ups.id'], name=op.f('fk_draft_placements_sign_up_id_discussion_sign_ups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_placements')),
    sa.UniqueConstraint('sign_up_id', name=op.f('uq_draft_placements_sign_up_id'))
    )
    with op.batch_alter_table('draft_placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_placements_discussion_id'), ['discussion_id'], unique=False)

    op.create_table('group_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_group_meetings_event_id_events')),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_groups.id'], name=op.f('fk_group_meetings_group_id_discussion_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_meetings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_group_meetings_event_id')),
    sa.UniqueConstraint('group_id', 'week', name=op.f('uq_group_meetings_group_id'))
    )
    op.create_table('group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sign_up_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'left', name='member_status', native_enum=False, length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_groups.id'], name=op.f('fk_group_members_group_id_discussion_groups')),
    sa.ForeignKeyConstraint(['sign_up_id'], ['discussion_sign_ups.id'], name=op.f('fk_group_members_sign_up_id_discussion_sign_ups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_members')),
    sa.UniqueConstraint('sign_up_id', name=op.f('uq_group_members_sign_up_id'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index('ix_group_members_group_id_status', ['group_id', 'status'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['group_meetings.id'], name=op.f('fk_meeting_attendance_meeting_id_group_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['group_members.id'], name=op.f('fk_meeting_attendance_member_id_group_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_meeting_attendance_meeting_id'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_member_id'), ['member_id'], unique=False)

    # Plain ALTER TABLE: a batch copy of events would drop a table that rows point at.
    op.add_column('events', sa.Column('listed', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))



def downgrade():
    # ALTER TABLE … DROP COLUMN: SQLite 3.35 and later, and PostgreSQL.
    op.execute('ALTER TABLE events DROP COLUMN listed')

    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_member_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index('ix_group_members_group_id_status')

    op.drop_table('group_members')
    op.drop_table('group_meetings')
    with op.batch_alter_table('draft_placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_placements_discussion_id'))

    op.drop_table('draft_placements')
    with op.batch_alter_table('discussion_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_groups_discussion_id'))

    op.drop_table('discussion_groups')
    op.drop_table('reading_weeks')
    with op.batch_alter_table('meeting_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_slots_discussion_id'))

    op.drop_table('meeting_slots')
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_threads_discussion_id'))

    op.drop_table('discussion_threads')
    with op.batch_alter_table('discussion_sign_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_sign_ups_person_id'))

    op.drop_table('discussion_sign_ups')
    with op.batch_alter_table('book_discussions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_book_discussions_programme_id'))

    op.drop_table('book_discussions')
