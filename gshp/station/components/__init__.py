"""The station's components as records for the compiled kernel.

Each component owns a parameter record and, where it has memory, a state record —
``typing.NamedTuple`` of scalars and arrays that numba passes by value; mutable state
lives in arrays (a NamedTuple is immutable in numba). Each module builds its records
and provides the compiled step functions that :func:`gshp.station.kernel.run_kernel` calls in
the order of the energy balance (see ``docs/architecture.md``):

=============  ===========================  ================================================
module         records                      step functions
=============  ===========================  ================================================
``clock``      ClockParams                  (time indices in the loop)
``load``       LoadParams, LoadState        ``booster_cops_at``, ``network_load``
``control``    ControlParams, ControlState  ``daily_setpoint``, ``season_mode``, ``switch``
``gshp_unit``  GshpParams                   ``gshp_step``
``bypass``     —                            ``bypass_inlet``, ``bypass_heat``
``borefield``  BorefieldParams, -State      ``ground_coeffs``, ``ground_advance``
``tank``       TankKernel (gshp.physics.tank)       ``tank_valve_step``
``network``    NetworkParams, NetworkState  ``network_flow``, ``network_node_step``
=============  ===========================  ================================================

The borefield's ground model (:class:`gshp.physics.borefield.model.BorefieldKernel`) and the
tank (:class:`gshp.physics.tank.TankKernel`) are records already; they hold their state arrays
themselves.
"""
