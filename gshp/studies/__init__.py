"""Studies on the station: one case (:mod:`.simulate`), many in parallel (:mod:`.runner`),
sweeps over a grid (:mod:`.sweep`) and borefield sizing (:mod:`.sizing`)."""
