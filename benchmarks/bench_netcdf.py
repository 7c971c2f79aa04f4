"""Benchmark of result writing: NetCDF chunking and compression (prints a table).

A 20-year hourly result of the Berlin case (175 200 time steps, float64) is written with
several encodings; for each: file size, write time and the time to read every variable
back (raw, with h5py); min of ``--repeat`` runs. The settings used by
:func:`gshp.io.results.write_netcdf` are marked with ``*``. Wall and CPU times are minima
over the repetitions because the machine may be shared (CPU time is the steadier figure).

Usage: python benchmarks/bench_netcdf.py [--case cases/berlin.toml] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _variants(n_time):
    year = max(1, n_time // 20)
    big = min(n_time, 2**17)  # 1 MiB of float64
    half = min(n_time, 2**16)
    return {
        "none, contiguous": dict(compression=None, chunks=None),
        "gzip 4 + shuffle, h5py auto chunks": dict(compression=("gzip", 4, True), chunks="auto"),
        "gzip 1 + shuffle, h5py auto chunks": dict(compression=("gzip", 1, True), chunks="auto"),
        "gzip 4 + shuffle, 1-year chunks": dict(compression=("gzip", 4, True), chunks=year),
        "gzip 1 + shuffle, 1-year chunks": dict(compression=("gzip", 1, True), chunks=year),
        "gzip 1, no shuffle, 1-year chunks": dict(compression=("gzip", 1, False), chunks=year),
        "gzip 4 + shuffle, 1 MiB chunks": dict(compression=("gzip", 4, True), chunks=big),
        "gzip 1 + shuffle, 1 MiB chunks": dict(compression=("gzip", 1, True), chunks=big),
        "gzip 6 + shuffle, 1 MiB chunks": dict(compression=("gzip", 6, True), chunks=big),
        "gzip 4 + shuffle, 512 KiB chunks": dict(compression=("gzip", 4, True), chunks=half),
        "gzip 6 + shuffle, 512 KiB chunks": dict(compression=("gzip", 6, True), chunks=half),
        "gzip 1 + shuffle, 512 KiB chunks": dict(compression=("gzip", 1, True), chunks=half),
    }


def _encoding(ds, base_encoding, compression, chunks):
    enc = {}
    for name, e in base_encoding.items():
        e = {k: v for k, v in e.items() if k not in ("compression", "compression_opts",
                                                     "shuffle", "chunksizes")}  # fmt: skip
        var = ds.variables[name]
        if var.dtype.kind in "fiu" and var.ndim > 0 and name not in ds.dims:
            if compression is not None:
                c, level, shuffle = compression
                e.update(compression=c, compression_opts=level, shuffle=shuffle)
            if chunks not in (None, "auto") and "time" in var.dims:
                dims = zip(var.dims, var.shape, strict=True)
                e["chunksizes"] = tuple(min(chunks, s) if d == "time" else s for d, s in dims)
        enc[name] = e
    return enc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=str(ROOT / "cases" / "berlin.toml"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    import h5py
    import xarray as xr

    from gshp.io import results
    from gshp.studies.simulate import simulate

    ds = simulate(args.case, simulation__output_resolution="hourly")
    n_time = ds.sizes["time"]
    prepared, base = results._prepared(ds)
    current = results.encoding_settings(n_time)
    print(
        f"{ds.attrs['case_name']}: {ds.sizes['year']} y hourly, {n_time:,} steps, "
        f"{len(ds.data_vars)} variables (float64 raw {ds.nbytes / 1e6:.1f} MB); "
        f"min of {args.repeat}"
    )
    print(f"{'encoding':40s} {'size MB':>8s} {'write s':>8s} {'CPU s':>8s} {'read s':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        # time coordinate encoding alone: xarray's element-by-element cftime.date2num
        # against gshp.io.results' vectorised conversion (same numbers)
        t0 = time.perf_counter()
        xr.coding.times.encode_cf_datetime(ds.indexes["time"], results.TIME_UNITS, "noleap")
        t_xr = time.perf_counter() - t0
        t0 = time.perf_counter()
        results._prepared(ds)
        t_ours = time.perf_counter() - t0
        for label, v in _variants(n_time).items():
            enc = _encoding(prepared, base, **v)
            e = enc["T_supply"]
            mine = (e.get("compression"), e.get("compression_opts"), e.get("shuffle", False),
                    e.get("chunksizes"))  # fmt: skip
            star = " *" if mine == (current["compression"], current["compression_opts"],
                                    current["shuffle"], current["chunksizes"]) else ""  # fmt: skip
            path = Path(tmp) / f"v{len(label)}_{label[:4].strip()}.nc"
            tw = tc = tr = float("inf")
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                prepared.to_netcdf(path, engine="h5netcdf", encoding=enc)
                tw = min(tw, time.perf_counter() - t0)
                tc = min(tc, time.process_time() - c0)
                t0 = time.perf_counter()
                with h5py.File(path, "r") as f:
                    for name in ds.data_vars:
                        f[name][()]
                tr = min(tr, time.perf_counter() - t0)
            size = path.stat().st_size / 1e6
            print(f"{label + star:40s} {size:8.2f} {tw:8.2f} {tc:8.2f} {tr:8.3f}")
        t0 = time.perf_counter()
        results.write_netcdf(ds, Path(tmp) / "r.nc")
        t_all = time.perf_counter() - t0
    print(
        f"time coordinate encoding: xarray/cftime {t_xr:.2f} s, gshp.io.results {t_ours:.2f} s "
        f"(whole _prepared); write_netcdf as used: {t_all:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
