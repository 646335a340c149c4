"""Forming book-discussion groups: everyone placed fairly, or the reasons why not and the remedies.

Pure domain code: the caller passes the confirmed sign-ups, the candidate
groups (thread x slot, several of each when needed: ``candidate_groups``),
the organiser's locks and concessions; it gets back a ``Proposal`` or an
``Infeasible``. ``compare_proposals`` lists who moved between two of them.

    proposal = form_groups(participants, candidate_groups(threads, slots, participants),
                           locks={ann_id: group_id}, previous=draft.assignments)
"""

from events.grouping.forming import TIME_LIMIT_SECONDS, form_groups
from events.grouping.inputs import (
    LARGER,
    SMALLER,
    CandidateGroup,
    Concessions,
    Participant,
    SizeException,
    candidate_groups,
)
from events.grouping.outcomes import (
    AddCandidateGroups,
    AllowOneGroupOutsideLimits,
    FormedGroup,
    Infeasible,
    LetFacilitatorsFillSeats,
    Move,
    Obstacle,
    ObstacleKind,
    Proposal,
    Remedy,
    Satisfaction,
    TakeFromWaitlist,
    compare_proposals,
)

__all__ = [
    "LARGER",
    "SMALLER",
    "TIME_LIMIT_SECONDS",
    "AddCandidateGroups",
    "AllowOneGroupOutsideLimits",
    "CandidateGroup",
    "Concessions",
    "FormedGroup",
    "Infeasible",
    "LetFacilitatorsFillSeats",
    "Move",
    "Obstacle",
    "ObstacleKind",
    "Participant",
    "Proposal",
    "Remedy",
    "Satisfaction",
    "SizeException",
    "TakeFromWaitlist",
    "candidate_groups",
    "compare_proposals",
    "form_groups",
]
