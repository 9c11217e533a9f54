"""Signals accounts sends for the domain apps, which accounts itself must not import.

`profile_saved` is sent (on commit) after a person saved their own profile: certificates waiting for
the holder's identity (信息待补充) are issued then (certificates/holds.py connects to it).
"""

from django.dispatch import Signal

profile_saved = Signal()  # sender: the User model; user: the person
