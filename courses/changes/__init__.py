"""遴选 of the course records (课程管理): changes to a live course wait for an organiser.

`records` turns a record into plain values and back (what a change set stores, shows and applies);
`services` holds every write: recording a change, submitting, approving (applying it all at once),
returning, withdrawing and discarding. The views are courses/views/changes.py.
"""
