#!/usr/bin/env python3
"""Writes a synthetic CSV export whose dates go round a month: row i is dated
day 1 + i % 28 (as an export sorted by district or category, not by date,
would be), texts drawn from 36 police-complaint words, every 50th text over
two lines. Used to measure imports that arrive out of date order (BENCHMARKS.md,
"eighth stop"); stdlib only, deterministic (seed 7).

    python3 benches/rotating_csv.py OUT.csv BYTES [ENCODING]
    python3 benches/rotating_csv.py /tmp/g80.csv 80000000
    /usr/bin/time -v target/release/yuqing ingest --config /dev/null --data /tmp/d80 --json /tmp/g80.csv
"""
import random
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, size = sys.argv[1], int(sys.argv[2])
    encoding = sys.argv[3] if len(sys.argv) > 3 else "utf-8"
    random.seed(7)
    words = ("派出所 民警 态度 恶劣 出警 太慢 户籍 窗口 办证 来回 跑 接警 一小时 无人 处理 投诉 表扬 负责 "
             "热情 交通 事故 违章 罚款 城关 东湖 西城 社区 群众 反映 问题 服务 效率 满意 不满").split()
    written = rows = 0
    with open(path, "wb") as out:
        out.write("id,title,text,kind,published_at\n".encode(encoding))
        while written < size:
            text = "".join(random.choice(words) for _ in range(random.randint(20, 120)))
            if rows % 50 == 0:
                text = '"' + text + "\n" + text[:40] + '"'
            row = f"r{rows},标题{rows % 1000},{text},post,2026-11-{1 + rows % 28:02d} 10:00\n".encode(encoding)
            out.write(row)
            written += len(row)
            rows += 1
    print(rows, "rows", written, "bytes")


if __name__ == "__main__":
    main()
