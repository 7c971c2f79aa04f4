"""The district network: buried pipe pairs in a tree, with transport delay and heat
exchange with the soil (docs/reference-study.md §2, "Network").

Modules, each of pure functions with units and references in their docstrings:

* :mod:`~gshp.physics.network.heat_loss` — U′ of a buried pipe and of a supply–return pair;
* :mod:`~gshp.physics.network.plugflow` — compiled Lagrangian plug-flow pipe (exact per step);
* :mod:`~gshp.physics.network.soil` — soil temperature at pipe depth (Kusuda–Achenbach);
* :mod:`~gshp.physics.network.hydraulics` — Darcy–Weisbach, friction factor, PE100 sizes, sizing;
* :mod:`~gshp.physics.network.topology` — the tree of pipe pairs (inline, CSV, reference network).
"""
