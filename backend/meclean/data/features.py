"""Compute (Vx, Vy, strain) for many samples: cached, on several processes, resumable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from meclean.data.faces import FaceCrop, read_frame
from meclean.data.feature_store import FeatureStore
from meclean.data.flow import FlowSettings, flow_features
from meclean.data.labels import CLASSES
from meclean.data.records import SampleRecord
from meclean.progress import Cancelled, ShouldStop

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FeatureResult:
    sample_id: str
    key: str | None
    cached: bool = False
    error: str | None = None


def _compute(
    onset: str, apex: str, face: FaceCrop | None, settings: FlowSettings, store_root: str, key: str
) -> None:
    cv2.setNumThreads(1)  # one process per core is faster than threads on small frames
    features = flow_features(read_frame(onset, face), read_frame(apex, face), settings)
    FeatureStore(Path(store_root)).save(key, features)


def compute_features(
    samples: Sequence[SampleRecord],
    settings: FlowSettings,
    store: FeatureStore,
    workers: int = 2,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> list[FeatureResult]:
    """Features for every sample; computes only what the store lacks.

    A sample that fails gets a result with its error and never stops the others.
    Raises ``Cancelled`` when ``should_stop`` turns true; what finished is already stored,
    so the next call resumes.
    """
    results: dict[str, FeatureResult] = {}
    todo: list[tuple[SampleRecord, str]] = []
    for sample in samples:
        try:
            key = store.key_for(sample.onset_path, sample.apex_path, settings, sample.face)
        except OSError as exc:
            results[sample.sample_id] = FeatureResult(sample.sample_id, None, error=str(exc))
            continue
        if key in store:
            results[sample.sample_id] = FeatureResult(sample.sample_id, key, cached=True)
        else:
            todo.append((sample, key))
    total, done = len(samples), len(results)
    if progress:
        progress(done, total)

    def finish(sample: SampleRecord, key: str, error: BaseException | None) -> None:
        nonlocal done
        results[sample.sample_id] = FeatureResult(
            sample.sample_id, None if error else key, error=str(error) if error else None
        )
        done += 1
        if progress:
            progress(done, total)

    if workers <= 1:
        for sample, key in todo:
            if should_stop and should_stop():
                raise Cancelled
            try:
                _compute(*_arguments(sample, settings, store, key))
                finish(sample, key, None)
            except (ValueError, OSError, cv2.error) as exc:
                finish(sample, key, exc)
    else:
        with ProcessPoolExecutor(workers) as pool:
            pending: dict[Future[None], tuple[SampleRecord, str]] = {}
            queue = iter(todo)
            try:
                # Keep a short queue so cancellation does not wait for hundreds of tasks.
                for sample, key in queue:
                    pending[_submit(pool, sample, settings, store, key)] = (sample, key)
                    if len(pending) >= 4 * workers:
                        break
                while pending:
                    finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                    if should_stop and should_stop():
                        raise Cancelled
                    for future in finished:
                        sample, key = pending.pop(future)
                        finish(sample, key, future.exception())
                        nxt = next(queue, None)
                        if nxt is not None:
                            pending[_submit(pool, nxt[0], settings, store, nxt[1])] = nxt
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return [results[s.sample_id] for s in samples]


def _submit(
    pool: ProcessPoolExecutor,
    sample: SampleRecord,
    settings: FlowSettings,
    store: FeatureStore,
    key: str,
) -> Future[None]:
    return pool.submit(_compute, *_arguments(sample, settings, store, key))


def _arguments(
    sample: SampleRecord, settings: FlowSettings, store: FeatureStore, key: str
) -> tuple[str, str, FaceCrop | None, FlowSettings, str, str]:
    """What a worker process needs to compute one sample's features (all picklable)."""
    onset, apex = str(sample.onset_path), str(sample.apex_path)
    return onset, apex, sample.face, settings, str(store.root), key


def class_means(
    features: np.ndarray,
    labels: Sequence[str],
    datasets: Sequence[str],
) -> dict[str, dict[str, np.ndarray]]:
    """Mean (Vx, Vy, strain) per class, per dataset and for the composite.

    ``features`` is (N, 3, H, W); ``labels`` can come from any label version. A group
    without samples of a class has no entry for that class.
    """
    labels_arr = np.asarray(labels)
    datasets_arr = np.asarray(datasets)
    groups = {"composite": np.ones(len(labels_arr), bool)}
    groups |= {d: datasets_arr == d for d in sorted(set(datasets))}
    means: dict[str, dict[str, np.ndarray]] = {}
    for group, in_group in groups.items():
        means[group] = {
            c: features[in_group & (labels_arr == c)].mean(axis=0)
            for c in CLASSES
            if np.any(in_group & (labels_arr == c))
        }
    return means
