"""Messages for people, kept in the source language (zh-hans) until someone reads them.

The import parsers and the numerical-answer notation run without Django settings, and what they
report is often stored and read later (a preview's row errors live in ``ImportJob`` as JSON),
perhaps by a staff member who reads English. So they do not translate when they speak: they return
a ``Message``, a ``str`` holding the Chinese text (what the parsers' tests compare, what logs show)
that also remembers its msgid and parameters. Whoever shows it translates it then:
``message.translated()``, or ``translated(stored)`` for what ``as_json()`` or ``as_text()`` kept.

Parser modules write ``_("…%(name)s…", name=value)`` (``from courses.messages import Message as _``)
so that makemessages finds the texts; the English is in locale/en/LC_MESSAGES/django.po.
Importing this module needs no settings; only ``translated`` does, when it is called.
"""

import json

from django.utils.translation import gettext

__all__ = ["Message", "translated"]


class Message(str):
    """The source text with ``params`` filled in; ``msgid`` and ``params`` render it in another language.

    A literal % in a msgid that has parameters is written %%, as in any gettext format string.
    Parameter values are str, int or float, so that ``as_json`` stays plain JSON.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, /, **params):
        message = super().__new__(cls, msgid % params if params else msgid)
        message.msgid = msgid
        message.params = params
        return message

    def translated(self) -> str:
        """This message in the active language."""
        if not self.msgid:
            return ""  # gettext("") is the catalogue's header
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def as_json(self) -> dict:
        """``{"message": source text}``, plus ``msgid`` and ``params`` when it has parameters."""
        if self.params:
            return {"message": str(self), "msgid": self.msgid, "params": self.params}
        return {"message": str(self)}

    def as_text(self) -> str:
        """What a text column keeps: the source text, or ``as_json()`` as JSON text when it has parameters."""
        return json.dumps(self.as_json(), ensure_ascii=False) if self.params else str(self)

    @classmethod
    def from_json(cls, data: dict | str) -> "Message":
        if isinstance(data, str):
            return cls(data)
        if "msgid" in data:
            return cls(data["msgid"], **data["params"])
        return cls(data.get("message", ""))


def translated(value: "Message | dict | str | None") -> str:
    """A message in the active language: a ``Message``, what its ``as_json()`` or ``as_text()`` gave, or
    plain source text. Text without an entry in the catalogue is shown as it was stored."""
    if not value:
        return ""
    if isinstance(value, Message):
        return value.translated()
    if isinstance(value, str) and value.startswith('{"message"'):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return Message.from_json(value).translated() if value.get("message") else ""
    return gettext(value)
