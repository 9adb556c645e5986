"""A guarded one-standard write on a remote store (``sparql+http://…``) holding N synthetic
standards: the client's peak memory and the write's latency, on ``oxigraph serve`` and Virtuoso.

Each size gets the graph ``benchmarks/writes.py`` writes into (the synthetic standards, the
bundled ontology graphs, the inferred graph, as a build leaves them), loaded into a fresh
server on 127.0.0.1 (``oxigraph load`` before ``oxigraph serve``; Virtuoso through its bulk
loader, one N-Triples file per graph). Then a separate client process opens the store, loads the
project's shapes and ontology (``WriteGuard.for_project``, ``validation.scoped.prepare``) and
commits ``--repeat`` writes of one new standard each (``writes.one_standard``: a standard
superseding an existing one, three classifications) through the change protocol
(``WriteGuard.update``), then reports its resident memory before the first write, its peak
resident memory over the writes (``VmHWM``, reset before the first write through
``/proc/self/clear_refs``, so that the set-up's own peak does not count) and each write's
latency by phase. The peak less the memory before is what the writes cost the client; before
the overlay (``store/overlay.py``) a write copied the whole dataset into the client's memory.

    python benchmarks/remote_write.py [--sizes 10000 100000] [--servers oxigraph virtuoso]
                                      [--repeat 5] [--dump nquads]

Needs ``oxigraph`` (the test extras) and, for Virtuoso, ``virtuoso-t`` on PATH
(``scripts/install-test-servers virtuoso``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: Virtuoso's cache in 8 KiB pages: about 1.3 GiB (its guide gives 170,000 for 2 GB of RAM)
VIRTUOSO_BUFFERS = 170_000
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import writes  # noqa: E402

PHASES = ["begin", "change", "inference", "validation", "commit"]


def resident_kib(field: str = "VmRSS") -> int:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in KiB
    (Linux; elsewhere ``ru_maxrss``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak() -> bool:
    """Start the peak (``VmHWM``, ``ru_maxrss``) over from the resident memory now: what the
    set-up took (pyshacl compiling the shapes) is then not counted as the writes' peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class _Counted:
    """A binary file that counts what is written to it."""

    def __init__(self, out) -> None:
        self.out = out
        self.n = 0

    def write(self, data) -> int:
        self.n += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def child(spec: str, standards: int, repeat: int, dump_format: str | None = None) -> int:
    """The client: one guarded write after another, then (``dump_format``) a dump of the whole
    store to /dev/null through ``Store.dump_to``; its figures as one JSON line."""
    from stdgraph.change.guard import WriteGuard
    from stdgraph.project import Project
    from stdgraph.store import RemoteStore
    from stdgraph.validation import scoped

    store = RemoteStore.from_spec(spec)
    guard = WriteGuard.for_project(store, Project.locate(str(REPO)))
    scoped.prepare(guard.shapes, guard.ontology)
    before = resident_kib("VmHWM")
    reset = reset_peak()
    now = resident_kib()
    runs = []
    for i in range(repeat):
        t = time.perf_counter()
        out = guard.update(writes.one_standard(900_000 + i, standards))
        runs.append({"seconds": time.perf_counter() - t, "timings": out.timings,
                     "inserted": out.inserted, "inferred_added": out.inferred_added,
                     "validated": out.touched})
    after = resident_kib("VmHWM")
    dump = None
    if dump_format:
        reset_peak()
        start_kib = resident_kib()
        t = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            counted = _Counted(sink)
            store.dump_to(counted, dump_format)
        dump = {"format": dump_format, "bytes": counted.n,
                "seconds": time.perf_counter() - t, "rss_before_kib": start_kib,
                "rss_peak_kib": resident_kib("VmHWM")}
    print(json.dumps({"rss_before_kib": now, "rss_peak_before_kib": before,
                      "rss_peak_kib": after, "peak_reset": reset, "runs": runs,
                      "dump": dump}))
    store.close()
    return 0


