#!/usr/bin/env python3
"""Side-by-side benchmark: yuqing vs the two Python peer pipelines.

Runs `yuqing bench --json` and the peers in ../shared/bench/peer (peer_tantivy.py:
jieba + tantivy-py; peer_pipeline.py: jieba + whoosh) one after the other, on the
same corpus and machine, then prints markdown tables of yuqing/peer ratios per stage
(segment, index, ingest end to end), search latency, peak RSS, the issue's three
headline checks (PASS/FAIL) and the hit counts of the 20 fixed queries.

Run from the project root (stdlib only; the peers get their own venv):

    python3 benches/compare_peers.py                  # full corpus, 1.5-4 min on 2 vCPUs
    python3 benches/compare_peers.py --limit 2000     # quick check, ~40 s
    python3 benches/compare_peers.py --skip-whoosh    # without the slow whoosh peer
    python3 benches/compare_peers.py --reuse-peer-results ../shared/bench/peer/results
    python3 benches/compare_peers.py --json-out target/compare.json > target/compare.md

The peers need a venv with their requirements.txt; it is created at target/peer-venv
(python3.11 -m venv, else python3) if missing. The yuqing binary is built with
`cargo build --release` if it is missing or --build is given. Nothing is written to
../shared: peer indexes and reports go to target/compare-peers/. Tables go to stdout,
commands and progress to stderr.
"""
import argparse
import glob
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = {"peer_tantivy": "peer_tantivy.py", "peer_pipeline": "peer_pipeline.py"}  # script per peer
# comparable stages: key -> (label, yuqing stage id, {peer: stage name in the peer's JSON})
STAGES = [
    ("normalise", "normalise", {"peer_tantivy": "normalise", "peer_pipeline": "normalise"}),
    ("segment (jieba, 1 thread)", "segment", {"peer_tantivy": "segment(jieba)", "peer_pipeline": "segment(jieba)"}),
    ("segment, raw jieba-rs, all cores", "segment_raw_all_cores", {}),
    ("index", "index", {"peer_tantivy": "index(total)", "peer_pipeline": "index(whoosh+analyzer)"}),
    ("floor: cut once + postings, all cores, nothing else", "segment_index_floor", {}),
    ("ingest end to end", "ingest", {"peer_tantivy": "ingest", "peer_pipeline": "ingest"}),
]
# older binaries have no "id": match on the stage text instead (first match wins)
PREFIXES = [("normalise", "normalise"), ("segment", "segment"), ("analyze", "analyze"),
            ("index", "index"), ("end to end", "ingest")]
CHECKS = [("ingest ≥ 10× peer_tantivy", "peer_tantivy", 10.0),
          ("ingest ≥ 25× peer_pipeline (whoosh)", "peer_pipeline", 25.0)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    sys.exit(f"compare_peers: error: {msg}")


def run(cmd, **kw):
    """Prints the command, runs it, returns (CompletedProcess, seconds)."""
    log("$ " + shlex.join(str(c) for c in cmd))
    t = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), **kw)
    except FileNotFoundError as e:
        die(f"cannot run {cmd[0]}: {e}")
    return proc, time.monotonic() - t


def from_root(path):
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(ROOT, path))


def ensure_venv(venv, peer_dir):
    py = os.path.join(venv, "bin", "python")
    check = [py, "-c", "import jieba, whoosh, tantivy"]
    if os.path.exists(py) and subprocess.run(check, capture_output=True).returncode == 0:
        return py
    if not os.path.exists(py):
        base = shutil.which("python3.11") or shutil.which("python3") or sys.executable
        if run([base, "-m", "venv", venv])[0].returncode != 0:
            die(f"could not create a venv at {venv} with {base}; install python3.11 (or the "
                f"python3-venv package) or create it by hand: python3.11 -m venv {venv}")
    req = os.path.join(peer_dir, "requirements.txt")
    if run([py, "-m", "pip", "install", "-q", "-r", req])[0].returncode != 0:
        die(f"pip install -r {req} failed (is PyPI reachable?). Fix the venv by hand: "
            f"{py} -m pip install -r {req}, or delete {venv} and run again")
    if subprocess.run(check).returncode != 0:
        die(f"the venv {venv} still cannot import jieba/whoosh/tantivy; delete it and run again")
    return py


