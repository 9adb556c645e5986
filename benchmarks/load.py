"""Time and peak memory of ``stdgraph load`` on a generated N-Triples file.

Builds the bundled graph into a store, writes ``--triples`` lines of synthetic standards
(``generate.py``: whole standards until ``--triples`` lines, plus the ``dcterms:source`` the
shapes require of the other resources), then runs
``stdgraph load FILE`` as a child process on a copy of that store, once with ``--no-validate``
and once with validation, and reads the child's peak RSS from ``wait4``. For reference it also
loads the same file into an empty store with pyoxigraph's own ``Store.bulk_load`` and with the
chunked writer ``stdgraph load`` uses (``stdgraph.change.load.write_chunked``), each in a child
process. Every run checks the loaded graph holds exactly the distinct lines of the file.

    python benchmarks/load.py                       # 2,000,000 triples, both modes
    python benchmarks/load.py --triples 200000 --modes no-validate
    python benchmarks/load.py --triples 200000 --data untargeted --modes validate

``--data untargeted`` writes triples of IRIs no shape targets (``<…/s{i}> <…/p{i mod 7}>
<…/o{i div 3}>``), the load of issue 21 that spent 163 of its 169 s validating them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from stdgraph.change.load import default_graph  # noqa: E402

REFERENCE = """
import sys, pyoxigraph as ox
from pathlib import Path
from stdgraph.change.load import _quads, write_chunked
store = ox.Store(sys.argv[2])
g = ox.NamedNode("urn:x-bench:g")
if sys.argv[1] == "bulk_load":
    store.bulk_load(path=sys.argv[3], format=ox.RdfFormat.N_TRIPLES, to_graph=g)
else:
    write_chunked(store, _quads(Path(sys.argv[3]), g))
store.flush()
"""


def bench_lines(triples: int, seed: int):
    """Lines of a generated graph, whole standards only, until at least ``triples`` lines.

    The generator gives architecture elements, bodies and barriers no ``dcterms:source``, which
    the bundled shapes require; one source line is added for each of them so the file conforms.
    """
    standard_type = f"<{generate.RDF_TYPE}> <{generate.SG}Standard> ."
    rdf_type = f" <{generate.RDF_TYPE}> "
    source = f"<{generate.DCTERMS_SOURCE}>"
    typed: set[str] = set()
    n = 0
    for line in generate.lines(triples // 9 + 1000, seed=seed):  # 9-16 lines per standard
        if standard_type in line:
            if n >= triples:
                return
        elif rdf_type in line:
            subject = line.split(" ", 1)[0]
            if subject not in typed:
                typed.add(subject)
                n += 1
                yield f"{subject} {source} <https://example.org/bench/source> .\n"
        n += 1
        yield line
    raise ValueError(f"the generator ran out before {triples} lines")


def untargeted_lines(triples: int):
    """Lines no shape targets: no type, no predicate of stdgraph's, shared objects."""
    ex = "http://example.org/bench/"
    for i in range(triples):
        yield f"<{ex}s{i}> <{ex}p{i % 7}> <{ex}o{i // 3}> .\n"


def write_file(path: Path, triples: int, seed: int, data: str = "standards"
               ) -> tuple[int, int]:
    """Write the file; returns (lines, distinct lines)."""
    seen: set[bytes] = set()
    n = 0
    lines = untargeted_lines(triples) if data == "untargeted" else bench_lines(triples, seed)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            seen.add(hashlib.blake2b(line.encode(), digest_size=12).digest())
            f.write(line)
            n += 1
    return n, len(seen)


def run_child(args: list[str], timeout: float) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, peak RSS MiB, stderr) of a child process."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
    return proc.returncode, wall, usage.ru_maxrss / 1024, text


def stage_times(stderr: str) -> str:
    """The progress lines' time stamps, as 'read 12.3 s, inferred 40.1 s, validated 80.0 s'."""
    marks = []
    for stamp, what in re.findall(r"\[\s*([\d.]+)s\] (read|inferred graph|validated)", stderr):
        marks.append(f"{what.split()[0]} at {float(stamp):.1f} s")
    return ", ".join(marks)


def graph_count(store: Path, graph: str) -> int:
    from stdgraph.store import OxigraphStore

    with OxigraphStore(store, read_only=True) as st:
        return st.count(graph)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", choices=("standards", "untargeted"), default="standards",
                    help="whole synthetic standards, or triples no shape targets")
    ap.add_argument("--modes", default="no-validate,validate",
                    help="comma-separated: no-validate, validate, reference")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    ap.add_argument("--workdir", default=None, help="keep the files here (default: a temp dir)")
    args = ap.parse_args()
    modes = args.modes.split(",") + ["reference"] * ("reference" not in args.modes)

    from stdgraph.change.build import build
    from stdgraph.project import Project
    from stdgraph.store import OxigraphStore

    work = Path(args.workdir or tempfile.mkdtemp(prefix="stdgraph-load-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        data = work / "bench.nt"
        t0 = time.perf_counter()
        lines, distinct = write_file(data, args.triples, args.seed, args.data)
        print(f"wrote {lines} lines ({distinct} distinct, "
              f"{data.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)
        base = work / "base"
        with OxigraphStore(base) as st:
            build(Project.locate(), st)
        target = default_graph(data)

        rows = []
        for mode in modes:
            if mode == "reference":
                for loader in ("bulk_load", "chunked"):
                    dest = work / f"ref-{loader}"
                    shutil.rmtree(dest, ignore_errors=True)
                    code, wall, rss, err = run_child(
                        [sys.executable, "-c", REFERENCE, loader, str(dest), str(data)],
                        args.timeout)
                    if code != 0:
                        raise SystemExit(f"reference {loader} failed: {err[-2000:]}")
                    label = ("pyoxigraph Store.bulk_load(path=...)" if loader == "bulk_load"
                             else "stdgraph chunked writer (bulk_extend per 200k quads)")
                    rows.append((f"reference: {label}, empty store", wall, rss, "load only"))
                    shutil.rmtree(dest, ignore_errors=True)
                continue
            store = work / f"store-{mode}"
            shutil.rmtree(store, ignore_errors=True)
            shutil.copytree(base, store)
            cmd = [sys.executable, "-m", "stdgraph", "--store", str(store), "load", str(data)]
            if mode == "no-validate":
                cmd.append("--no-validate")
            code, wall, rss, err = run_child(cmd, args.timeout)
            if code != 0:
                rows.append((f"stdgraph load ({mode})", wall, rss,
                             f"exit {code}: {err.strip().splitlines()[-1] if err else ''}"))
                continue
            n = graph_count(store, target)
            if n != distinct:
                raise SystemExit(f"{mode}: the graph holds {n} triples, expected {distinct}")
            rows.append((f"stdgraph load ({mode})", wall, rss, stage_times(err)))
            shutil.rmtree(store, ignore_errors=True)

        print(f"\n{lines:,} N-Triples lines ({distinct:,} distinct), into a store holding "
              f"the bundled graph\n")
        print("| run | wall (s) | peak RSS (MiB) | stages |")
        print("| --- | ---: | ---: | --- |")
        for name, wall, rss, note in rows:
            print(f"| {name} | {wall:.1f} | {rss:.0f} | {note} |")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
