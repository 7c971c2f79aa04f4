"""Validation of gshp against reference programs, measurements and published studies.

``gshp validate [-o DIR] [--quick]`` runs every check and writes ``DIR/validation.md``
with PNG figures and a summary table (check, reference with citation, gshp value,
difference, tolerance, pass/fail). One module per check family:

1. :mod:`~gshp.validation.aggregation` — Claesson–Javed aggregation vs pygfunction;
2. :mod:`~gshp.validation.gfunctions` — field g-functions vs pygfunction (3 layouts,
   UBWT and MIFT);
3. :mod:`~gshp.validation.beier` — the Beier et al. (2011) sandbox response test;
4. :mod:`~gshp.validation.heatpump` — EN 14511 points vs certified machines;
5. :mod:`~gshp.validation.district` — docs/reference-study.md §7: R3, R5, R6;
6. :mod:`~gshp.validation.study` — the reference study at station level, 20 years, with
   a one-at-a-time sensitivity table (full run only);
7. :mod:`~gshp.validation.balance` — energy balance of every run and determinism;
8. :mod:`~gshp.validation.ghetool` — GHEtool (own interpreter, ``--ghetool-python``) on the
   Ahmadfard & Bernier (2019) sizing benchmark; skipped with one line without GHEtool.

``--quick`` runs 1–5 and 7 (on one-year runs) and 8 (test 1a only) in about a minute; the
test suite runs it.
"""

from gshp.validation.run import (
    FULL,
    QUICK,
    REFERENCE_CASES,
    Context,
    default_cases_dir,
    run_checks,
    validate,
)

__all__ = ["FULL", "QUICK", "REFERENCE_CASES", "Context", "default_cases_dir", "run_checks",
           "validate"]  # fmt: skip
