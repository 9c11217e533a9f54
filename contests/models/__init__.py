from .answers import TheoryAnswer, TheoryAnswerLog
from .audit import Announcement, AuditLog
from .board import RoundSequence, ScoreboardEvent, ScoreboardEventKind, ScoreboardRow
from .contest import AwardMode, Contest, ContestLevel, Track, TrackJudge, TrackKind, TrackPurpose
from .eligibility import ImportStatus, RegistrationImport, TrackEligibility
from .judging import Criterion, CriterionAggregation, CriterionKind, CriterionResult, JudgeScore, Task
from .practice import DeviceCheck, PracticeAnswer, PracticeAttempt, TrackPractice
from .progression import (
    AdvancedRegistration,
    Advancement,
    AdvancementScope,
    Nomination,
    NominationStatus,
    Qualifier,
    QuotaScope,
    TieRule,
)
from .registration import (
    ACTIVE_STATUSES,
    InvitationStatus,
    Province,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    TeamInvitation,
    TeamMember,
)
from .review import AwardPreview, FinalConfirmation, ReviewPart, ReviewRequest, ReviewStatus
from .rounds import Entry, Round, RoundQuestion, RoundStage, RoundStatus
from .seats import SeatDraw

__all__ = [
    "AdvancedRegistration",
    "Advancement",
    "AdvancementScope",
    "Nomination",
    "NominationStatus",
    "Qualifier",
    "QuotaScope",
    "TieRule",
    "ACTIVE_STATUSES",
    "Announcement",
    "AuditLog",
    "AwardPreview",
    "AwardMode",
    "Contest",
    "ContestLevel",
    "Criterion",
    "DeviceCheck",
    "CriterionAggregation",
    "CriterionKind",
    "CriterionResult",
    "Entry",
    "FinalConfirmation",
    "ImportStatus",
    "InvitationStatus",
    "JudgeScore",
    "PracticeAnswer",
    "PracticeAttempt",
    "Province",
    "Registration",
    "RegistrationImport",
    "RegistrationSource",
    "RegistrationStatus",
    "ReviewPart",
    "ReviewRequest",
    "ReviewStatus",
    "Round",
    "RoundQuestion",
    "RoundSequence",
    "RoundStage",
    "RoundStatus",
    "ScoreboardEvent",
    "ScoreboardEventKind",
    "ScoreboardRow",
    "SeatDraw",
    "Task",
    "TeamInvitation",
    "TeamMember",
    "TheoryAnswer",
    "TheoryAnswerLog",
    "Track",
    "TrackEligibility",
    "TrackJudge",
    "TrackKind",
    "TrackPractice",
    "TrackPurpose",
]
