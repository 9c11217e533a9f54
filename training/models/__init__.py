"""Enterprise training: an organisation's roster of workers and the classes (培训班) they are put in.

roster.py        RosterEntry — a worker on an organisation's roster, matched to an account or invited
classes.py       TrainingClass, ClassCourse (the courses assigned), ClassMember (the workers in it)
partners.py      TrainingPartner — a provider an organisation lets run classes for it
imports.py       RosterImport — an uploaded roster file between preview and confirmation
applications.py  ClassApplication (开班申请) with its teachers and events, ClassSignIn (签到)
"""

from .applications import (
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTeacher,
    ClassApplication,
    ClassSignIn,
)
from .classes import ClassCourse, ClassMember, ClassStatus, TrainingClass
from .imports import RosterImport, RosterImportStatus
from .partners import TrainingPartner
from .roster import RosterEntry, RosterStatus

__all__ = [
    "ApplicationAction",
    "ApplicationEvent",
    "ApplicationStatus",
    "ApplicationTeacher",
    "ClassApplication",
    "ClassCourse",
    "ClassMember",
    "ClassSignIn",
    "ClassStatus",
    "RosterEntry",
    "RosterImport",
    "RosterImportStatus",
    "RosterStatus",
    "TrainingClass",
    "TrainingPartner",
]
