"""Physics of the station's parts as pure functions (arrays in, arrays out; units and
references in the docstrings): water, climate, buildings, DHW, PVT, the district, the
tank, the heat pump, the borefield and the buried network. Nothing here reads a case."""