def start(kind: str, folder: Path, data: Path):
    """A server on 127.0.0.1 holding ``data`` (N-Quads); returns (server, seconds to load)."""
    from support import sparql_servers

    t = time.perf_counter()
    if kind == "oxigraph":
        exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        subprocess.run([exe, "load", "--location", str(folder), "--file", str(data)],
                       check=True, capture_output=True)
        server = sparql_servers.start_oxigraph(folder)
        return server, time.perf_counter() - t
    import pyoxigraph as ox

    # one N-Triples file per graph, written as the N-Quads are read (nothing held in memory),
    # then Virtuoso's bulk loader (ld_dir + rdf_loader_run through isql): uploading 3.8M
    # quads through the Graph Store Protocol did not finish in 16 minutes at 100k
    server = sparql_servers.start_virtuoso(folder, buffers=VIRTUOSO_BUFFERS)
    files: dict[str, Path] = {}
    outs: dict[str, object] = {}
    for q in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS):
        name = q.graph_name.value
        if name not in outs:
            files[name] = folder / f"graph-{len(files)}.nt"
            outs[name] = files[name].open("w", encoding="utf-8")
        outs[name].write(f"{q.subject} {q.predicate} {q.object} .\n")  # type: ignore[attr-defined]
    for f in outs.values():
        f.close()  # type: ignore[attr-defined]
    script = "".join(f"ld_dir('{folder}', '{path.name}', '{name}');\n"
                     for name, path in files.items())
    script += "rdf_loader_run();\ncheckpoint;\n"
    isql = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
    port = sparql_servers.virtuoso_sql_port(folder)
    done = subprocess.run([isql, f"127.0.0.1:{port}", sparql_servers.VIRTUOSO_USER,
                           sparql_servers.VIRTUOSO_PASSWORD], input=script, text=True,
                          capture_output=True, check=False)
    if done.returncode or "Error" in done.stdout + done.stderr:
        server.stop()
        raise SystemExit(f"Virtuoso's bulk load failed: {(done.stdout + done.stderr)[-2000:]}")
    for path in files.values():
        path.unlink()
    return server, time.perf_counter() - t


def run(kind: str, standards: int, repeat: int, work: Path, dump: str | None = None) -> None:
    import pyoxigraph as ox

    from stdgraph.project import Project

    data = work / f"data-{standards}.nq"
    if not data.exists():
        store = writes.setup(work, standards, Project.locate(str(REPO)))
        with data.open("wb") as out:
            store.db.dump(out, format=ox.RdfFormat.N_QUADS)
        store.close()
    quads = sum(1 for _ in data.open("rb"))
    server, load = start(kind, work / f"{kind}-{standards}", data)
    try:
        env = {**os.environ, **server.env}
        extra = ["--dump", dump] if dump else []
        proc = subprocess.run([sys.executable, __file__, "--child", server.spec,
                               "--standards", str(standards), "--repeat", str(repeat), *extra],
                              env=env, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"the client failed on {kind} at {standards}")
        got = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        server.stop()
    runs = got["runs"]
    ms = lambda x: f"{1000 * x:8.1f}"  # noqa: E731
    mib = lambda k: f"{k / 1024:7.1f} MiB"  # noqa: E731
    print(f"\n{kind}, {standards} standards ({quads:,} quads, {data.stat().st_size / 2**20:.0f} "
          f"MiB of N-Quads), loaded in {load:.1f} s")
    print(f"  client RSS before the writes: {mib(got['rss_before_kib'])} (peak so far "
          f"{mib(got['rss_peak_before_kib'])}); peak after {len(runs)} writes: "
          f"{mib(got['rss_peak_kib'])} "
          f"(+{(got['rss_peak_kib'] - got['rss_before_kib']) / 1024:.1f} MiB over the writes)")
    print(f"  first write {ms(runs[0]['seconds'])} ms; median of all "
          f"{ms(statistics.median(r['seconds'] for r in runs))} ms, max "
          f"{ms(max(r['seconds'] for r in runs))} ms "
          f"(+{runs[0]['inferred_added']} inferred, {runs[0]['validated']} nodes validated)")
    for p in PHASES:
        print(f"    {p:11s} {ms(statistics.median(r['timings'].get(p, 0.0) for r in runs))} ms")
    d = got.get("dump")
    if d:
        print(f"  dump ({d['format']}, streamed): {d['bytes'] / 2**20:.0f} MiB in "
              f"{d['seconds']:.1f} s; client RSS {mib(d['rss_before_kib'])} before, peak "
              f"{mib(d['rss_peak_kib'])} (+{(d['rss_peak_kib'] - d['rss_before_kib']) / 1024:.1f}"
              " MiB)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    ap.add_argument("--servers", nargs="+", choices=["oxigraph", "virtuoso"],
                    default=["oxigraph", "virtuoso"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dump", choices=["nquads", "ntriples"],
                    help="also dump the whole store in this format (streamed, to /dev/null): "
                         "its time and the client's peak memory over it")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--standards", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.standards, args.repeat, args.dump)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    work = Path(tempfile.mkdtemp(prefix="stdgraph-bench-remote-"))
    try:
        for n in args.sizes:
            for kind in args.servers:
                run(kind, n, args.repeat, work, args.dump)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
