#!/usr/bin/python3
"""Writes a deterministic folder of mixed files for bench/publish: model-like random weights,
CSV predictions (compressible, similar to each other), small JSON/text/binary files and
partly compressible binaries. --mb sets the total size in MiB (1024 by default)."""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    scale = a.mb / 1024.0
    MB = 1 << 20
    total = 0

    def write(rel, data):
        nonlocal total
        path = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)

    # 12 x 40 MiB of incompressible weights
    for i in range(max(1, int(12 * scale))):
        write(f"weights/shard-{i:03d}.bin", rnd.randbytes(40 * MB))
    # 100 x 2 MiB CSV predictions built from a shared pool of lines
    pool = [f"{rnd.randrange(10**6)},{rnd.choice('abcdefghij')},{rnd.choice('abcdefghij')},"
            f"{rnd.random():.6f}\n".encode() for _ in range(50000)]
    for i in range(max(1, int(100 * scale))):
        lines = []
        size = 0
        while size < 2 * MB:
            line = rnd.choice(pool)
            lines.append(line)
            size += len(line)
        write(f"predictions/epoch-{i:03d}.csv", b"id,y_true,y_pred,score\n" + b"".join(lines))
    # 3000 small files around 50 KiB: JSON, text and binary
    for i in range(max(1, int(3000 * scale))):
        n = rnd.randrange(10 * 1024, 90 * 1024)
        kind = i % 3
        if kind == 0:
            body = b"{" + b",".join(b'"k%d": %f' % (j, rnd.random()) for j in range(n // 16)) + b"}"
        elif kind == 1:
            body = b"".join(rnd.choice(pool) for _ in range(n // 28))
        else:
            body = rnd.randbytes(n)
        write(f"runs/{i // 100:02d}/item-{i:04d}.{['json', 'txt', 'bin'][kind]}", body)
    # 30 x 6 MiB partly compressible binaries (random blocks with repeated runs)
    for i in range(max(1, int(30 * scale))):
        parts = []
        for _ in range(6 * 16):
            block = rnd.randbytes(32 * 1024)
            parts.append(block + block[:16 * 1024] * 2)
        write(f"features/f-{i:02d}.npy", b"".join(parts))
    print(f"{total / MB:.0f} MiB")


if __name__ == "__main__":
    main()
