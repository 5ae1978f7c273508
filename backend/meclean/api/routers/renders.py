"""PNG renders of samples and class means, cached on disk and revalidated by ETag."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import cv2
import numpy as np
from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as Path_
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    DbSession,
    dataset_or_404,
    sample_or_404,
)
from meclean.api.errors import ApiError
from meclean.data.action_units import FACS_NAMES, MAX_AU
from meclean.data.faces import FaceCrop, read_frame
from meclean.data.feature_store import FeatureStore
from meclean.data.features import class_means
from meclean.data.readers.discovery import clip_frames
from meclean.data.render import (
    class_mean_sheet,
    dataset_limits,
    frame_image,
    png_bytes,
    render_sample,
    sheet_limits,
)
from meclean.db.action_units import codings_of
from meclean.db.features import (
    FeatureError,
    FrameSource,
    feature_key,
)
from meclean.db.models import DbId, Sample
from meclean.files import write_atomically
from meclean.services.flows import dataset_flows, sample_flow, version_labels

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["renders"], route_class=CommittingRoute)
RENDER_VERSION = "2"
"""Bump when renders change, so browsers and the disk cache drop the old ones."""
SampleRender = Literal["onset", "apex", "vx", "vy", "strain", "triptych", "flow", "arrows"]
Size = Annotated[
    int, Query(ge=32, le=720, description="Height in pixels, rounded up to one of RENDER_SIZES")
]
RENDER_SIZES = (60, 90, 120, 150, 180, 200, 240, 320, 480, 720)
"""The heights renders are made and cached at: a few files per sample, whatever is asked."""


def render_size(asked: int) -> int:
    return next(s for s in RENDER_SIZES if s >= asked)


def _png_response(
    request: Request, cache: Path, etag: str, render: Callable[[], np.ndarray]
) -> Response:
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if cache.is_file():
        content = cache.read_bytes()
    else:
        content = png_bytes(render())
        try:
            write_atomically(cache, lambda f: f.write(content))
        except OSError as exc:  # a full or read-only disk costs the cache, not the image
            log.warning("render cache not written (%s): %s", cache, exc)
    return Response(content, media_type="image/png", headers=headers)


@router.get("/samples/{sample_id}/render/{kind}", response_class=Response)
def render(
    sample_id: DbId,
    kind: SampleRender,
    request: Request,
    settings: AppSettings,
    session: DbSession,
    _: Annotator,
    size: Size = 180,
    shared: bool = Query(
        False, description="Colour limits of the whole dataset, so that samples compare"
    ),
) -> Response:
    """A PNG of a sample: frames, flow, strain or a triptych, cached per feature version."""
    sample = sample_or_404(session, sample_id)
    size = render_size(size)
    try:
        key = feature_key(sample)
    except FeatureError as exc:
        raise ApiError(422, str(exc)) from None
    store = FeatureStore(settings.feature_dir)
    limits = _shared_limits(session, store, sample.dataset_id) if shared else None
    tag = hashlib.sha256(f"{key}|{kind}|{size}|{limits}|{RENDER_VERSION}".encode()).hexdigest()[:32]
    cache = settings.data_dir / "renders" / "samples" / tag[:2] / f"{tag}.png"
    try:
        return _png_response(
            request,
            cache,
            f'"{tag}"',
            lambda: render_sample(
                kind,
                *FrameSource.of(sample).frames(),
                sample_flow(store, sample),
                size,
                limits,
            ),
        )
    except FeatureError as exc:
        raise ApiError(422, str(exc)) from None


def _shared_limits(
    session: Session, store: FeatureStore, dataset_id: int
) -> tuple[float, float, float]:
    """The dataset's colour limits over the samples whose flow is stored (cached per set
    of features: a new flow changes them)."""
    keys = session.scalars(
        select(Sample.feature_key)
        .where(Sample.dataset_id == dataset_id, Sample.feature_key.is_not(None))
        .order_by(Sample.id)
    ).all()
    stored = tuple(k for k in keys if k is not None and k in store)
    if not stored:
        raise ApiError(409, "no sample of this dataset has its flow yet: no shared scale")
    return _limits_of(store.root, stored)


@functools.lru_cache(maxsize=8)
def _limits_of(root: Path, keys: tuple[str, ...]) -> tuple[float, float, float]:
    store = FeatureStore(root)
    vx, vy, strain = dataset_limits(np.stack([store.load(k) for k in keys]))
    return round(vx, 4), round(vy, 4), round(strain, 4)


MAX_CLIP_FRAMES = 60
"""Frames of a clip the sample page plays: SAMM's 200 fps clips are spread over this many."""


