"""fewer index pages written per RSVP

A new person's NULL manage-token hash no longer goes into the unique index
(now partial), and the registrations' unique (person, event) index replaces
both the (event, person) one and the separate index on person_id.

Revision ID: 0004_slimmer_rsvp_indexes
Revises: 0003_organisers
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_slimmer_rsvp_indexes'
down_revision = '0003_organisers'
branch_labels = None
depends_on = None

HAS_TOKEN = sa.text('manage_token_hash IS NOT NULL')


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('uq_people_manage_token_hash', type_='unique')
    op.create_index('uq_people_manage_token_hash', 'people', ['manage_token_hash'], unique=True,
                    sqlite_where=HAS_TOKEN, postgresql_where=HAS_TOKEN)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_event_id', type_='unique')
        batch_op.drop_index('ix_registrations_person_id')
        batch_op.create_unique_constraint('uq_registrations_person_id', ['person_id', 'event_id'])


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_person_id', type_='unique')
        batch_op.create_index('ix_registrations_person_id', ['person_id'], unique=False)
        batch_op.create_unique_constraint('uq_registrations_event_id', ['event_id', 'person_id'])
    op.drop_index('uq_people_manage_token_hash', table_name='people')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_people_manage_token_hash', ['manage_token_hash'])
