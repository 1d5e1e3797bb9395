"""The same batch work as Ray tasks, for when one machine is not enough.

Each item is one task running jobs.process_item, exactly as a local worker does: same plan, same
output name, same skip rule, and the video written by the task straight to the output folder.
On a cluster the photos and the output folder must therefore be at the same path on every node
(a shared file system), and stillmotion installed on every node.

address: None starts a local Ray (or uses one this process already started); "auto" joins the
cluster running on this machine (`ray start --head`); "ray://host:10001" goes through Ray Client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import StillmotionError, missing
from .jobs import Item, Result, process_item

WAIT_SECONDS = 1.0  # how often the driver looks up from waiting (so Ctrl-C is answered)


def import_ray():
    try:
        import ray
    except ImportError:
        raise missing("ray", extra="ray", needed_for="batch on Ray") from None
    return ray


def _task(item: Item, outdir: Path) -> Result:
    return process_item(item, outdir)


def run_ray(items: list[Item], outdir: Path, on_result: Callable[[Result], None], *, address: str | None = None) -> bool:
    """Run items as Ray tasks (one CPU each). True if interrupted."""
    ray = import_ray()
    started_here = False
    if not ray.is_initialized():
        import logging

        ray.init(address=address or None, include_dashboard=False, logging_level=logging.WARNING, configure_logging=True)
        started_here = True
    if any(resources_for(item) for item in items) and not ray.cluster_resources().get("GPU", 0):
        raise StillmotionError("the neural engine on Ray needs a GPU in the cluster, and it has none; use the auto or cpu engine",
                               fix=(("engine", "auto"), ("engine", "cpu")))
    # max_retries=0: a photo that crashes a worker fails once, with its reason, and is not rerun.
    task = ray.remote(num_cpus=1, max_retries=0)(_task)
    pending = {task.options(**resources_for(item)).remote(item, outdir): item for item in items}
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=WAIT_SECONDS)
            for ref in ready:
                on_result(_outcome(ray, ref, pending.pop(ref)))
        return False
    except KeyboardInterrupt:
        # Queued tasks are dropped; running ones get KeyboardInterrupt, which unwinds the render and
        # removes its temporary file. Wait for them, so the report says what became of each.
        for ref in pending:
            ray.cancel(ref, force=False)
        for ref, item in pending.items():
            on_result(_outcome(ray, ref, item))
        return True
    finally:
        if started_here:
            ray.shutdown()


def resources_for(item: Item) -> dict:
    """A neural item needs a GPU: Ray sends it to a worker that holds one, and that worker process
    keeps its loaded pipeline for the next item (engines.neural loads once per process)."""
    if item.engine.get("engine") == "neural":  # auto may fall back to the CPU: no GPU demanded
        return {"num_gpus": 1}
    return {}


def _outcome(ray, ref, item: Item) -> Result:
    try:
        return ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        # Queued or running when cancelled: either way no video, and nothing half-written left.
        return Result(item.shown, None, "cancelled", "interrupted before the video was finished", 0.0, item.index)
    except ray.exceptions.RayError as exc:
        # The task's process died or Ray could not run it: this item fails, the batch goes on.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return Result(item.shown, None, "failed", f"Ray: {exc.__class__.__name__}: {reason}", 0.0, item.index)
