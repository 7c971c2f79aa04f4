"""Input and output: result files (NetCDF, CF-1.8), atomic writes, the disk cache, time
axes, the report and the plausibility guard of a result."""