def run_yuqing(args, corpus):
    binary = os.path.abspath(args.yuqing) if args.yuqing else os.path.join(ROOT, "target", "release", "yuqing")
    if args.build or (not os.path.exists(binary) and not args.yuqing):
        if run(["cargo", "build", "--release"])[0].returncode != 0:
            die("cargo build --release failed; fix the build or pass --yuqing PATH")
    if not os.path.exists(binary):
        die(f"no yuqing binary at {binary}; build it (cargo build --release) or pass --yuqing PATH")
    cmd = [binary, "bench", "--corpus", corpus, "--json"]
    if args.limit:
        cmd += ["--max-docs", str(args.limit)]
    proc, secs = run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        die(f"yuqing bench failed (exit {proc.returncode}); see its output above")
    out = proc.stdout
    try:
        rep = json.loads(out[out.index("{"):out.rindex("}") + 1])
    except ValueError:
        die(f"yuqing bench printed no JSON:\n{out[-2000:]}")
    log(f"  yuqing bench: {secs:.0f} s")
    stages = {}
    for s in rep["stages"]:
        key = s.get("id") or next((k for p, k in PREFIXES if s["stage"].startswith(p) and k not in stages), None)
        if key and key not in stages:
            stages[key] = {"mb_s": s["mb_per_sec"], "docs_s": s["docs_per_sec"], "secs": s["seconds"]}
    return {"raw": rep, "docs": rep["docs"], "mb": rep["bytes"] / 1e6, "stages": stages,
            "p50": rep["search_p50_ms"], "p95": rep["search_p95_ms"], "rss": rep["peak_rss_mib"],
            "ingest_rss": rep.get("ingest_peak_rss_mib"), "hits": dict(rep.get("query_hits", []))}


def run_peer(name, args, py, corpus_glob, out_dir):
    out = os.path.join(out_dir, f"{name}_nosent.json")
    cmd = [py, os.path.join(args.peer_dir, PEERS[name]), "--sentiment-sample", "0", "--input", corpus_glob,
           "--workdir", os.path.join(out_dir, f"{name}_index"), "--json-out", out]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ in ../shared
    proc, secs = run(cmd, stdout=sys.stderr, env=env)
    if proc.returncode != 0:
        die(f"{name} failed (exit {proc.returncode}); see its output above")
    log(f"  {name}: {secs:.0f} s")
    return out


def load_peer(path):
    try:
        with open(path, encoding="utf-8") as f:
            rep = json.load(f)
    except OSError as e:
        die(f"cannot read peer results {path}: {e}")
    stages = {s["stage"]: {"mb_s": s["mb_per_s"], "docs_s": s["docs_per_s"], "secs": s["secs"]}
              for s in rep["stages"]}
    wall = rep["ingest_wall_s"]  # first read -> committed index; recomputed (the JSON rounds to 3 places)
    stages["ingest"] = {"mb_s": rep["text_mb"] / wall, "docs_s": rep["docs"] / wall, "secs": wall}
    if rep.get("settings", {}).get("sentiment_stride"):
        log(f"warning: {path} was run with snownlp sentiment on; its ingest is slower than without")
    q = rep["queries"]
    return {"raw": rep, "docs": rep["docs"], "mb": rep["text_mb"], "stages": stages,
            "p50": q["p50_ms"], "p95": q["p95_ms"], "rss": rep["peak_rss_mb"], "hits": q["hits"]}