class Clip(BaseModel):
    frames: int
    """Fetch each as ``clip/{index}``, 0 for the onset."""
    until: Literal["apex", "offset"]
    apex: int | None = None
    """The apex frame's index among them (None where a long clip's sampling skips it)."""


def _clip(sample: Sample) -> tuple[list[Path], Literal["apex", "offset"]]:
    until: Literal["apex", "offset"] = "offset" if sample.offset_path else "apex"
    last = Path(sample.offset_path or sample.apex_path)
    try:
        return clip_frames(Path(sample.onset_path), last, MAX_CLIP_FRAMES), until
    except OSError as exc:
        raise ApiError(422, f"the frames of sample {sample.name} cannot be listed: {exc}") from None


@router.get("/samples/{sample_id}/clip")
def clip(sample_id: DbId, session: DbSession, _: Annotator) -> Clip:
    """The movement as it happened: onset to offset (to apex where the offset is unknown)."""
    sample = sample_or_404(session, sample_id)
    frames, until = _clip(sample)
    apex = Path(sample.apex_path)
    return Clip(
        frames=len(frames), until=until, apex=frames.index(apex) if apex in frames else None
    )


@router.get("/samples/{sample_id}/clip/{index}", response_class=Response)
def clip_frame(
    sample_id: DbId,
    index: Annotated[int, Path_(ge=0, lt=MAX_CLIP_FRAMES)],
    session: DbSession,
    _: Annotator,
    size: Size = 240,
) -> Response:
    """One frame of the clip, cropped to the sample's face like its onset and apex."""
    sample = sample_or_404(session, sample_id)
    frames, _until = _clip(sample)
    if index >= len(frames):
        raise ApiError(404, f"the clip of sample {sample_id} has {len(frames)} frames", "index")
    try:
        frame = read_frame(frames[index], FaceCrop.from_dict(sample.face_crop))
    except (ValueError, OSError, cv2.error) as exc:
        raise ApiError(422, f"frame {frames[index].name} is unreadable: {exc}") from None
    image = frame_image(frame, render_size(size))
    headers = {"Cache-Control": "private, max-age=3600"}
    return Response(png_bytes(image), media_type="image/png", headers=headers)


