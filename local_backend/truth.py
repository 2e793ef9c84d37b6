"""Synthetic held-out truth for the tracking tasks, so the local backend scores without the Hub.

The real backend scores tracking submissions against events 90000-99999 of ttbar_pu200 on the
Hugging Face Hub, which this machine cannot reach. These tables stand in for them: the same
list-per-event shape colliderml's loaders return (one row per event: a scalar ``event_id`` plus
parallel list columns), small enough that one score takes a fraction of a second.

The generator is seeded per event, so every process on every machine builds the same tables.
They are written to Parquet on first use and read back from there, so what is scored is what is
on disk for anyone who wants to look.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

#: Half-open range of held-out event ids (the real task holds out 90000-99999).
EVAL_RANGE: tuple[int, int] = (90_000, 90_200)

#: Bump when the generator changes: files of an older version are then regenerated, not reused.
TRUTH_VERSION = 1
TABLE_NAMES: tuple[str, ...] = ("tracker_hits", "particles")

_SEED = 20_260_501
_DEFAULT_DIR = ".local_backend/truth"
#: Barrel layer radii in mm, innermost first (roughly the ODD/ATLAS-like geometry of the real data).
_LAYER_RADII_MM = np.array([33.0, 72.0, 116.0, 172.0, 260.0, 360.0, 500.0, 660.0, 820.0, 1020.0, 1100.0, 1180.0])
_LAYER_VOLUME = np.array([16, 16, 16, 16, 23, 23, 23, 23, 28, 28, 28, 28], dtype=np.int32)
_BFIELD_T = 2.0
#: Particle ids are unique across events because colliderml's physics_eff_pt1 matches on
#: particle_id alone, without the event.
_IDS_PER_EVENT = 1000
_HADRON_PDG = np.array([211, -211, 321, -321, 2212, -2212, 11, -11, 13, -13], dtype=np.int32)
_HADRON_SHARE = [0.3, 0.3, 0.07, 0.07, 0.04, 0.04, 0.04, 0.04, 0.05, 0.05]

_cache: dict[Path, dict[str, pa.Table]] = {}
_cache_lock = threading.Lock()


def _directory(override: str | os.PathLike[str] | None) -> Path:
    if override is not None:
        return Path(override)
    return Path(os.environ.get("LOCAL_BACKEND_DATA") or _DEFAULT_DIR)


def data_dir() -> Path:
    """Where the truth Parquet files live: env LOCAL_BACKEND_DATA, else .local_backend/truth."""
    return _directory(None)


def load_truth(data_dir: str | os.PathLike[str] | None = None) -> dict[str, pa.Table]:
    """Return {"tracker_hits": ..., "particles": ...} for EVAL_RANGE, writing the files on first use.

    Cached per process and per directory: scoring calls this for every submission.
    """
    directory = _directory(data_dir).resolve()
    with _cache_lock:
        cached = _cache.get(directory)
        if cached is None:
            cached = _read_or_write(directory)
            _cache[directory] = cached
    return cached


def _path(directory: Path, table: str) -> Path:
    return directory / f"{table}-v{TRUTH_VERSION}.parquet"


def _read_or_write(directory: Path) -> dict[str, pa.Table]:
    missing = [name for name in TABLE_NAMES if not _path(directory, name).exists()]
    if missing:
        directory.mkdir(parents=True, exist_ok=True)
        generated = generate_truth()
        for name in missing:
            _write_atomically(generated[name], _path(directory, name))
    return {name: pq.read_table(_path(directory, name)) for name in TABLE_NAMES}


def _write_atomically(table: pa.Table, target: Path) -> None:
    """Write next to the target, then rename: a process starting at the same moment never reads
    half a file, and two writers of the same deterministic content can both win."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def generate_truth(event_range: tuple[int, int] = EVAL_RANGE) -> dict[str, pa.Table]:
    """Build the truth tables in memory (deterministic: each event has its own seeded RNG)."""
    events = [_generate_event(event_id) for event_id in range(*event_range)]
    hits = pa.table(
        {
            "event_id": pa.array([event_id for event_id, _, _ in events], pa.int64()),
            **_list_columns([h for _, h, _ in events], _HIT_TYPES),
        }
    )
    particles = pa.table(
        {
            "event_id": pa.array([event_id for event_id, _, _ in events], pa.int64()),
            **_list_columns([p for _, _, p in events], _PARTICLE_TYPES),
        }
    )
    return {"tracker_hits": hits, "particles": particles}


_HIT_TYPES: dict[str, pa.DataType] = {
    "particle_id": pa.uint64(),
    "x": pa.float32(),
    "y": pa.float32(),
    "z": pa.float32(),
    "volume_id": pa.int32(),
    "layer_id": pa.int32(),
    "weight": pa.float64(),
}
_PARTICLE_TYPES: dict[str, pa.DataType] = {
    "particle_id": pa.uint64(),
    "parent_id": pa.uint64(),
    "pdg_id": pa.int32(),
    "charge": pa.int8(),
    "px": pa.float32(),
    "py": pa.float32(),
    "pz": pa.float32(),
    "vx": pa.float32(),
    "vy": pa.float32(),
    "vz": pa.float32(),
    "primary": pa.bool_(),
}


