"""Load on the studio: 50 jobs from 10 concurrent clients against one server with 2 workers.

Reports: all accepted, all finished, none lost or duplicated, and the latency of status calls
(GET /api/jobs/{id}) while the workers render, against the same calls on the idle server
measured first in the same run (the baseline). Target: status calls under 200 ms.

Then the probes of issue 17, each on a fresh server: the API process's peak memory while three
10000 x 10000 PNG bombs upload at once (target < 300 MB; its memory at rest is the baseline),
its open descriptors after 1,000 requests from 50 threads and again after its idle threads
retired (target: flat), and how long a DELETE takes to stop a job whose photo is still being
decoded (a 65535 x 1525 PNG; target < 2 s).

    python benchmarks/bench_server.py [--jobs 50] [--clients 10] [--workers 2] [--skip-load] [--skip-probes]
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


def png_stream(width: int, height: int, row=None) -> bytes:
    """A PNG made row by row (never whole in memory); black rows by default: a decompression bomb."""
    import struct
    import zlib

    packer = zlib.compressobj(9)
    black = b"\x00" + bytes(width * 3)
    parts = [packer.compress(black if row is None else b"\x00" + row(y)) for y in range(height)]
    parts.append(packer.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def proc_status(pid: int, key: str) -> int:
    """A /proc/PID/status figure in MB (VmRSS now, VmHWM the kernel's high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return -1


def open_files(pid: int) -> int:
    import os

    return len(os.listdir(f"/proc/{pid}/fd"))


def probe_memory(start_server, stop_server, tmp: Path) -> bool:
    server, base = start_server(tmp / "memory", workers=1)
    port = int(base.rsplit(":", 1)[1])
    try:
        rest = proc_status(server.pid, "VmRSS")
        bomb = png_stream(10_000, 10_000)
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(Client(port).submit(bomb, {"duration": "1"})[0])) for _ in range(3)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        peak = proc_status(server.pid, "VmHWM")
    finally:
        stop_server(server)
    print(f"  memory, 3 bombs of 10000 x 10000 ({len(bomb) // 1024} KB each) at once: API process at rest {rest} MB "
          f"(baseline), peak {peak} MB ({peak / rest:.2f}x); answers {sorted(answers)} in {took * 1000:.0f} ms; "
          f"target < 300 MB: {'met' if peak < 300 else 'NOT met'}")
    return peak < 300 and answers == [202, 202, 202]


def probe_descriptors(start_server, stop_server, tmp: Path) -> bool:
    server, base = start_server(tmp / "descriptors", workers=1)
    port = int(base.rsplit(":", 1)[1])
    try:
        job_id = Client(port).submit(photo_bytes(), {"duration": "1", "resolution": "480"})[1]["id"]
        rest = open_files(server.pid)
        counts: dict = {}
        lock = threading.Lock()

        def burst() -> None:
            def run() -> None:
                client = Client(port)
                for n in range(20):  # reads in the thread pool and on the event loop
                    path = ["/api/jobs?limit=5", f"/api/jobs/{job_id}", "/api/info", "/api/jobs"][n % 4]
                    status = client.request("GET", path)[0]
                    with lock:
                        counts[status] = counts.get(status, 0) + 1
                client.conn.close()

            threads = [threading.Thread(target=run) for _ in range(50)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        burst()
        time.sleep(0.5)  # the clients' closed connections are closed on the server's side too
        after = open_files(server.pid)
        time.sleep(11)  # anyio's idle pool threads retire after 10 s, at the next call
        burst()
        time.sleep(0.5)
        retired = open_files(server.pid)
    finally:
        stop_server(server)
    # At most 4 readers and 1 writer to SQLite (a database and a WAL descriptor each) beyond those at rest.
    flat = after <= rest + 10 and retired <= after + 2
    print(f"  descriptors: {rest} at rest (baseline), {after} after 1,000 requests from 50 threads, {retired} after "
          f"1,000 more on new threads; answers {counts}; target flat: {'met' if flat else 'NOT met'}")
    return flat and set(counts) == {200}


def probe_delete(start_server, stop_server, tmp: Path) -> bool:
    import numpy as np

    width, height = 65_535, 1_525
    xs = np.arange(width)

    def row(y: int) -> bytes:
        out = np.empty((width, 3), np.uint8)
        out[:, 0], out[:, 1], out[:, 2] = xs // 97 % 200 + 30, y * 160 // height + 40, xs // 1000 % 2 * 150 + 50
        return out.tobytes()

    panorama = png_stream(width, height, row)
    server, base = start_server(tmp / "delete", workers=1)
    port = int(base.rsplit(":", 1)[1])
    try:
        client = Client(port)
        job_id = client.submit(panorama, {"duration": "1", "resolution": "480", "aspect": "original"})[1]["id"]
        while client.request("GET", f"/api/jobs/{job_id}")[1]["status"] != "running":
            time.sleep(0.02)
        time.sleep(0.5)  # inside its first decode: no progress callback comes for seconds
        stage = client.request("GET", f"/api/jobs/{job_id}")[1]["stage"]
        asked = time.perf_counter()
        client.request("DELETE", f"/api/jobs/{job_id}")
        while (status := client.request("GET", f"/api/jobs/{job_id}")[1]["status"]) == "running":
            if time.perf_counter() - asked > 120:
                break  # reported as NOT met
            time.sleep(0.01)
        took = time.perf_counter() - asked
    finally:
        stop_server(server)
    print(f"  DELETE of a 65535 x 1525 photo's job in stage {stage!r}: {status} after {took * 1000:.0f} ms; "
          f"target < 2 s: {'met' if took < 2 and status == 'cancelled' else 'NOT met'}")
    return took < 2 and status == "cancelled"


def probes() -> bool:
    from stillmotion.server.launch import start_server, stop_server

    print("issue 17 probes (each on a fresh server):")
    with tempfile.TemporaryDirectory(prefix="stillmotion-probes-") as tmp:
        results = [probe(start_server, stop_server, Path(tmp)) for probe in (probe_memory, probe_descriptors, probe_delete)]
    return all(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds of video per job (tiny renders)")
    parser.add_argument("--skip-load", action="store_true", help="only the issue 17 probes")
    parser.add_argument("--skip-probes", action="store_true", help="only the load")
    args = parser.parse_args()
    ok = True
    if not args.skip_load:
        ok = load(args) and ok
    if not args.skip_probes:
        ok = probes() and ok
    return 0 if ok else 1


def load(args) -> bool:
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
    return (len(accepted) == args.jobs and len(done) == args.jobs and not lost and not duplicated
            and len(videos) == args.jobs and most_running <= args.workers and max(busy_latency) < 0.2)


if __name__ == "__main__":
    sys.exit(main())
