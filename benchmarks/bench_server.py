"""Load on the studio: 50 jobs from 10 concurrent clients against one server with 2 workers.

Reports: all accepted, all finished, none lost or duplicated, and the latency of status calls
(GET /api/jobs/{id}) while the workers render, against the same calls on the idle server
measured first in the same run (the baseline). Target: status calls under 200 ms.

    python benchmarks/bench_server.py [--jobs 50] [--clients 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path


def photo_bytes() -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    image = np.zeros((240, 320, 3), np.uint8)
    image[:96] = np.linspace([120, 170, 230], [200, 220, 245], 96)[:, None, :].astype(np.uint8)
    image[96:] = (rng.integers(40, 120, (144, 320, 1)) * np.array([[[0.6, 0.9, 0.5]]])).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


class Client:
    """One keep-alive HTTP connection, as a real client would hold."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, float]:
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                answer = self.conn.getresponse()
                data = answer.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closes idle keep-alive connections (after 5 s): reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        return answer.status, json.loads(data) if data else {}, time.perf_counter() - start

    def submit(self, photo: bytes, fields: dict) -> tuple[int, dict, float]:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        parts.append(head.encode() + photo + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", "/api/jobs", b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def probe_main(port: int, job_id: str, stop, out) -> None:
    """Status calls from a process of its own (no client threads competing for its GIL), every 50 ms."""
    client = Client(port)
    latencies, most_running = [], 0
    while not stop.is_set():
        latencies.append(client.request("GET", f"/api/jobs/{job_id}")[2])
        most_running = max(most_running, client.request("GET", "/api/info")[1]["jobs"].get("running", 0))
        time.sleep(0.05)
    out.put((latencies, most_running))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds of video per job (tiny renders)")
    args = parser.parse_args()

    from stillmotion.server.launch import start_server, stop_server

    photo = photo_bytes()
    with tempfile.TemporaryDirectory(prefix="stillmotion-bench-") as tmp:
        data = Path(tmp) / "data"
        server, base = start_server(data, workers=args.workers)
        port = int(base.rsplit(":", 1)[1])
        try:
            # Baseline: status calls on an idle server (one job exists, nothing renders).
            probe = Client(port)
            status, body, _ = probe.submit(photo, {"duration": "1", "resolution": "480"})
            probe.request("DELETE", f"/api/jobs/{body['id']}")
            idle = [probe.request("GET", f"/api/jobs/{body['id']}")[2] for _ in range(100)]
            probe.request("DELETE", f"/api/jobs/{body['id']}")

            accepted: list[str] = []
            refused: list[str] = []
            busy_latency: list[float] = []
            busy_after_uploads: list[float] = []  # once every job is in: rendering only, no uploads
            all_in = threading.Event()
            submit_latency: list[float] = []
            final: dict[str, str] = {}
            lock = threading.Lock()
            rendering = threading.Event()
            per_client = [args.jobs // args.clients + (1 if i < args.jobs % args.clients else 0) for i in range(args.clients)]

            def client_run(index: int, count: int) -> None:
                client = Client(port)
                mine = []
                for n in range(count):
                    fields = {"duration": str(args.duration), "resolution": "480", "seed": str(index * 1000 + n),
                              "prompt": f"client {index} job {n}"}
                    status, body, took = client.submit(photo, fields)
                    with lock:
                        submit_latency.append(took)
                        (accepted if status == 202 else refused).append(body.get("id") or str(body))
                    if status == 202:
                        mine.append(body["id"])
                with lock:
                    if len(accepted) + len(refused) == args.jobs:
                        all_in.set()
                # Follow my jobs as a page would: one status call each, every 0.25 s, until they end.
                open_jobs = set(mine)
                while open_jobs:
                    for job_id in list(open_jobs):
                        status, body, took = client.request("GET", f"/api/jobs/{job_id}")
                        running = body.get("status") == "running"
                        if running:
                            rendering.set()
                        with lock:
                            if rendering.is_set():
                                busy_latency.append(took)
                                if all_in.is_set():
                                    busy_after_uploads.append(took)
                        if body.get("status") in ("done", "failed", "cancelled"):
                            open_jobs.discard(job_id)
                            with lock:
                                final[job_id] = body["status"] if body["status"] != "failed" else f"failed: {body['error']}"
                    time.sleep(0.25)

            import multiprocessing

            context = multiprocessing.get_context("fork")
            probe_stop, probe_out = context.Event(), context.Queue()
            probe_process = context.Process(target=probe_main, args=(port, body["id"], probe_stop, probe_out))
            start = time.monotonic()
            threads = [threading.Thread(target=client_run, args=(i, c)) for i, c in enumerate(per_client)]
            for thread in threads:
                thread.start()
            rendering.wait(timeout=120)
            probe_process.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - start
            probe_stop.set()
            probe_latency, most_running = probe_out.get(timeout=30)
            probe_process.join()

            status, listing, _ = probe.request("GET", "/api/jobs?limit=100")
            listed = [j["id"] for j in listing["jobs"]]
            videos = list((data / "videos").glob("*.mp4"))
        finally:
            stop_server(server)

    done = [j for j, s in final.items() if s == "done"]
    failures = sorted({s for s in final.values() if s != "done"})
    lost = set(accepted) - set(listed)
    duplicated = len(listed) - len(set(listed))
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    print(f"studio load: {args.jobs} jobs, {args.clients} clients, {args.workers} workers, {args.duration:g} s clips at 480p")
    print(f"  accepted {len(accepted)}/{args.jobs}, refused {len(refused)}, finished done {len(done)}/{len(accepted)}, "
          f"lost {len(lost)}, duplicated {duplicated}, listed {len(listed)}, video files {len(videos)}")
    if failures:
        print(f"  failures: {failures[:3]}")
    print(f"  wall {wall:.1f} s, {len(done) / wall * 60:.1f} jobs/min")
    print(f"  submit (upload + checks): median {ms(statistics.median(submit_latency))}, worst {ms(max(submit_latency))}")
    print(f"  status call, idle server (baseline, n={len(idle)}): median {ms(statistics.median(idle))}, worst {ms(max(idle))}")
    print(f"  status call while rendering (n={len(busy_latency)}): median {ms(statistics.median(busy_latency))}, "
          f"p95 {ms(percentile(busy_latency, 0.95))}, worst {ms(max(busy_latency))}")
    print(f"  most jobs running at once (seen every ~50 ms): {most_running} (workers: {args.workers})")
    over = sum(1 for t in busy_latency if t >= 0.2)
    print(f"  status calls at or over 200 ms: {over} of {len(busy_latency)} ({100 * over / len(busy_latency):.2f}%)")
    print(f"  status call from a separate probe process while rendering (n={len(probe_latency)}): "
          f"median {ms(statistics.median(probe_latency))}, p95 {ms(percentile(probe_latency, 0.95))}, worst {ms(max(probe_latency))}")
    if busy_after_uploads:
        print(f"  status call while rendering, after all uploads (n={len(busy_after_uploads)}): "
              f"median {ms(statistics.median(busy_after_uploads))}, "
              f"p95 {ms(percentile(busy_after_uploads, 0.95))}, worst {ms(max(busy_after_uploads))}")
    print(f"  ratio busy/idle median: {statistics.median(busy_latency) / statistics.median(idle):.1f}x; "
          f"target worst < 200 ms: {'met' if max(busy_latency) < 0.2 else 'NOT met'}")
    ok = (len(accepted) == args.jobs and len(done) == args.jobs and not lost and not duplicated
          and len(videos) == args.jobs and most_running <= args.workers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
