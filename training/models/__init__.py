"""Enterprise training: an organisation's roster of workers and the classes (培训班) they are put in.

roster.py    RosterEntry — a worker on an organisation's roster, matched to an account or invited
classes.py   TrainingClass, ClassCourse (the courses assigned), ClassMember (the workers in it)
partners.py  TrainingPartner — a provider an organisation lets run classes for it
imports.py   RosterImport — an uploaded roster file between preview and confirmation
"""

from .classes import ClassCourse, ClassMember, ClassStatus, TrainingClass
from .imports import RosterImport, RosterImportStatus
from .partners import TrainingPartner
from .roster import RosterEntry, RosterStatus

__all__ = [
    "ClassCourse",
    "ClassMember",
    "ClassStatus",
    "RosterEntry",
    "RosterImport",
    "RosterImportStatus",
    "RosterStatus",
    "TrainingClass",
    "TrainingPartner",
]
