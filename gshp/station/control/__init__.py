"""Station control rules (:mod:`.rules`) and the network setpoint strategies
(:mod:`.strategies`); the control component is :mod:`gshp.station.components.control`."""
