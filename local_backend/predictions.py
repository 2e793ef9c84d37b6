"""Valid prediction files for every task, with a quality knob, for demo data, tests and benchmarks.

``quality`` runs from 0 (a poor model) to 1 (a very good one) and moves the real scores: the
files are built against what colliderml's scorers compare with (the synthetic tracking truth,
the jets placeholder labels, the anomaly channel names). Nothing here computes a score; the
scores come from :mod:`local_backend.scoring`.

Every generator is deterministic for a given (task, quality, seed), so the same call yields
byte-identical Parquet: what a reproduction needs.
"""

from __future__ import annotations

import io
import zlib
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from local_backend import scoring

JETS_ROWS = 3000
ANOMALY_ROWS = 3000
#: Share of anomaly events from BSM channels (labelled 1 by the scorer).
_BSM_SHARE = 0.3
#: How hard each BSM channel is to spot, relative to the others (a dark shower hides best).
_BSM_VISIBILITY = {"higgs_portal_pu0": 1.0, "susy_gmsb_pu0": 1.2, "hidden_valley_pu0": 0.6, "zprime_pu0": 1.5}
#: Fresh track ids start above every synthetic particle id.
_FRESH_TRACK_ID = 10**12


def make_predictions(task: str, quality: float, seed: int = 0, *, n_params: int | None = None) -> pa.Table:
    """A table that passes ``scoring.validate(task, ...)``; higher quality scores better.

    ``n_params`` only applies to tracking_small (default: fewer parameters at higher quality,
    from about 2 million down to a few thousand). Unknown tasks raise ValueError.
    """
    if not 0.0 <= quality <= 1.0:
        raise ValueError(f"quality must be in [0, 1]; got {quality}")
    if task not in _GENERATORS:
        known = ", ".join(sorted(_GENERATORS))
        raise ValueError(f"No prediction generator for task '{task}'. Known: {known}")
    rng = np.random.default_rng([seed, zlib.crc32(task.encode()), round(quality * 1_000_000)])
    table = _GENERATORS[task](quality, rng)
    if task == "tracking_small":
        params = n_params if n_params is not None else _default_n_params(quality, rng)
        table = table.append_column("n_params", pa.array([params] * table.num_rows, pa.int64()))
    return table


def to_parquet_bytes(table: pa.Table) -> bytes:
    """Serialise as the real client does (pyarrow defaults); the same table gives the same bytes."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _tracking(quality: float, rng: np.random.Generator) -> pa.Table:
    """Truth-matched tracks corrupted the way trackers fail: a share of the particles (62% at
    quality 0, 2% at quality 1) is split, merged into a neighbour, or has hits taken by other tracks.

    Includes ``majority_particle_id`` (the particle owning most hits of the track, 0 when none
    owns half), which colliderml's physics_eff_pt1 needs to be non-zero.
    """
    hits = scoring.get_task("tracking").load_truth_hits()
    events = hits.column("event_id").to_numpy()
    hit_ids = hits.column("hit_id").to_numpy()
    particles = hits.column("particle_id").to_numpy().astype(np.int64)
    tracks = particles.copy()
    corruption = 0.02 + 0.6 * (1.0 - quality)
    fresh = iter(range(_FRESH_TRACK_ID, _FRESH_TRACK_ID + len(tracks)))

    rows_by_event: dict[int, list[int]] = defaultdict(list)
    for row, event in enumerate(events.tolist()):
        rows_by_event[event].append(row)
    for rows in rows_by_event.values():
        by_particle: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            by_particle[int(particles[row])].append(row)
        noise = by_particle.pop(0, [])
        track_ids = list(by_particle)
        for particle, own_rows in by_particle.items():
            if rng.random() >= corruption:
                continue
            failure = rng.integers(3)
            if failure == 0:  # split: a fragment of a third to a half becomes its own track
                cut = int(len(own_rows) * rng.uniform(0.34, 0.5))
                fragment = next(fresh)
                for row in own_rows[:cut]:
                    tracks[row] = fragment
            elif failure == 1 and len(track_ids) > 1:  # merged into another particle's track
                others = [other for other in track_ids if other != particle]
                merged_into = others[int(rng.integers(len(others)))]
                for row in own_rows:
                    tracks[row] = merged_into
            else:  # some hits picked up by other tracks
                for row in own_rows:
                    if rng.random() < 0.5:
                        tracks[row] = track_ids[int(rng.integers(len(track_ids)))]
        # Noise hits: a good tracker leaves them out (track -1); a poor one attaches them.
        for row in noise:
            attach = rng.random() < corruption
            tracks[row] = track_ids[int(rng.integers(len(track_ids)))] if attach else -1

    return pa.table(
        {
            "event_id": pa.array(events, pa.int64()),
            "hit_id": pa.array(hit_ids, pa.int64()),
            "track_id": pa.array(tracks, pa.int64()),
            "majority_particle_id": pa.array(_majority_particles(events, tracks, particles), pa.int64()),
        }
    )


def _majority_particles(events: np.ndarray, tracks: np.ndarray, particles: np.ndarray) -> np.ndarray:
    """Per hit: the particle owning at least half the hits of its track, else 0 (and 0 for track -1)."""
    _, track_of_hit = np.unique(np.stack([events, tracks], axis=1), axis=0, return_inverse=True)
    track_of_hit = track_of_hit.ravel()
    pairs, pair_counts = np.unique(np.stack([track_of_hit, particles], axis=1), axis=0, return_counts=True)
    # Per track, the (track, particle) pair with the most hits comes first.
    order = np.lexsort((-pair_counts, pairs[:, 0]))
    first = order[np.concatenate(([True], np.diff(pairs[order, 0]) != 0))]
    track_size = np.bincount(track_of_hit)
    majority = np.where(2 * pair_counts[first] >= track_size[pairs[first, 0]], pairs[first, 1], 0)
    return np.where(tracks == -1, 0, majority[track_of_hit])


def _default_n_params(quality: float, rng: np.random.Generator) -> int:
    return int(2_000_000 * 10 ** (-2.6 * quality) * rng.uniform(0.8, 1.2))


def _jets(quality: float, rng: np.random.Generator) -> pa.Table:
    """Flavour probabilities for colliderml's placeholder truth (the labels jets.score() draws
    from its fixed seed), sharper with quality. Three light jets always look like
    confident b-jets, so the rejections stay finite: a perfect classifier scores infinity,
    which no database stores."""
    labels = _jets_placeholder_truth(JETS_ROWS)
    strength = 0.3 + 2.4 * quality
    logits = rng.normal(0.0, 1.0, (JETS_ROWS, 3))
    logits[np.arange(JETS_ROWS), labels] += strength
    impostors = rng.choice(np.flatnonzero(labels == 2), size=3, replace=False)
    logits[impostors] = [6.0, 0.0, 0.0]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    events, jet_ids = _event_numbering(JETS_ROWS, start=90_000, per_event=(2, 7), rng=rng)
    return pa.table(
        {
            "event_id": pa.array(events, pa.int64()),
            "jet_id": pa.array(jet_ids, pa.int64()),
            "prob_b": pa.array(probs[:, 0]),
            "prob_c": pa.array(probs[:, 1]),
            "prob_light": pa.array(probs[:, 2]),
        }
    )


def _jets_placeholder_truth(n: int) -> np.ndarray:
    """Class index per row (0 b, 1 c, 2 light), drawn exactly as colliderml's jets.score() does."""
    seed = scoring.get_task("jets")._PLACEHOLDER_SEED
    flavours = np.random.default_rng(seed).choice(["b", "c", "light"], size=n, p=[0.2, 0.2, 0.6])
    return np.searchsorted(np.array(["b", "c", "light"]), flavours)


