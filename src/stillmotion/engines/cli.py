"""stillmotion models list | pull NAME: the neural models, their licences and the local cache.

The engine's flags (--engine, --model, --low-vram/--no-offload, --audio) come from the option
schema (stillmotion.options) like every other flag.
"""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("models", help="neural models: list, pull", description=__doc__)
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="known models, whether they are in the local cache, size and licence")
    listing.set_defaults(run=run_list)
    pull = commands.add_parser("pull", help="download a model: a neural video model into the Hugging Face cache "
                               "(HF_HOME respected), or an analysis model (depth, segmentation) into the model folder")
    pull.add_argument("name", help="model name (see `stillmotion models list`)")
    pull.set_defaults(run=run_pull)


def run_list(args) -> int:
    from .cache import hub_cache, human_size, local_path, size_on_disk
    from .models import DEFAULT_MODEL, MODELS

    print(f"cache: {hub_cache()}")
    print(f"{'name':<18} {'cached':<7} {'size':>9}  {'fps':>3} {'frames':<9} {'loop':<9} {'sound':<5} licence")
    for name, spec in MODELS.items():
        cached = local_path(spec) is not None
        size = human_size(size_on_disk(spec)) if cached else "-"
        frames = f"{spec.frame_rule}<={spec.max_frames}" if spec.frame_rule != "fixed" else f"{spec.max_frames}"
        default = " (default)" if name == DEFAULT_MODEL else ""
        gated = ", gated: accept it on the model page" if spec.gated else ""
        print(f"{name:<18} {'yes' if cached else 'no':<7} {size:>9}  {spec.fps:>3} {frames:<9} {spec.loop:<9} "
              f"{'yes' if spec.audio else '-':<5} {spec.licence} <{spec.licence_url}>{gated}{default}")
    from ..analysis.models import describe  # the analysis's own models (issue 12)

    print("\n" + "\n".join(describe()))
    return 0


def run_pull(args) -> int:
    import sys

    from ..analysis import models as analysis_models
    from .cache import human_size, pull, size_on_disk
    from .models import get_model

    if args.name in analysis_models.MODELS:  # depth, segmentation: the analysis's files (issue 12)
        analysis_models.pull_with_progress(args.name, sys.stderr)
        return 0

    spec = get_model(args.name)
    print(f"{spec.name}: licence {spec.licence} <{spec.licence_url}>")
    path = pull(spec)
    print(f"{spec.name}: {human_size(size_on_disk(spec))} in {path}")
    return 0
