"""Pages of the expert pool, by audience: `pool` (the list, an expert's page), `imports` (XLSX
import, organisers), `assignment` (a track's judges from the pool, organisers)."""
