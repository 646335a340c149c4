"""login failures counted per account, people who can be forgotten, one form of e-mail

Wrong passwords are counted per e-mail typed (``login_failures``); a person
gains ``forgotten_at``. Addresses stored before e-mail keys were folded with
NFKC are brought to that form (``events.people.email_key``), where no other
person already holds it; a person whose folded address another already has
keeps theirs as it was (both can still be reached, and an organiser can
forget the stale one).

Revision ID: 0016_limits_and_forgetting
Revises: 0010_resources
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0016_limits_and_forgetting'
down_revision = '0015_session_stamps'
branch_labels = None
depends_on = None


def _key(address):
    # events.people.email_key as of this revision, kept here so that the
    # migration does the same thing whatever the code does later.
    return unicodedata.normalize('NFKC', address.strip()).lower()


def _normalise_people(connection):
    people = sa.table('people', sa.column('id', sa.Integer), sa.column('email', sa.String))
    rows = connection.execute(sa.select(people.c.id, people.c.email)).all()
    taken = {email for _, email in rows}
    for person_id, email in rows:
        folded = _key(email)
        if folded != email and folded not in taken:
            connection.execute(people.update().where(people.c.id == person_id)
                               .values(email=folded))
            taken.discard(email)
            taken.add(folded)
    invitations = sa.table('co_organiser_invitations', sa.column('id', sa.Integer),
                           sa.column('email', sa.String))
    for row_id, email in connection.execute(sa.select(invitations.c.id, invitations.c.email)):
        if _key(email) != email:
            connection.execute(invitations.update().where(invitations.c.id == row_id)
                               .values(email=_key(email)))


def upgrade():
    op.create_table('login_failures',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('email', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forgotten_at', sa.DateTime(), nullable=True))
    _normalise_people(op.get_bind())


def downgrade():
    # Not in batch mode: rebuilding ``people`` on SQLite would drop a table
    # that others point at. SQLite drops a plain column itself (3.35 and later).
    op.execute('ALTER TABLE people DROP COLUMN forgotten_at')
    op.drop_table('login_failures')
