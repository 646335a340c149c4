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
    pass


def downgrade():
    pass
