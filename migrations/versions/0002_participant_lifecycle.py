"""participant self-service, join clicks, reminders

Revision ID: 0002_participant_lifecycle
Revises: 0001_initial
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0002_participant_lifecycle'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manage_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('manage_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_people_manage_token_hash'),
                                          ['manage_token_hash'])

    # Every person already known gets a random nonce of their own, so their
    # first manage link is as unguessable as a new person's.
    people = sa.table('people', sa.column('id', sa.Integer),
                      sa.column('manage_nonce', sa.String))
    connection = op.get_bind()
    for (person_id,) in connection.execute(sa.select(people.c.id)).all():
        connection.execute(people.update().where(people.c.id == person_id)
                           .values(manage_nonce=secrets.token_urlsafe(32)))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('manage_nonce', existing_type=sa.String(length=64),
                              nullable=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_closed_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_joined_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_person_id_people'), 'people',
                                    ['person_id'], ['id'])

    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('offset_minutes', sa.Integer(), nullable=False),
        sa.Column('sent', sa.Boolean(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_reminders_registration_id_registrations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
        sa.UniqueConstraint('registration_id', 'offset_minutes',
                            name=op.f('uq_reminders_registration_id')),
    )


def downgrade():
    op.drop_table('reminders')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_person_id_people'), type_='foreignkey')
        batch_op.drop_column('person_id')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('first_joined_at')
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('waitlist_closed_at')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_people_manage_token_hash'), type_='unique')
        batch_op.drop_column('manage_token_hash')
        batch_op.drop_column('manage_nonce')