def fmt(x, digits=None):
    if x is None:
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    if digits is None:
        digits = 0 if abs(x) >= 100 else 2 if abs(x) >= 1 else 3
    return f"{x:,.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def build_report(yq, peers):
    names = list(peers)
    head = "| | yuqing | " + " | ".join(f"{n} | yuqing/{n}" for n in names) + " |"
    lines = [head, "|---|---:|" + "---:|---:|" * len(names)]
    rows = []

    def row(label, y, per_peer):
        cells = [label, fmt(y)]
        rec = {"row": label, "yuqing": y}
        for n in names:
            p = per_peer.get(n)
            r = ratio(y, p)
            cells += [fmt(p), f"{r:.{1 if r >= 10 else 2 if r >= 0.1 else 3}f}×" if r else "–"]
            rec[n], rec[f"yuqing/{n}"] = p, ratio(y, p)
        lines.append("| " + " | ".join(cells) + " |")
        rows.append(rec)

    for label, yid, peer_stage in STAGES:
        ys = yq["stages"].get(yid, {})
        for unit in ("mb_s", "docs_s"):
            per = {n: peers[n]["stages"].get(peer_stage.get(n), {}).get(unit) for n in names}
            row(f"{label}, {'MB/s' if unit == 'mb_s' else 'docs/s'}", ys.get(unit), per)
    for key, label in (("p50", "search p50, ms (lower is better)"), ("p95", "search p95, ms (lower is better)"),
                       ("rss", "peak RSS, MiB (whole bench process)")):
        row(label, yq[key], {n: peers[n][key] for n in names})
    if yq["ingest_rss"] is not None:
        row("peak RSS during ingest, MiB (peers: whole process)", yq["ingest_rss"], {n: peers[n]["rss"] for n in names})

    ingest = yq["stages"].get("ingest", {}).get("mb_s")
    checks = []
    for label, peer, target in CHECKS:
        r = ratio(ingest, peers[peer]["stages"]["ingest"]["mb_s"]) if peer in peers else None
        checks.append({"check": label, "measured": f"{r:.2f}×" if r else "not run",
                       "target": f"{target:g}×", "result": "SKIP" if r is None else "PASS" if r >= target else "FAIL"})
    raw = yq["stages"].get("segment_raw_all_cores", {}).get("mb_s")
    r = ratio(ingest, raw)
    checks.append({"check": "ingest ≥ 30 % of raw jieba-rs on all cores", "target": "30 %",
                   "measured": f"{100 * r:.1f} % ({fmt(ingest)} of {fmt(raw)} MB/s)" if r
                   else "n/a: this binary has no segment_raw_all_cores stage (rebuild: --build)",
                   "result": "SKIP" if r is None else "PASS" if r >= 0.30 else "FAIL"})
    floor = yq["stages"].get("segment_index_floor", {}).get("mb_s")
    if floor and raw:
        # Context for the check above, not a target: the floor is what any
        # pipeline building this index must do, so ingest cannot exceed it.
        checks.append({"check": "context: the floor ÷ raw jieba-rs (ingest's ceiling)", "target": "—",
                       "measured": f"{100 * floor / raw:.1f} % ({fmt(floor)} of {fmt(raw)} MB/s); "
                                   f"ingest is {100 * ingest / floor:.0f} % of the floor",
                       "result": "INFO"})
    lines += ["", "| headline check | measured | target | result |", "|---|---|---:|---|"]
    lines += [f"| {c['check']} | {c['measured']} | {c['target']} | **{c['result']}** |" for c in checks]

    lines += ["", "| query | yuqing | " + " | ".join(names) + " | |", "|---|---:|" + "---:|" * len(names) + "---|"]
    hits, ndiff = [], 0
    for q in dict.fromkeys([q for p in peers.values() for q in p["hits"]] + list(yq["hits"])):
        y = yq["hits"].get(q)
        ps = {n: peers[n]["hits"].get(q) for n in names}
        diff = [f"{n.split('_')[1]} {y - p:+d}" for n, p in ps.items() if p is not None and y is not None and p != y]
        ndiff += bool(diff)
        lines.append(f"| {q} | {fmt(y)} | " + " | ".join(fmt(p) for p in ps.values()) + f" | {'≠ ' + ', '.join(diff) if diff else ''} |")
        hits.append({"query": q, "yuqing": y, **ps, "differs": bool(diff)})
    lines.append(f"\n{ndiff} of {len(hits)} queries differ from a peer (some drift is expected: "
                 "jieba-rs and Python jieba segment a few words differently).")
    return "\n".join(lines), rows, checks, hits


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="../shared/corpus", help="folder of *.jsonl (or one .jsonl file); default ../shared/corpus")
    ap.add_argument("--peer-dir", default="../shared/bench/peer", help="the peers' folder (default ../shared/bench/peer)")
    ap.add_argument("--reuse-peer-results", metavar="DIR", help="read peer_*_nosent.json from DIR instead of running the peers")
    ap.add_argument("--limit", type=int, help="first N docs only (peers --limit, yuqing --max-docs)")
    ap.add_argument("--skip-whoosh", action="store_true", help="leave out peer_pipeline (whoosh; ~3 min on the full corpus)")
    ap.add_argument("--yuqing", metavar="PATH", help="yuqing binary (default target/release/yuqing)")
    ap.add_argument("--build", action="store_true", help="cargo build --release first")
    ap.add_argument("--venv", default="target/peer-venv", help="venv for the peers (default target/peer-venv)")
    ap.add_argument("--json-out", metavar="FILE", help="also write everything as JSON here")
    args = ap.parse_args()
    # defaults are relative to the project root, paths given by the user to the working directory
    for attr in ("corpus", "peer_dir", "venv"):
        val = getattr(args, attr)
        setattr(args, attr, from_root(val) if val == ap.get_default(attr) else os.path.abspath(val))

    if os.path.isdir(args.corpus):
        corpus_glob = os.path.join(args.corpus, "*.jsonl")
    else:
        corpus_glob = args.corpus
    if not glob.glob(corpus_glob):
        die(f"no corpus at {args.corpus} (need *.jsonl files); pass --corpus DIR, e.g. ../shared/corpus")
    names = [n for n in PEERS if not (args.skip_whoosh and n == "peer_pipeline")]
    if not args.reuse_peer_results and not os.path.exists(os.path.join(args.peer_dir, "peer_common.py")):
        die(f"no peers in {args.peer_dir}; pass --peer-dir (the folder with peer_tantivy.py)")

    load_start = os.getloadavg()[0]
    if load_start > 0.5:
        log(f"warning: 1-min load average {load_start:.1f} before starting: if other jobs are running, figures will be low")
    started = time.monotonic()
    peers = {}
    if args.reuse_peer_results:
        for n in names:
            peers[n] = load_peer(os.path.join(os.path.abspath(args.reuse_peer_results), f"{n}_nosent.json"))
    yq = run_yuqing(args, args.corpus)  # before the peers: a broken binary fails fast
    if not args.reuse_peer_results:
        py = ensure_venv(args.venv, args.peer_dir)
        out_dir = os.path.join(ROOT, "target", "compare-peers")
        os.makedirs(out_dir, exist_ok=True)
        for n in names:  # sequential: never two benchmarks at once
            peers[n] = load_peer(run_peer(n, args, py, corpus_glob, out_dir))
    total = time.monotonic() - started
    load = f"{load_start:.1f} → {os.getloadavg()[0]:.1f}"

    table, rows, checks, hits = build_report(yq, peers)
    print(f"## yuqing vs Python peers\n\nmachine: {yq['raw'].get('machine')} · yuqing build: {yq['raw'].get('profile')}"
          f" · corpus: {args.corpus}{f' (first {args.limit} docs)' if args.limit else ''}")
    print(f"docs / MB (title+text): yuqing {yq['docs']} / {yq['mb']:.2f}; "
          + "; ".join(f"{n} {p['docs']} / {p['mb']:.2f}" for n, p in peers.items()))
    if args.limit:
        print(f"\nnote: --limit {args.limit} is a quick check; the first docs are long news articles, so the "
              "ratios differ from the full corpus. The issue's headline checks are judged on the full corpus.")
    if any(p["docs"] != yq["docs"] for p in peers.values()):
        print("\n**warning: the peers ran on a different number of documents: ratios and hit counts are not like for like.**")
    if args.reuse_peer_results:
        here = platform.platform()
        other = {p["raw"].get("env", {}).get("platform") for p in peers.values()} - {here}
        print(f"\n**warning: reused peer results were measured at another time"
              f"{f' on another machine ({other.pop()}, this one: {here})' if other else ''}; "
              "only a back-to-back run (without --reuse-peer-results) is valid for the headline checks.**")
    src = f"reused from {args.reuse_peer_results}" if args.reuse_peer_results else "run now, back to back"
    print(f"peer results: {src} · wall time of this comparison: {total:.0f} s · 1-min load average {load}"
          f"{' (busy machine: expect low figures)' if load_start > 0.5 else ''}\n")
    print(table)
    if args.json_out:
        os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"corpus": args.corpus, "limit": args.limit, "peer_results": src, "wall_s": round(total, 1), "load_average": load,
                       "rows": rows, "checks": checks, "hits": hits,
                       "yuqing": yq["raw"], "peers": {n: p["raw"] for n, p in peers.items()}},
                      f, ensure_ascii=False, indent=1)
        log(f"JSON -> {args.json_out}")


if __name__ == "__main__":
    main()
