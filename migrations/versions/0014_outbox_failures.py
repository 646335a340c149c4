"""a contact address for each programme

Invitations name it as their ORGANIZER (calendar checkers refuse the site's
``mingle@localhost``); programmes that existed before have none, and keep
the site's sender until an organiser sets one.

Revision ID: 0014_outbox_failures
Revises: 0010_resources
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_outbox_failures'
down_revision = '0011_planning'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=320), nullable=False,
                                      server_default=''))


def downgrade():
    # SQLite drops a column in place (3.35 and later): rebuilding a table that
    # others refer to would fail their foreign keys once rows exist.
    with op.batch_alter_table('programmes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('contact_email')
