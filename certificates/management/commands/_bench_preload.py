"""Imported by the forkserver of bench_certificates' process pool, before it forks any worker.

Sets Django up and warms the certificate renderer (pdf.warm_up: imports, fonts, the seal, a first
layout) in that one process, so each pool process, forked from it, starts ready in milliseconds
instead of spending ~1.5 s of CPU on imports and first renders; replacing a recycled worker becomes
cheap. Opens no database connection: the forked workers open their own.
"""

import django

django.setup()

from certificates import pdf  # noqa: E402 - after django.setup()

pdf.warm_up()
