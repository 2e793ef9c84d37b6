"""Everything the dashboard knows about a task beyond what the backend's catalogue says, in one table.

The backend's `/v1/benchmark/tasks` gives each task's name, dataset, metrics, their directions and
eval range. The rest lives here, one row per task colliderml 0.4.x ships: the description, what a
predictions file must hold, the reward per metric beaten, the two metrics worth plotting against
each other, and whether colliderml scores it without held-out truth; the catalogue entry too, for
when the backend cannot be asked. The About page, the upload check, the task pages and cards, and
the credit tables all read it; tests/test_task_rules.py ties it to the local backend's rewards.

A task this table does not know (one a newer colliderml adds) still works from the backend's
metadata alone: a generic description, no column check here (the backend checks it), and no
reward promised. A metric the glossary does not know shows with its name alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["integer", "number", "text"]
#: How a predictions file is laid out: a row per hit (tracking), per object (jets, events), or one measurement.
Layout = Literal["per_hit", "per_object", "one_row"]


@dataclass(frozen=True)
class TaskRules:
    name: str
    description: str
    dataset: str
    #: Each metric's direction (True: higher is better), the primary metric first.
    directions: dict[str, bool]
    eval_event_range: tuple[int, int]
    columns: tuple[tuple[str, Kind], ...]
    layout: Layout
    #: What else a file must satisfy, in words (the About page's table).
    file_rules: str
    #: Credits per metric a new submission beats (the backend's published rewards).
    reward: float
    #: Whether colliderml's scorer needs no held-out truth, so that a file can be scored here as the backend will.
    scored_locally: bool
    #: Columns that hold probabilities which must sum to 1 on every row (jets).
    probabilities: tuple[str, ...] = ()
    #: Columns that must hold one positive value on every row (tracking_small's n_params).
    constant: tuple[str, ...] = ()
    #: The two metrics whose trade-off the task page plots first, where not the first two.
    tradeoff: tuple[str, str] | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


_HITS: tuple[tuple[str, Kind], ...] = (("event_id", "integer"), ("hit_id", "integer"), ("track_id", "integer"))

RULES: dict[str, TaskRules] = {
    rules.name: rules
    for rules in (
        TaskRules(
            name="tracking",
            description=(
                "Reconstruct charged-particle tracks from tracker hits in ttbar events at pile-up 200: "
                "assign every hit to a track."
            ),
            dataset="ttbar_pu200",
            directions={"trackml_eff": True, "fake_rate": False, "dup_rate": False, "physics_eff_pt1": True},
            eval_event_range=(90000, 100000),
            columns=_HITS,
            layout="per_hit",
            file_rules="one row per hit; at least half of the eval events",
            reward=50.0,
            tradeoff=("trackml_eff", "fake_rate"),
            scored_locally=False,
        ),
        TaskRules(
            name="jets",
            description=(
                "Tag the flavour of jets in ttbar events without pile-up: give each jet a probability "
                "of being a b, c or light jet."
            ),
            dataset="ttbar_pu0",
            directions={"btag_auc": True, "light_rej_70": True, "c_rej_70": True},
            eval_event_range=(90000, 100000),
            columns=(
                ("event_id", "integer"),
                ("jet_id", "integer"),
                ("prob_b", "number"),
                ("prob_c", "number"),
                ("prob_light", "number"),
            ),
            layout="per_object",
            file_rules="probabilities sum to 1 ± 0.02 per row",
            reward=50.0,
            scored_locally=True,
            probabilities=("prob_b", "prob_c", "prob_light"),
        ),
        TaskRules(
            name="anomaly",
            description=(
                "Find beyond-Standard-Model events in a mix of Standard Model and new-physics events: "
                "give each event an anomaly score."
            ),
            dataset="mixed_sm_bsm",
            directions={"auroc": True, "sig_eff_1fpr": True},
            eval_event_range=(0, 10000),
            columns=(("event_id", "integer"), ("channel", "text"), ("anomaly_score", "number")),
            layout="per_object",
            file_rules="one row per event",
            reward=50.0,
            scored_locally=True,
        ),
        TaskRules(
            name="tracking_latency",
            description=(
                "Run track reconstruction as fast as possible on ttbar events at pile-up 200: "
                "report the wall-clock time for the evaluation events."
            ),
            dataset="ttbar_pu200",
            directions={"wallclock_s": False, "events_per_sec": True},
            eval_event_range=(99000, 100000),
            columns=(("wallclock_s", "number"), ("n_events", "number")),
            layout="one_row",
            file_rules="exactly one row, positive values",
            reward=30.0,
            scored_locally=True,
        ),
        TaskRules(
            name="tracking_small",
            description=(
                "Reconstruct tracks at pile-up 200 with a small model: tracking efficiency weighed "
                "against the number of parameters."
            ),
            dataset="ttbar_pu200",
            directions={"trackml_eff": True, "n_params": False, "tier": False},
            eval_event_range=(90000, 100000),
            columns=(*_HITS, ("n_params", "number")),
            layout="per_hit",
            file_rules="tracking predictions plus a constant n_params",
            reward=50.0,
            tradeoff=("trackml_eff", "n_params"),
            scored_locally=False,
            constant=("n_params",),
        ),
        TaskRules(
            name="data_loading",
            description=(
                "Load ColliderML events as fast as possible, from local files and by streaming: "
                "report events per second."
            ),
            dataset="ttbar_pu200",
            directions={"events_per_sec_local": True, "events_per_sec_streaming": True},
            eval_event_range=(0, 10000),
            columns=(("local_seconds", "number"), ("streaming_seconds", "number"), ("n_events", "number")),
            layout="one_row",
            file_rules="exactly one row",
            reward=30.0,
            scored_locally=True,
        ),
    )
}

GENERIC_DESCRIPTION = (
    "A ColliderML benchmark task newer than this dashboard: see the colliderml documentation for what it measures."
)

#: What each metric measures, in plain words (its direction is the catalogue's).
GLOSSARY: dict[str, str] = {
    "trackml_eff": "TrackML score: the share of hits assigned to the right track, weighted by how much each matters",
    "fake_rate": "share of reconstructed tracks that match no real particle",
    "dup_rate": "share of real particles found by more than one track",
    "physics_eff_pt1": "share of particles above 1 GeV of transverse momentum whose track is found",
    "btag_auc": "area under the ROC curve for telling b jets from the others (0.5 is a coin toss, 1 is perfect)",
    "light_rej_70": "light-jet rejection at 70 % b-jet efficiency: 1 / the share of light jets tagged as b",
    "c_rej_70": "c-jet rejection at 70 % b-jet efficiency: 1 / the share of c jets tagged as b",
    "auroc": "area under the ROC curve for telling new-physics events from Standard Model ones",
    "sig_eff_1fpr": "share of new-physics events caught while 1 % of Standard Model events are flagged",
    "wallclock_s": "seconds of wall-clock time to reconstruct the evaluation events",
    "events_per_sec": "events reconstructed per second",
    "n_params": "number of trainable parameters of the model",
    "tier": "the smallest size tier the model fits: 1 under 10 k parameters, 2 under 100 k, 3 under 1 M, else 4",
    "events_per_sec_local": "events loaded per second from local files",
    "events_per_sec_streaming": "events loaded per second streamed from the Hugging Face Hub",
}


def of(task: str) -> TaskRules | None:
    """The table's row for `task`; None for a task newer than this dashboard."""
    return RULES.get(task)


def describe(task: str) -> str:
    rules = RULES.get(task)
    return rules.description if rules else GENERIC_DESCRIPTION


def explain(metric: str) -> str | None:
    """What `metric` measures, or None for a metric the glossary does not know."""
    return GLOSSARY.get(metric)
