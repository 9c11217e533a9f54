"""The 企业培训 console (a front-end console, not the Wagtail admin: training managers are ordinary
users) and the invitation page a worker opens.

access.py       who reaches which organisation and class (everyone else gets a 404)
manager.py      the console's home, the roster, file imports, partner providers
classes.py      training classes: create, edit, courses, members, open
invitations.py  /training/invitations/<token>/: a worker links an account to a roster row
"""
