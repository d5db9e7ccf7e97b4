"""Times runnel report and pandas + scikit-learn on one generated predictions file (see run.sh)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.utils.multiclass import unique_labels

rows, classes = int(sys.argv[1]), int(sys.argv[2])
runnel = os.environ["RUNNEL_BIN"]
tmp = tempfile.mkdtemp(prefix="bench_metrics.")
path = os.path.join(tmp, "predictions.csv")

# Predictions of a model that is right about 80% of the time, labels as class ids 0..classes-1
# (integer labels are scikit-learn's fast path: string labels make the reference ~20x slower).
t = time.perf_counter()
rng = np.random.default_rng(42)
y_true = rng.integers(0, classes, rows)
wrong = rng.random(rows) < 0.2
y_pred = np.where(wrong, rng.integers(0, classes, rows), y_true)
names = np.array([str(i) for i in range(classes)], dtype=object)
with open(path, "w") as f:
    f.write("id,y_true,y_pred\n")
    step = 1_000_000
    for s in range(0, rows, step):
        ids = np.arange(s, min(rows, s + step)).astype(str).astype(object)
        lines = ids + "," + names[y_true[s:s + step]] + "," + names[y_pred[s:s + step]] + "\n"
        f.write("".join(lines.tolist()))
del y_true, y_pred, wrong
size_mb = os.path.getsize(path) / 1e6
print(f"generated {rows} rows, {classes} classes, {size_mb:.0f} MB in "
      f"{time.perf_counter() - t:.1f} s")

# runnel
out = os.path.join(tmp, "out")
t = time.perf_counter()
subprocess.run([runnel, "report", "--predictions", path, "--out", out], check=True,
               stdout=subprocess.DEVNULL)
t_runnel = time.perf_counter() - t
with open(os.path.join(out, "metrics.json")) as f:
    m = json.load(f)

# the reference: what a CML-style pipeline runs
t = time.perf_counter()
df = pd.read_csv(path)
yt, yp = df["y_true"].to_numpy(), df["y_pred"].to_numpy()
labels = unique_labels(yt, yp)
cm = confusion_matrix(yt, yp, labels=labels)
rep = classification_report(yt, yp, labels=labels, output_dict=True, zero_division=0, digits=4)
t_ref = time.perf_counter() - t

# identical numbers
bad = []
if m["labels"] != labels.tolist():
    bad.append("labels")
if m["confusion_matrix"] != cm.tolist():
    bad.append("confusion_matrix")
checks = [("accuracy", rep["accuracy"]),
          ("precision_macro", rep["macro avg"]["precision"]),
          ("recall_macro", rep["macro avg"]["recall"]),
          ("f1_macro", rep["macro avg"]["f1-score"]),
          ("precision_weighted", rep["weighted avg"]["precision"]),
          ("recall_weighted", rep["weighted avg"]["recall"]),
          ("f1_weighted", rep["weighted avg"]["f1-score"])]
for key, want in checks:
    if m[key] != want:
        bad.append(f"{key} {m[key]!r} != {want!r}")
for lab in labels:
    c, r = m["per_class"][str(lab)], rep[str(lab)]
    if (c["precision"], c["recall"], c["f1"], c["support"]) != \
            (r["precision"], r["recall"], r["f1-score"], r["support"]):
        bad.append(f"per_class {lab}")

print(f"runnel report:                 {t_runnel:7.2f} s")
print(f"pandas + scikit-learn:         {t_ref:7.2f} s")
print(f"ratio (reference / runnel):    {t_ref / t_runnel:7.1f}x")
print(f"numbers identical: {'yes' if not bad else 'NO: ' + ', '.join(bad)} "
      f"(accuracy {m['accuracy']:.6f}, macro F1 {m['f1_macro']:.6f})")
shutil.rmtree(tmp)
sys.exit(1 if bad else 0)