def _event_numbering(
    n: int, *, start: int, per_event: tuple[int, int], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive event ids from ``start`` holding a few objects each, and the index within each."""
    sizes = rng.integers(per_event[0], per_event[1], size=n)
    events = np.repeat(start + np.arange(n), sizes)[:n]
    first = np.concatenate(([0], np.flatnonzero(np.diff(events)) + 1))
    within = np.arange(n) - np.repeat(first, np.diff(np.append(first, n)))
    return events, within


def _anomaly(quality: float, rng: np.random.Generator) -> pa.Table:
    """Per-event anomaly scores over the task's SM and BSM channels; BSM events score higher
    on average, by more at higher quality."""
    task = scoring.get_task("anomaly")
    n_bsm = int(ANOMALY_ROWS * _BSM_SHARE)
    sm = [str(c) for c in task.SM_CHANNELS]
    bsm = [str(c) for c in task.BSM_CHANNELS]
    channels = np.concatenate([rng.choice(sm, size=ANOMALY_ROWS - n_bsm), rng.choice(bsm, size=n_bsm)])
    visibility = np.array([_BSM_VISIBILITY.get(c, 1.0) if c in bsm else 0.0 for c in channels])
    scores = rng.normal(0.0, 1.0, ANOMALY_ROWS) + (0.2 + 3.0 * quality) * visibility
    order = rng.permutation(ANOMALY_ROWS)
    channels, scores = channels[order], scores[order]
    event_ids = np.zeros(ANOMALY_ROWS, dtype=np.int64)
    for channel in np.unique(channels):
        rows = np.flatnonzero(channels == channel)
        event_ids[rows] = np.arange(len(rows))
    return pa.table(
        {
            "event_id": pa.array(event_ids, pa.int64()),
            "channel": pa.array(channels.tolist(), pa.string()),
            "anomaly_score": pa.array(scores),
        }
    )


def _tracking_latency(quality: float, rng: np.random.Generator) -> pa.Table:
    """One measurement over the task's eval slice: from ~1 s to ~30 ms per event."""
    start, end = scoring.get_task("tracking_latency").eval_event_range
    n_events = end - start
    seconds_per_event = 1.0 * 10 ** (-1.5 * quality) * rng.lognormal(0.0, 0.08)
    return pa.table({"wallclock_s": [round(n_events * seconds_per_event, 3)], "n_events": [n_events]})


def _data_loading(quality: float, rng: np.random.Generator) -> pa.Table:
    """One measurement: local reads from ~50 to ~1,600 events/s, streaming at a fifth to a half of that."""
    start, end = scoring.get_task("data_loading").eval_event_range
    n_events = end - start
    local_rate = 50.0 * 10 ** (1.5 * quality) * rng.lognormal(0.0, 0.08)
    streaming_rate = local_rate * rng.uniform(0.2, 0.5)
    return pa.table(
        {
            "local_seconds": [round(n_events / local_rate, 3)],
            "streaming_seconds": [round(n_events / streaming_rate, 3)],
            "n_events": [n_events],
        }
    )


_GENERATORS: dict[str, Callable[[float, np.random.Generator], pa.Table]] = {
    "tracking": _tracking,
    "tracking_small": _tracking,
    "jets": _jets,
    "anomaly": _anomaly,
    "tracking_latency": _tracking_latency,
    "data_loading": _data_loading,
}
#: Tasks this module can write predictions for (a newer colliderml may register more).
TASKS: frozenset[str] = frozenset(_GENERATORS)
