"""the ideas board: boards, ideas, votes and budgets, help, comments, merges,
news of ideas, verified browsers, early access; who may take part in a programme

Revision ID: 0008_ideas
Revises: 0007_feedback
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_ideas'
down_revision = '0007_feedback'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea_boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('staged', 'topics', name='board_mode', native_enum=False, length=20), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('ideas_open_at', sa.DateTime(), nullable=True),
    sa.Column('ideas_close_at', sa.DateTime(), nullable=True),
    sa.Column('vote_budget', sa.Integer(), nullable=False),
    sa.Column('ready_votes', sa.Integer(), nullable=False),
    sa.Column('finalists', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_idea_boards_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_boards')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_idea_boards_programme_id'))
    )
    op.create_table('idea_news_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_idea_news_opt_outs_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_news_opt_outs')),
    sa.UniqueConstraint('person_id', name=op.f('uq_idea_news_opt_outs_person_id'))
    )
    op.create_table('verified_browsers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_verified_browsers_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verified_browsers'))
    )
    with op.batch_alter_table('verified_browsers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verified_browsers_person_id'), ['person_id'], unique=False)

    op.create_table('address_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['idea_boards.id'], name=op.f('fk_address_checks_board_id_idea_boards')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_address_checks_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_checks'))
    )
    with op.batch_alter_table('address_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_checks_person_id'), ['person_id'], unique=False)

    op.create_table('vote_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('challenge', 'idea', 'topic', name='idea_kind', native_enum=False, length=20), nullable=False),
    sa.Column('active_votes', sa.Integer(), nullable=False),
    sa.CheckConstraint('active_votes >= 0', name=op.f('ck_vote_budgets_active_votes_not_negative')),
    sa.ForeignKeyConstraint(['board_id'], ['idea_boards.id'], name=op.f('fk_vote_budgets_board_id_idea_boards')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_vote_budgets_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_budgets')),
    sa.UniqueConstraint('board_id', 'person_id', 'kind', name=op.f('uq_vote_budgets_board_id'))
    )
    op.create_table('early_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_early_access_event_id_events')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_early_access_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_early_access')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_early_access_event_id'))
    )
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('challenge', 'idea', 'topic', name='idea_kind', native_enum=False, length=20), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=False),
    sa.Column('show_full_name', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('open', 'under_review', 'ready', 'planned', 'done', 'declined', 'duplicate', name='idea_status', native_enum=False, length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['idea_boards.id'], name=op.f('fk_ideas_board_id_idea_boards')),
    sa.ForeignKeyConstraint(['challenge_id'], ['ideas.id'], name=op.f('fk_ideas_challenge_id_ideas')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_ideas_event_id_events')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_ideas_merged_into_id_ideas')),
    sa.ForeignKeyConstraint(['proposer_id'], ['people.id'], name=op.f('fk_ideas_proposer_id_people')),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_ideas_series_id_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_board_id_kind', ['board_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_proposer_id'), ['proposer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_series_id'), ['series_id'], unique=False)

    op.create_table('help_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('facilitate', 'co_host', name='help_role', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_help_offers_idea_id_ideas')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_help_offers_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_offers')),
    sa.UniqueConstraint('idea_id', 'person_id', name=op.f('uq_help_offers_idea_id'))
    )
    with op.batch_alter_table('help_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_offers_person_id'), ['person_id'], unique=False)

    op.create_table('idea_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_comments_idea_id_ideas')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_idea_comments_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comments'))
    )
    with op.batch_alter_table('idea_comments', schema=None) as batch_op:
        batch_op.create_index('ix_idea_comments_idea_id_created_at', ['idea_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_comments_person_id'), ['person_id'], unique=False)

    op.create_table('idea_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duplicate_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.Enum('open', 'under_review', 'ready', 'planned', 'done', 'declined', 'duplicate', name='idea_status', native_enum=False, length=20), nullable=False),
    sa.Column('previous_reason', sa.Text(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['duplicate_id'], ['ideas.id'], name=op.f('fk_idea_merges_duplicate_id_ideas')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['accounts.id'], name=op.f('fk_idea_merges_merged_by_id_accounts')),
    sa.ForeignKeyConstraint(['target_id'], ['ideas.id'], name=op.f('fk_idea_merges_target_id_ideas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_merges'))
    )
    with op.batch_alter_table('idea_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_merges_duplicate_id'), ['duplicate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_merges_target_id'), ['target_id'], unique=False)

    op.create_table('idea_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('about', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_notices_idea_id_ideas')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_idea_notices_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_notices')),
    sa.UniqueConstraint('idea_id', 'person_id', 'about', name=op.f('uq_idea_notices_idea_id'))
    )
    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_votes_idea_id_ideas')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_votes_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('idea_id', 'person_id', name=op.f('uq_votes_idea_id'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_person_id'), ['person_id'], unique=False)

    op.create_table('idea_merge_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merge_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=10), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('absorbed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['merge_id'], ['idea_merges.id'], name=op.f('fk_idea_merge_moves_merge_id_idea_merges')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_idea_merge_moves_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_merge_moves'))
    )
    with op.batch_alter_table('idea_merge_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_merge_moves_merge_id'), ['merge_id'], unique=False)

    # Only columns added, in place: a batch rebuild of these tables would fail to drop
    # them while other tables' rows point at them (as in 0005).
    op.add_column('events', sa.Column('announced_at', sa.DateTime(), nullable=True))
    # Existing programmes admit everyone, as before.
    op.add_column('programmes', sa.Column('allowed_domains', sa.Text(), nullable=False,
                                          server_default=''))
    op.add_column('programmes', sa.Column('allowed_domains_label', sa.String(length=100),
                                          nullable=False, server_default=''))
    op.add_column('programmes', sa.Column('allowed_domains_for_rsvps', sa.Boolean(),
                                          nullable=False, server_default=sa.false()))


def downgrade():
    # ALTER TABLE … DROP COLUMN: SQLite 3.35 and later, and PostgreSQL.
    for table, column in (('programmes', 'allowed_domains_for_rsvps'),
                          ('programmes', 'allowed_domains_label'),
                          ('programmes', 'allowed_domains'), ('events', 'announced_at')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')

    with op.batch_alter_table('idea_merge_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_merge_moves_merge_id'))

    op.drop_table('idea_merge_moves')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_person_id'))

    op.drop_table('votes')
    op.drop_table('idea_notices')
    with op.batch_alter_table('idea_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_merges_target_id'))
        batch_op.drop_index(batch_op.f('ix_idea_merges_duplicate_id'))

    op.drop_table('idea_merges')
    with op.batch_alter_table('idea_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_comments_person_id'))
        batch_op.drop_index('ix_idea_comments_idea_id_created_at')

    op.drop_table('idea_comments')
    with op.batch_alter_table('help_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_offers_person_id'))

    op.drop_table('help_offers')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_series_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_proposer_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_event_id'))
        batch_op.drop_index('ix_ideas_board_id_kind')

    op.drop_table('ideas')
    op.drop_table('early_access')
    op.drop_table('vote_budgets')
    with op.batch_alter_table('address_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_checks_person_id'))

    op.drop_table('address_checks')
    with op.batch_alter_table('verified_browsers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verified_browsers_person_id'))

    op.drop_table('verified_browsers')
    op.drop_table('idea_news_opt_outs')
    op.drop_table('idea_boards')
