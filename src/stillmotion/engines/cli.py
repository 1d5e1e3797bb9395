"""stillmotion models list | pull NAME: the neural models, their licences and the local cache.

Also the --engine/--model/--low-vram flags that animate, render (and batch, studio) share.
"""

from __future__ import annotations

import argparse

ENGINE_CHOICES = ("cpu", "neural", "auto")


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINE_CHOICES, default="cpu",
                        help="cpu (default), neural (a diffusion model on the GPU; pip install 'stillmotion[neural]'), "
                             "or auto (neural only for motion the CPU engine cannot fake, when a GPU and the model are there)")
    parser.add_argument("--model", metavar="NAME", help="neural model: a name from `stillmotion models list` or a local diffusers folder (default ltx-video)")
    parser.add_argument("--low-vram", action="store_true", help="neural: offload model parts to the CPU between uses, tile the VAE")


def engine_options(args: argparse.Namespace) -> dict:
    return {"engine": args.engine, "model": args.model, "low_vram": args.low_vram}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("models", help="neural models: list, pull", description=__doc__)
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="known models, whether they are in the local cache, size and licence")
    listing.set_defaults(run=run_list)
    pull = commands.add_parser("pull", help="download a model into the Hugging Face cache (HF_HOME respected)")
    pull.add_argument("name", help="model name (see `stillmotion models list`)")
    pull.set_defaults(run=run_pull)


def run_list(args) -> int:
    from .cache import human_size, hub_cache, local_path, size_on_disk
    from .models import DEFAULT_MODEL, MODELS

    print(f"cache: {hub_cache()}")
    print(f"{'name':<18} {'cached':<7} {'size':>9}  {'fps':>3} {'frames':<10} licence")
    for name, spec in MODELS.items():
        cached = local_path(spec) is not None
        size = human_size(size_on_disk(spec)) if cached else "-"
        frames = f"{spec.frame_rule}<={spec.max_frames}" if spec.frame_rule != "fixed" else f"{spec.max_frames}"
        default = " (default)" if name == DEFAULT_MODEL else ""
        print(f"{name:<18} {'yes' if cached else 'no':<7} {size:>9}  {spec.fps:>3} {frames:<10} {spec.licence} <{spec.licence_url}>{default}")
    return 0


def run_pull(args) -> int:
    from .cache import human_size, pull, size_on_disk
    from .models import get_model

    spec = get_model(args.name)
    print(f"{spec.name}: licence {spec.licence} <{spec.licence_url}>")
    path = pull(spec)
    print(f"{spec.name}: {human_size(size_on_disk(spec))} in {path}")
    return 0
