"""organiser accounts and programme membership

Revision ID: 0003_organisers
Revises: 0002_participant_lifecycle
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_organisers'
down_revision = '0002_participant_lifecycle'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_accounts_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('person_id', name=op.f('uq_accounts_person_id'))
    )
    op.create_table('programme_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_programme_memberships_account_id_accounts')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_memberships_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_memberships')),
    sa.UniqueConstraint('account_id', 'programme_id', name=op.f('uq_programme_memberships_account_id'))
    )
    with op.batch_alter_table('programme_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_memberships_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_memberships_programme_id'), ['programme_id'], unique=False)

    op.create_table('co_organiser_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['accounts.id'], name=op.f('fk_co_organiser_invitations_invited_by_id_accounts')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_co_organiser_invitations_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_co_organiser_invitations'))
    )
    with op.batch_alter_table('co_organiser_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_organiser_invitations_programme_id'), ['programme_id'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_password_resets_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_account_id'), ['account_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_announcements_event_id_events')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['accounts.id'], name=op.f('fk_announcements_sent_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_event_id'))
    op.drop_table('announcements')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_account_id'))
    op.drop_table('password_resets')
    with op.batch_alter_table('co_organiser_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_organiser_invitations_programme_id'))
    op.drop_table('co_organiser_invitations')
    with op.batch_alter_table('programme_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_memberships_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_memberships_account_id'))
    op.drop_table('programme_memberships')
    op.drop_table('accounts')
