#!/usr/bin/env python3
"""Article-extraction benchmark: what `yuqing extract --json` reads from the 60 saved
Chinese news pages in ../shared/extraction/pages, against benches/extraction_labels.tsv.

For every page: title exact, publish time correct (same minute; same day when the label
is a date; no time when the label is `-`), body starts right (first 15 normalised
characters), body ends right (last 15), and the body length against the label's. The
labels hold hashes only (the pages' terms allow measurement, not copying); the
normalisation is described in the labels file.

Run from anywhere (stdlib only):

    python3 benches/extraction.py                        # uses target/release/yuqing
    python3 benches/extraction.py --build                # cargo build --release first
    python3 benches/extraction.py --yuqing PATH --pages DIR --json-out results.json

The binary is $CARGO_TARGET_DIR/release/yuqing (else target/release/yuqing) unless
--yuqing is given. Each page is read with built-in defaults (no config file: times
without a zone are read in Asia/Shanghai). Markdown goes to stdout.
"""
import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def norm(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_labels(path):
    labels = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("page\t") or not line.strip():
                continue
            page, published, title, first, last, chars = line.rstrip("\n").split("\t")
            labels.append(dict(page=page, published=published, title=title, first=first,
                               last=last, chars=int(chars)))
    return labels


def extract(binary, page_path, workdir):
    env = {k: v for k, v in os.environ.items() if k != "YUQING_CONFIG"}
    done = subprocess.run([binary, "extract", "--json", page_path], cwd=workdir, env=env,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        return {"error": (done.stderr or "no output").strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def time_ok(label, got):
    """(correct?, what was found) for the publish time."""
    at = (got.get("published") or {}).get("at")
    if label == "-":
        return at is None, at or "none"
    if not at:
        return False, "none"
    found = datetime.datetime.fromisoformat(at).astimezone(SHANGHAI)
    if "T" in label:
        want = datetime.datetime.fromisoformat(label).astimezone(SHANGHAI)
        return found.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0), \
            found.strftime("%Y-%m-%d %H:%M")
    return found.date().isoformat() == label, found.strftime("%Y-%m-%d %H:%M")


def score(label, got):
    title = ((got.get("title") or {}).get("value")) or ""
    body = ((got.get("body") or {}).get("text")) or ""
    nbody = norm(body)
    t_ok, t_found = time_ok(label["published"], got)
    return dict(
        page=label["page"],
        title=sha(norm(title)) == label["title"],
        time=t_ok,
        time_found=t_found,
        time_expected=label["published"],
        start=bool(nbody) and sha(nbody[:15]) == label["first"],
        end=bool(nbody) and sha(nbody[-15:]) == label["last"],
        ratio=len(nbody) / label["chars"] if label["chars"] else 0.0,
        rules="; ".join(
            f"{k}: {(got.get(k) or {}).get('rule') or '-'}" for k in ("title", "published", "body")),
        error=got.get("error"),
    )


def mark(ok):
    return "✓" if ok else "✗"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default=os.path.join(ROOT, "..", "shared", "extraction", "pages"),
                    help="the saved pages (default ../shared/extraction/pages)")
    ap.add_argument("--labels", default=os.path.join(ROOT, "benches", "extraction_labels.tsv"))
    ap.add_argument("--yuqing", metavar="PATH", help="yuqing binary (default the release build)")
    ap.add_argument("--build", action="store_true", help="cargo build --release first")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rules", action="store_true", help="add a column with the rules used")
    ap.add_argument("--json-out", metavar="PATH", help="also write the per-page results as JSON")
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    binary = os.path.abspath(args.yuqing) if args.yuqing else os.path.join(target, "release", "yuqing")
    if args.build:
        if subprocess.run(["cargo", "build", "--release", "--bin", "yuqing"], cwd=ROOT).returncode:
            sys.exit("cargo build --release failed")
    if not os.path.exists(binary):
        sys.exit(f"no yuqing binary at {binary}: build it (--build) or pass --yuqing PATH")
    labels = load_labels(args.labels)
    pages = os.path.realpath(args.pages)
    missing = [l["page"] for l in labels if not os.path.exists(os.path.join(pages, l["page"]))]
    if missing:
        sys.exit(f"pages missing under {pages}: {', '.join(missing)}")

    with tempfile.TemporaryDirectory() as workdir, \
            concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outputs = list(pool.map(lambda l: extract(binary, os.path.join(pages, l["page"]), workdir),
                                labels))
    results = [score(l, g) for l, g in zip(labels, outputs)]

    print("```")
    print("$ " + " ".join(shlex.quote(a) for a in ["python3", *sys.argv]))
    print(f"# binary: {binary}; pages: {pages}; {len(labels)} labelled pages")
    print("```")
    print()
    head = "| page | title | time (found → expected) | body starts | body ends | length ratio |"
    rule = "|---|:-:|---|:-:|:-:|--:|"
    if args.rules:
        head += " rules |"
        rule += "---|"
    print(head)
    print(rule)
    for r in results:
        time_cell = mark(r["time"]) + ("" if r["time"] else f" {r['time_found']} → {r['time_expected']}")
        row = (f"| {r['page']} | {mark(r['title'])} | {time_cell} | {mark(r['start'])} | "
               f"{mark(r['end'])} | {r['ratio']:.2f} |")
        if args.rules:
            row += f" {r['error'] or r['rules']} |"
        print(row)
    n = len(results)
    ratios = [r["ratio"] for r in results]
    within = sum(1 for x in ratios if 0.8 <= x <= 1.25)
    print()
    print("| total | title exact | time correct | body starts right | body ends right "
          "| length within 0.8–1.25× | median length ratio |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print(f"| {n} pages | {sum(r['title'] for r in results)}/{n} | {sum(r['time'] for r in results)}/{n} "
          f"| {sum(r['start'] for r in results)}/{n} | {sum(r['end'] for r in results)}/{n} "
          f"| {within}/{n} | {statistics.median(ratios):.2f} |")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