@router.get("/datasets/{dataset_id}/class-means", response_class=Response)
def class_mean_render(
    dataset_id: DbId,
    request: Request,
    settings: AppSettings,
    session: DbSession,
    _: Annotator,
    version_id: Annotated[
        DbId | None, Query(description="Label version; default the current")
    ] = None,
    group: str = Query("composite", description="'composite' or a source dataset"),
    minus: Annotated[
        DbId | None,
        Query(description="Draw the difference: these means minus those of this version"),
    ] = None,
    scale_with: Annotated[
        DbId | None,
        Query(description="Share the colour scale with this version's class means"),
    ] = None,
    size: Size = 240,
) -> Response:
    """Mean Vx, Vy and strain per class, one row per class (labelled with its number of
    samples), for any label version, or the difference between two versions."""
    size = render_size(size)
    dataset = dataset_or_404(session, dataset_id)
    version = version_id or dataset.current_label_version_id
    if version is None:
        raise ApiError(404, f"dataset {dataset_id} has no label version", "version_id")
    labels = version_labels(session, dataset_id, version, "version_id")
    other = version_labels(session, dataset_id, minus, "minus") if minus else None
    partner = version_labels(session, dataset_id, scale_with, "scale_with") if scale_with else None
    keyed = dataset_flows(session, FeatureStore(settings.feature_dir), dataset_id, group)
    fingerprint = hashlib.sha256(
        "|".join(
            f"{key}:{labels[s.id]}:{other[s.id] if other else ''}:"
            f"{partner[s.id] if partner else ''}"
            for s, key, _ in keyed
        ).encode()
        + f"|{group}|{size}|{RENDER_VERSION}".encode()
    ).hexdigest()[:32]
    cache = settings.data_dir / "renders" / "class-means" / f"{fingerprint}.png"

    def rows(of: dict[int, str]) -> dict[str, np.ndarray]:
        stack = np.stack([features for _, _, features in keyed])
        chosen = [of[s.id] for s, _, _ in keyed]
        return class_means(stack, chosen, [s.source for s, _, _ in keyed])[group]

    def counted(of: dict[int, str]) -> Counter[str]:
        return Counter(of[s.id] for s, _, _ in keyed if group in ("composite", s.source))

    def draw() -> np.ndarray:
        means, counts = rows(labels), counted(labels)
        if other is None:
            shared = [*means.values(), *(rows(partner).values() if partner else [])]
            return class_mean_sheet(
                {f"{c} ({counts[c]})": m for c, m in means.items()},
                height=size,
                limits=sheet_limits(shared),
            )
        before, was = rows(other), counted(other)
        difference = {
            f"{c} ({was[c]} -> {counts[c]})": means[c] - before[c] for c in means if c in before
        }
        if not difference:
            raise ApiError(422, "the two versions share no class with samples in this group")
        return class_mean_sheet(difference, height=size, difference=True)

    return _png_response(request, cache, f'"{fingerprint}"', draw)


@router.get("/datasets/{dataset_id}/au-means", response_class=Response)
def action_unit_mean_render(
    dataset_id: DbId,
    request: Request,
    settings: AppSettings,
    session: DbSession,
    _: Annotator,
    au: Annotated[int, Query(ge=1, le=MAX_AU, description="The AU whose samples to average")],
    group: str = Query("composite", description="'composite' or a source dataset"),
    size: Size = 240,
) -> Response:
    """Mean Vx, Vy and strain of the samples whose sheet codes ``au`` (in any coding it
    offers), above that of the other samples with AUs: a check of the flow and of the
    coding alike (AU12 should move the mouth corners)."""
    size = render_size(size)
    dataset = dataset_or_404(session, dataset_id)
    keyed = dataset_flows(session, FeatureStore(settings.feature_dir), dataset.id, group)
    keyed = [k for k in keyed if group in ("composite", k[0].source)]
    codings = codings_of(session, [s.id for s, _, _ in keyed])
    # As the evidence reads them: a (k)- or ref()-marked AU is not counted as moving.
    coding_au = [au in codings[s.id].presence() for s, _, _ in keyed if s.id in codings]
    coded = [k for k in keyed if k[0].id in codings]
    if not any(coding_au):
        raise ApiError(422, f"no sample of {group} with a readable flow codes AU{au}", "au")
    fingerprint = hashlib.sha256(
        "|".join(f"{key}:{has}" for (_, key, _), has in zip(coded, coding_au, strict=True)).encode()
        + f"|au{au}|{group}|{size}|{RENDER_VERSION}".encode()
    ).hexdigest()[:32]
    cache = settings.data_dir / "renders" / "au-means" / f"{fingerprint}.png"

    def draw() -> np.ndarray:
        stack = np.stack([features for _, _, features in coded])
        mask = np.array(coding_au)
        name = " ".join(filter(None, (f"AU{au}", FACS_NAMES.get(au))))
        rows = {f"{name} ({mask.sum()})": stack[mask].mean(axis=0)}
        if (~mask).any():
            rows[f"without AU{au} ({(~mask).sum()})"] = stack[~mask].mean(axis=0)
        return class_mean_sheet(rows, height=size, limits=sheet_limits(list(rows.values())))

    return _png_response(request, cache, f'"{fingerprint}"', draw)