def _list_columns(per_event: list[dict[str, np.ndarray]], types: dict[str, pa.DataType]) -> dict[str, pa.Array]:
    return {
        name: pa.array([event[name].tolist() for event in per_event], pa.list_(dtype)) for name, dtype in types.items()
    }


def _generate_event(event_id: int) -> tuple[int, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One event: 10-20 charged particles (about a fifth secondaries) leaving 5-12 barrel hits
    each on a helix, plus noise hits (particle_id 0, weight 0, as in TrackML)."""
    rng = np.random.default_rng([_SEED, event_id])
    n_particles = int(rng.integers(10, 21))
    particle_ids = (event_id * _IDS_PER_EVENT + np.arange(1, n_particles + 1)).astype(np.uint64)
    primary = rng.random(n_particles) > 0.2
    primary[0] = True  # a secondary needs a parent
    pdg = rng.choice(_HADRON_PDG, size=n_particles, p=_HADRON_SHARE)
    charge = np.sign(pdg).astype(np.int8) * np.where(np.isin(np.abs(pdg), [11, 13]), -1, 1).astype(np.int8)
    # Transverse momentum in GeV: a soft spectrum with a tail; about 60% of primaries above 1 GeV.
    pt = 0.45 + rng.lognormal(mean=-0.4, sigma=0.8, size=n_particles)
    phi0 = rng.uniform(-np.pi, np.pi, n_particles)
    eta = rng.uniform(-2.5, 2.5, n_particles)
    # Secondaries start displaced from their parent's vertex (decays, conversions).
    parent = rng.choice(np.flatnonzero(primary), size=n_particles)
    parent_id = np.where(primary, 0, particle_ids[parent]).astype(np.uint64)
    vertex_z = rng.normal(0.0, 45.0, n_particles)
    vr = np.where(primary, 0.0, rng.uniform(5.0, 60.0, n_particles))
    vphi = rng.uniform(-np.pi, np.pi, n_particles)
    vx, vy = vr * np.cos(vphi), vr * np.sin(vphi)
    vz = np.where(primary, vertex_z, vertex_z[parent] + vr * np.sinh(eta[parent]))

    radius_mm = pt / (0.3 * _BFIELD_T) * 1000.0  # helix radius
    pieces: list[dict[str, np.ndarray]] = []
    for i in range(n_particles):
        first_layer = int(np.searchsorted(_LAYER_RADII_MM, vr[i]))
        n_hits = int(rng.integers(5, 13))
        layers = np.arange(first_layer, min(first_layer + n_hits, len(_LAYER_RADII_MM)))
        r = _LAYER_RADII_MM[layers]
        phi = phi0[i] + charge[i] * np.arcsin(np.clip(r / (2.0 * radius_mm[i]), -1.0, 1.0))
        # TrackML-style weights: inner and outer hits and stiffer tracks count more.
        ends = np.where((layers == layers[0]) | (layers == layers[-1]), 2.0, 1.0)
        pieces.append(
            {
                "particle_id": np.full(len(layers), particle_ids[i]),
                "x": vx[i] + r * np.cos(phi) + rng.normal(0.0, 0.05, len(r)),
                "y": vy[i] + r * np.sin(phi) + rng.normal(0.0, 0.05, len(r)),
                "z": vz[i] + r * np.sinh(eta[i]) + rng.normal(0.0, 0.1, len(r)),
                "layer_id": layers,
                "weight": ends * (1.0 + min(pt[i], 10.0) / 5.0),
            }
        )
    n_signal = sum(len(piece["x"]) for piece in pieces)
    n_noise = int(rng.integers(n_signal // 20, n_signal // 8 + 1))
    noise_layers = rng.integers(0, len(_LAYER_RADII_MM), n_noise)
    noise_phi = rng.uniform(-np.pi, np.pi, n_noise)
    pieces.append(
        {
            "particle_id": np.zeros(n_noise, dtype=np.uint64),
            "x": _LAYER_RADII_MM[noise_layers] * np.cos(noise_phi),
            "y": _LAYER_RADII_MM[noise_layers] * np.sin(noise_phi),
            "z": rng.uniform(-1000.0, 1000.0, n_noise),
            "layer_id": noise_layers,
            "weight": np.zeros(n_noise),
        }
    )
    order = rng.permutation(n_signal + n_noise)  # detector readout order, not grouped by particle
    hits = {name: np.concatenate([piece[name] for piece in pieces])[order] for name in pieces[0]}
    hits["volume_id"] = _LAYER_VOLUME[hits["layer_id"]]
    hits["weight"] = hits["weight"] / hits["weight"].sum()
    particles = {
        "particle_id": particle_ids,
        "parent_id": parent_id,
        "pdg_id": pdg,
        "charge": charge,
        "px": pt * np.cos(phi0),
        "py": pt * np.sin(phi0),
        "pz": pt * np.sinh(eta),
        "vx": vx,
        "vy": vy,
        "vz": vz,
        "primary": primary,
    }
    return event_id, hits, particles
