"""Every write of the expert pool: `pool` (imports, declared conflicts) and `assignment` (judges of a
track taken from the pool, the chief judge). Views, the admin and the demo call these."""

from .assignment import chief_judge_clear, chief_judge_set, pool_assign, pool_unassign
from .pool import conflict_declare, expert_import_apply, expert_import_create

__all__ = [
    "chief_judge_clear",
    "chief_judge_set",
    "conflict_declare",
    "expert_import_apply",
    "expert_import_create",
    "pool_assign",
    "pool_unassign",
]
