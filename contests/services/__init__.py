"""Every write in the contest domain. Views, admin, consumers and commands call these, as
`services.round_start(...)`, whichever sub-domain module holds them:

- `registration`: registering for a track, team invitations (accept, decline), withdrawing,
  approving and rejecting;
- `rounds`: the organiser's round control (one `round_transition` for every state change), the
  reveal, announcements, and the clock that ends a round;
- `round_settings`: the manual freeze and the safe settings of a started round;
- `answers`: console sessions and theory answers, stored in batches (group commit);
- `integrity`: the console's integrity signals, handing in early (交卷), one device per contestant;
- `judging`: judges of a track and their scores;
- `seats`: 检录 (check-in), the seat draw by lot (commit, run, reveal), and the audit line of a
  judge's refused request (blind judging);
- `papers`: theory papers, edited while the round is a draft and copied into it when the lobby opens;
- `review`: the award preview, review requests (成绩复核) and the final results;
- `board`: board rows created, moved, frozen and revealed (used by the others);
- `common`: the refusal type, the organiser check, the Round lock, the audit line, feed numbers.

Each function is keyword-only and atomic; broadcasts go through `contests.events` after commit.
Organiser and judge actions are written to the audit log in the same transaction. The lock order
is in `common`.
"""

from .answers import (
    ID_MAX,
    AnswerAck,
    AnswerRejected,
    AnswerSave,
    answer_save_check,
    entries_connect,
    entry_connect,
    is_db_id,
    theory_answers_save,
)
from .common import ContestError
from .integrity import (
    device_digest,
    entry_device_release,
    entry_hand_in,
    entry_signals_add,
)
from .judging import judge_assign, judge_score_confirm, judge_score_submit, judge_unassign
from .papers import paper_fixed_message, paper_question_add, paper_question_change, paper_question_remove
from .presence import entries_disconnect, entry_disconnect
from .registration import (
    invitation_accept,
    invitation_decline,
    registration_approve,
    registration_refusal,
    registration_reject,
    registration_submit,
    registration_withdraw,
)
from .review import (
    can_answer_reviews,
    review_change,
    review_file,
    review_uphold,
    round_awards_confirm,
    round_confirm_final,
    round_finalise_if_due,
    rounds_finalise_due,
)
from .round_settings import round_edit, round_freeze, round_locked_fields, round_unfreeze
from .rounds import (
    MAX_EXTENSION_SECONDS,
    round_announce,
    round_end,
    round_end_if_due,
    round_extend,
    round_last_deadline,
    round_open_lobby,
    round_pause,
    round_publish_results,
    round_resume,
    round_reveal_next,
    round_start,
)
from .seats import entries_check_in, entry_check_in_undo, judge_refusal_record, seat_draw_commit, seat_draw_run

__all__ = [
    "ID_MAX",
    "MAX_EXTENSION_SECONDS",
    "AnswerAck",
    "AnswerRejected",
    "AnswerSave",
    "ContestError",
    "answer_save_check",
    "device_digest",
    "entry_device_release",
    "entry_hand_in",
    "entry_signals_add",
    "entries_check_in",
    "entry_check_in_undo",
    "can_answer_reviews",
    "entries_connect",
    "entry_connect",
    "entries_disconnect",
    "entry_disconnect",
    "invitation_accept",
    "invitation_decline",
    "is_db_id",
    "judge_assign",
    "judge_refusal_record",
    "judge_score_confirm",
    "judge_score_submit",
    "judge_unassign",
    "paper_fixed_message",
    "paper_question_add",
    "paper_question_change",
    "paper_question_remove",
    "registration_approve",
    "registration_refusal",
    "registration_reject",
    "registration_submit",
    "registration_withdraw",
    "review_change",
    "review_file",
    "review_uphold",
    "round_announce",
    "round_edit",
    "round_freeze",
    "round_locked_fields",
    "round_unfreeze",
    "round_awards_confirm",
    "round_confirm_final",
    "round_end",
    "round_end_if_due",
    "round_extend",
    "round_finalise_if_due",
    "round_last_deadline",
    "round_open_lobby",
    "round_pause",
    "round_publish_results",
    "round_resume",
    "round_reveal_next",
    "round_start",
    "seat_draw_commit",
    "seat_draw_run",
    "rounds_finalise_due",
    "theory_answers_save",
]
