"""session stamps: logging out ends a login on the server too

Each account gets a random stamp that its login cookies carry; logging out
or setting a password draws a new one. Existing accounts get a stamp of
their own, which ends the logins made before the upgrade (once).

Revision ID: 0015_session_stamps
Revises: 0010_resources
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0015_session_stamps'
down_revision = '0014_outbox_failures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_stamp', sa.String(length=32), nullable=True))

    accounts = sa.table('accounts', sa.column('id', sa.Integer),
                        sa.column('session_stamp', sa.String))
    connection = op.get_bind()
    for (account_id,) in connection.execute(sa.select(accounts.c.id)).all():
        connection.execute(accounts.update().where(accounts.c.id == account_id)
                           .values(session_stamp=secrets.token_urlsafe(16)))

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('session_stamp', existing_type=sa.String(length=32),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('session_stamp')
