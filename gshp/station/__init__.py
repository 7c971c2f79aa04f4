"""The coupled station: its components under one contract (:mod:`.contract`), the records
made from them, their preparation from a case, the compiled time loop (:mod:`.kernel`),
the energy balance and the assembled result (docs/architecture.md)."""
