"""Every write of enterprise training goes through a service here (roster, classes, …).

roster.py   the roster: one worker added or marked left, file imports, invitations accepted
classes.py  training classes (create, edit, open, courses, members, enrolment) and partner providers
"""

from .classes import (
    class_course_add,
    class_course_remove,
    class_enrol,
    class_member_remove,
    class_members_add,
    entries_enrol,
    training_class_create,
    training_class_open,
    training_class_update,
    training_partner_grant,
    training_partner_withdraw,
)
from .roster import (
    roster_entry_add,
    roster_entry_leave,
    roster_import_apply,
    roster_import_create,
    roster_invitation_accept,
)

__all__ = [
    "class_course_add",
    "class_course_remove",
    "class_enrol",
    "class_member_remove",
    "class_members_add",
    "entries_enrol",
    "roster_entry_add",
    "roster_entry_leave",
    "roster_import_apply",
    "roster_import_create",
    "roster_invitation_accept",
    "training_class_create",
    "training_class_open",
    "training_class_update",
    "training_partner_grant",
    "training_partner_withdraw",
]
