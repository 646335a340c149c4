"""participant self-service, join clicks, reminders

Revision ID: 0002_participant_lifecycle
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_participant_lifecycle'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
