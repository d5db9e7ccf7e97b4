"""
runnel report against scikit-learn (Debian's python3-sklearn, python3-pandas).

Each case generates a predictions file, runs `runnel report`, and compares metrics.json with what
pandas.read_csv (or read_json for JSON lines) + scikit-learn compute on the same file in this
process. Floats must be equal to the last bit, except ROC AUC (a different but exact summation
order; 1e-12). Run by tests/e2e/report_sklearn.sh; exits non-zero on the first mismatch.
"""
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import warnings
from collections import Counter

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix,
                             precision_recall_fscore_support, roc_auc_score)
from sklearn.utils.multiclass import unique_labels

RUNNEL = os.environ["RUNNEL_BIN"]
TMP = tempfile.mkdtemp(prefix="report_sklearn.")
failures = []
checked = 0


def fail(case, msg):
    failures.append(f"{case}: {msg}")
    print(f"FAIL {case}: {msg}", file=sys.stderr)


def run_runnel(case, args, expect_rc=0):
    out = os.path.join(TMP, case + ".out")
    p = subprocess.run([RUNNEL, "report", "--out", out] + args, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != expect_rc:
        fail(case, f"exit {p.returncode}, expected {expect_rc}; stderr: {p.stderr.strip()}")
        return None, p
    if expect_rc:
        return None, p
    with open(os.path.join(out, "metrics.json"), encoding="utf-8") as f:
        return json.load(f), p


def same(case, what, got, want):
    global checked
    checked += 1
    if isinstance(want, float) or isinstance(got, float):
        ok = float(got) == float(want)
    else:
        ok = got == want
    if not ok:
        fail(case, f"{what}: runnel {got!r}, scikit-learn {want!r}")
    return ok


def compare(case, m, y_true, y_pred, dense=True, score=None, names=None):
    """names: the label values when y_true and y_pred hold their indices instead"""
    labels = unique_labels(y_true, y_pred)
    want_labels = [x.item() if hasattr(x, "item") else x for x in
                   (labels if names is None else names)]
    if not same(case, "labels", m["labels"], want_labels):
        return
    if dense:
        cm = confusion_matrix(y_true, y_pred, labels=labels)
        same(case, "confusion_matrix", m["confusion_matrix"], cm.tolist())
    else:
        pairs = Counter(zip(np.searchsorted(labels, y_true).tolist(),
                            np.searchsorted(labels, y_pred).tolist()))
        got = {(t, p): c for t, p, c in m["confusion_matrix_sparse"]}
        same(case, "confusion_matrix_sparse", got, dict(pairs))
    same(case, "n_samples", m["n_samples"], len(y_true))
    same(case, "accuracy", m["accuracy"], accuracy_score(y_true, y_pred))
    for avg in ("macro", "weighted", "micro"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg,
                                                     zero_division=0)
        same(case, f"precision_{avg}", m[f"precision_{avg}"], p)
        same(case, f"recall_{avg}", m[f"recall_{avg}"], r)
        same(case, f"f1_{avg}", m[f"f1_{avg}"], f)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                                 zero_division=0)
    per = m["per_class"]
    same(case, "per_class size", len(per), len(labels))
    for i, lab in enumerate(labels):
        key = str(lab if names is None else names[i])
        if key not in per:
            fail(case, f"per_class has no {key!r}")
            return
        c = per[key]
        if not (same(case, f"precision[{key}]", c["precision"], p[i])
                and same(case, f"recall[{key}]", c["recall"], r[i])
                and same(case, f"f1[{key}]", c["f1"], f[i])
                and same(case, f"support[{key}]", c["support"], int(s[i]))):
            return
    if len(labels) <= 1000:
        rep = classification_report(y_true, y_pred, labels=labels, output_dict=True,
                                    zero_division=0)
        same(case, "report macro f1", m["f1_macro"], rep["macro avg"]["f1-score"])
        same(case, "report weighted f1", m["f1_weighted"], rep["weighted avg"]["f1-score"])
    if score is not None:
        want = roc_auc_score(y_true == labels[1], score)
        global checked
        checked += 1
        if abs(m["roc_auc"] - want) > 1e-12:
            fail(case, f"roc_auc: runnel {m['roc_auc']!r}, scikit-learn {want!r}")


def write_csv(name, header, rows, delimiter=",", lineterminator="\n", encoding="utf-8"):
    path = os.path.join(TMP, name)
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=lineterminator)
        w.writerow(header)
        w.writerows(rows)
    return path


def csv_case(case, header, rows, args=(), true_col=None, pred_col=None, sep=",", **kw):
    path = write_csv(case + ".csv", header, rows, delimiter=sep, **kw)
    m, _ = run_runnel(case, ["--predictions", path] + list(args))
    if m is None:
        return
    df = pd.read_csv(path, sep=sep)
    t = true_col or header[0]
    p = pred_col or header[1]
    compare(case, m, df[t].to_numpy(), df[p].to_numpy(), dense=len(m["labels"]) <= 1000)


rng = random.Random(7)

# 1. multi-class: 'eel' is never predicted, 'fox' is predicted but never true
names = ["ant", "bee", "cat", "dog", "eel"]
rows = []
for _ in range(5000):
    t = rng.choice(names)
    if rng.random() < 0.7 and t != "eel":
        p = t
    else:
        p = rng.choice(["ant", "bee", "cat", "dog", "fox"])
    rows.append((t, p))
csv_case("multiclass", ["y_true", "y_pred"], rows)

# 1b. the same file through standard input ("--predictions -") gives the same numbers
with open(os.path.join(TMP, "multiclass.csv"), "rb") as f:
    p = subprocess.run([RUNNEL, "report", "--predictions", "-", "--out",
                        os.path.join(TMP, "stdin.out")], stdin=f, capture_output=True, timeout=600)
same("stdin", "exit", p.returncode, 0)
with open(os.path.join(TMP, "stdin.out", "metrics.json")) as f:
    m_stdin = json.load(f)
with open(os.path.join(TMP, "multiclass.out", "metrics.json")) as f:
    m_file = json.load(f)
same("stdin", "source", m_stdin.pop("source"), "<stdin>")
m_file.pop("source")
same("stdin", "metrics", m_stdin, m_file)

# 2. labels that need quoting, non-ASCII, upper case before lower, CRLF line ends, a line break
names = ['zebra', 'Zebra', 'éclair', 'a,b', 'say "hi"', 'two\nlines', '10', 'ß']
rows = [(rng.choice(names), rng.choice(names)) for _ in range(3000)]
csv_case("quoted_crlf", ["label", "prediction"], rows, lineterminator="\r\n")

# 3. integer labels sort as numbers (2 < 10), other column names, semicolons
rows = []
for _ in range(4000):
    t = rng.randrange(12)
    rows.append((rng.randrange(12) if rng.random() < 0.4 else t, t))
csv_case("numeric_semicolon", ["predicted", "actual"], rows, args=["--delimiter", ";"],
         true_col="actual", pred_col="predicted", sep=";")

# 4. binary with a score column (ROC AUC, positive = the larger label)
rows = []
for _ in range(5000):
    t = rng.random() < 0.3
    s = round(min(1, max(0, rng.gauss(0.65 if t else 0.35, 0.2))), 3)  # ties on purpose
    rows.append(("yes" if t else "no", "yes" if s > 0.5 else "no", s))
path = write_csv("binary.csv", ["target", "pred", "proba"], rows)
m, _ = run_runnel("binary", ["--predictions", path, "--score-col", "proba"])
if m:
    df = pd.read_csv(path)
    compare("binary", m, df["target"].to_numpy(), df["pred"].to_numpy(),
            score=df["proba"].to_numpy())

# 5. one class only
csv_case("one_class", ["y_true", "y_pred"], [("spam", "spam")] * 50)

# 6. 10,000 classes: the sparse matrix and pairwise sums over long arrays
rows = []
for _ in range(200000):
    t = rng.randrange(10000)
    rows.append((t, t if rng.random() < 0.6 else rng.randrange(10000)))
csv_case("classes_10000", ["y_true", "y_pred"], rows)

# 7. custom column names among others, floats mixed with integers ("1" and "1.0" are one label;
#    non-integral floats would be "continuous", which scikit-learn refuses)
rows = [(i, rng.choice(["1", "2", "3"]), rng.choice(["1.0", "2.0", "3.0", "4.0"])) for i in range(500)]
csv_case("custom_cols", ["id", "truth", "guess"], rows,
         args=["--true-col", "truth", "--pred-col", "guess"], true_col="truth", pred_col="guess")

# 8. JSON lines with string labels
path = os.path.join(TMP, "lines.jsonl")
ys = [(rng.choice(["x", "y", "z"]), rng.choice(["x", "y", "w"])) for _ in range(1000)]
with open(path, "w") as f:
    for t, p in ys:
        f.write(json.dumps({"id": 1, "y_true": t, "y_pred": p}) + "\n")
m, _ = run_runnel("jsonl", ["--predictions", path])
if m:
    df = pd.read_json(path, lines=True)
    compare("jsonl", m, df["y_true"].to_numpy(), df["y_pred"].to_numpy())

# 8b. numbers with spaces around them are numbers (pandas' parser skips the spaces), while string
#     labels keep theirs; integers above 2^53 stay apart (pandas reads int64 exactly); a
#     byte-order mark before a quoted header
def raw_case(case, data, reader=pd.read_csv, suffix=".csv", **kw):
    path = os.path.join(TMP, case + suffix)
    with open(path, "wb") as f:
        f.write(data)
    m, _ = run_runnel(case, ["--predictions", path])
    if m is None:
        return
    df = reader(path, **kw)
    compare(case, m, df["y_true"].to_numpy(), df["y_pred"].to_numpy())


raw_case("spaced_numbers", b"y_true,y_pred\n1, 1\n0, 0\n1, 0\n \t2\t ,2 \n")
raw_case("spaced_floats", b"y_true,y_pred\n 1.0,1\n2 , 2.0\n1,2\n")
raw_case("spaced_strings", b"y_true,y_pred\na, a\n b,b\nb,b \n 1,1\n")
raw_case("int64_exact", b"y_true,y_pred\n9007199254740993,9007199254740992\n1,1\n"
                        b"-9007199254740993,-9007199254740993\n9223372036854775807,1\n")
raw_case("uint64_exact", b"y_true,y_pred\n18446744073709551615,18446744073709551614\n1,1\n")
raw_case("bom_quoted_header", b'\xef\xbb\xbf"y_true","y_pred"\r\na,b\r\nb,b\r\n')
raw_case("jsonl_int64_exact", b'{"y_true": 9007199254740993, "y_pred": 9007199254740992}\n'
                              b'{"y_true": 1, "y_pred": 1}\n{"y_true": -2, "y_pred": 1}\n',
         reader=pd.read_json, suffix=".jsonl", lines=True)
raw_case("jsonl_whole_floats", b'{"y_true": 1.0, "y_pred": 0.0}\n{"y_true": 2e0, "y_pred": 1}\n',
         reader=pd.read_json, suffix=".jsonl", lines=True)

# 8d. pandas types each column on its own (int64, then uint64 after an int64 overflow, then
#     float64, else object: parsers.pyx), and numpy promotes when the columns are compared:
#     int64 with uint64 is float64, so 2^53 + 1 and 2^53 meet. scikit-learn on the raw arrays
#     is itself inconsistent there (unique_labels keeps both, confusion_matrix finds no row), and
#     refuses the promoted floats above 2^63 as "continuous", so the labels are numpy's
#     np.unique over the concatenated (so promoted) columns, and the figures scikit-learn's on
#     the indices into them; accuracy, a plain y_true == y_pred, is also checked on the raw
#     arrays. A text (object) column beside a numeric one is refused by scikit-learn, and by
#     runnel with a one-line error.
def dtype_case(case, data, want_dtypes, want_text=None):
    global checked
    path = os.path.join(TMP, case + ".csv")
    with open(path, "wb") as f:
        f.write(data)
    df = pd.read_csv(path)
    t, p = df["y_true"].to_numpy(), df["y_pred"].to_numpy()
    if not same(case, "pandas dtypes (the case itself)", [str(t.dtype), str(p.dtype)], want_dtypes):
        return
    if (t.dtype == object) != (p.dtype == object):
        try:
            classification_report(t, p, zero_division=0)
            fail(case, "scikit-learn accepted the mix: the case is wrong")
        except (TypeError, ValueError):
            pass
        _, proc = run_runnel(case, ["--predictions", path], expect_rc=1)
        msg = proc.stderr.strip()
        checked += 1
        if ("mix of label input types (string and number)" not in msg or "\n" in msg
                or (want_text and want_text not in msg)):
            fail(case, f"stderr {msg!r} does not explain the mix on one line")
        return
    m, _ = run_runnel(case, ["--predictions", path])
    if m is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's cast of 1.8e19 to int
            want = accuracy_score(t, p)
    except ValueError:  # a float64 column above 2^63 is "continuous" to type_of_target
        want = np.average(t == p)  # what accuracy_score computes
    same(case, "accuracy (raw arrays)", m["accuracy"], want)
    names, codes = np.unique(np.concatenate([t, p]), return_inverse=True)
    compare(case, m, codes[:len(t)], codes[len(t):], names=names)


U64 = b"18446744073709551615"
dtype_case("int_uint_promote", b"y_true,y_pred\n" + U64 + b",-1\n9007199254740993,9007199254740992\n",
           ["uint64", "int64"])
dtype_case("int_uint_small", b"y_true,y_pred\n" + U64 + b",1\n1,2\n2,2\n3,1\n",
           ["uint64", "int64"])
dtype_case("uint_uint_exact", b"y_true,y_pred\n" + U64 + b",18446744073709551614\n1,+1\n 2 ,2\n",
           ["uint64", "uint64"])
dtype_case("int_float", b"y_true,y_pred\n9007199254740993,9007199254740992\n1,1.0\n",
           ["int64", "float64"])
# a negative and a value above int64 in one column: object, labels sorted as strings
dtype_case("neg_big_object", b"y_true,y_pred\n-1," + U64 + b"\n" + U64 + b",-1\n5,5\n10,5\n",
           ["object", "object"])
dtype_case("neg_big_beside_int", b"y_true,y_pred\n-1,5\n" + U64 + b",10\n5,5\n",
           ["object", "int64"], "line 2: '-1' is negative and line 3: '" + U64.decode() + "'")
# the first failure decides: an overflow before a "2.0" is object, a "2.0" first is float
dtype_case("overflow_then_fraction", b"y_true,y_pred\n18446744073709551616,2.0\n2.0,18446744073709551616\n",
           ["object", "float64"], "line 2: '18446744073709551616' is an integer beyond uint64")
dtype_case("big_then_fraction", b"y_true,y_pred\n" + U64 + b",2.0\n2.0,2.0\n-1,2\n",
           ["float64", "float64"])
dtype_case("below_int64", b"y_true,y_pred\n-9223372036854775809,1\n1,1\n",
           ["object", "int64"], "line 2: '-9223372036854775809' is an integer below int64")
dtype_case("word_beside_int", b"y_true,y_pred\n1,1\n2,x\n3,3\n", ["int64", "object"],
           "pandas reads column 'y_pred' as text (line 3: 'x' is not a number)")
dtype_case("words_both", b"y_true,y_pred\n1,1\nx,2\n3,y\n", ["object", "object"])

# 8c. JSON lines with something after the object: json.loads and read_json refuse the line
for case, line in (("jsonl_two_objects", '{"y_true": "a", "y_pred": "b"}{"y_true": "c", "y_pred": "c"}'),
                   ("jsonl_junk", '{"y_true": "a", "y_pred": "a"} junk')):
    path = os.path.join(TMP, case + ".jsonl")
    with open(path, "w") as f:
        f.write('{"y_true": "a", "y_pred": "a"}\n' + line + "\n")
    try:
        pd.read_json(path, lines=True)
        fail(case, "pandas read the file: the case is wrong")
    except ValueError:
        pass
    _, p = run_runnel(case, ["--predictions", path], expect_rc=1)
    checked += 1
    if not p.stderr.startswith(f"runnel: {path}:2: invalid JSON at line 1, column "):
        fail(case, f"stderr {p.stderr.strip()!r} does not name {path}:2")

# 9. the pictures: well-formed SVG and a PNG of the documented size (report.h, report_image_size)
def image_size(n):
    cell = min(72, max(28, 560 // n))
    return max(170 + n * cell + 24, 420), 64 + n * cell + 130


def check_images(case, n_labels, labels):
    global checked
    import xml.etree.ElementTree as ET
    from PIL import Image
    out = os.path.join(TMP, case + ".out")
    root = ET.parse(os.path.join(out, "confusion_matrix.svg")).getroot()
    want = image_size(n_labels)
    checked += 1
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        fail(case, f"svg root is {root.tag}")
    same(case, "svg size", (int(root.get("width")), int(root.get("height"))), want)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for lab in labels:
        checked += 1
        if str(lab) not in texts:
            fail(case, f"svg has no text {lab!r}")
    img = Image.open(os.path.join(out, "confusion_matrix.png"))
    img.load()
    same(case, "png size", img.size, want)
    same(case, "png format", img.format, "PNG")
    checked += 1
    if len(img.convert("RGB").getcolors(1 << 20) or []) < 10:
        fail(case, "png has fewer than 10 colours: nothing drawn?")


check_images("multiclass", 6, ["ant", "bee", "cat", "dog", "eel", "fox"])
check_images("numeric_semicolon", 12, list(range(12)))
check_images("one_class", 1, ["spam"])
# labels XML cannot carry (control characters, broken UTF-8, a surrogate, U+FFFF) still give a
# well-formed SVG
bad = os.path.join(TMP, "xml_hostile.csv")
with open(bad, "wb") as f:
    f.write(b'y_true,y_pred\n"a\x01b","<&>"\n"\xff\xfe","\xed\xa0\x80"\n'
            b'"\xef\xbf\xbf","\xc0\xaf"\n"ok","\xf4\x90\x80\x80"\n')
m, _ = run_runnel("xml_hostile", ["--predictions", bad])
checked += 1
try:
    import xml.etree.ElementTree as ET
    ET.parse(os.path.join(TMP, "xml_hostile.out", "confusion_matrix.svg"))
except Exception as e:  # noqa: BLE001 - any parse failure is the finding
    fail("xml_hostile", f"svg does not parse: {e}")
checked += 1
if os.path.exists(os.path.join(TMP, "classes_10000.out", "confusion_matrix.svg")):
    fail("classes_10000", "drew a 10000 x 10000 picture")

# 10. a baseline: the comparison table shows scikit-learn's figures and their differences;
#     inside a run the report is appended to $GITHUB_STEP_SUMMARY
def arrow(base, cur):
    d = cur - base
    if abs(d) < 0.00005:
        return "= 0.0000"
    return f"▲ +{d:.4f}" if d > 0 else f"▼ {d:.4f}"


rows_a = [(t, t if rng.random() < 0.6 else rng.choice("pqrs")) for t in
          (rng.choice("pqrs") for _ in range(2000))]
rows_b = [(t, t if rng.random() < 0.8 else rng.choice("pqrs")) for t in
          (rng.choice("pqrs") for _ in range(2000))]
path_a = write_csv("base_a.csv", ["y_true", "y_pred"], rows_a)
path_b = write_csv("base_b.csv", ["y_true", "y_pred"], rows_b)
run_runnel("base_a", ["--predictions", path_a])
summary = os.path.join(TMP, "step_summary.md")
with open(summary, "w") as f:
    f.write("earlier step\n")
env = dict(os.environ, GITHUB_STEP_SUMMARY=summary)
p = subprocess.run([RUNNEL, "report", "--out", os.path.join(TMP, "base_b.out"), "--predictions",
                    path_b, "--baseline", os.path.join(TMP, "base_a.out", "metrics.json"),
                    "--title", "Candidate"], capture_output=True, text=True, env=env, timeout=600)
same("baseline", "exit", p.returncode, 0)
with open(os.path.join(TMP, "base_b.out", "report.md"), encoding="utf-8") as f:
    md = f.read()
da, db = pd.read_csv(path_a), pd.read_csv(path_b)
for name, fn in (("accuracy", lambda d: accuracy_score(d.y_true, d.y_pred)),
                 ("F1 (macro)", lambda d: precision_recall_fscore_support(
                     d.y_true, d.y_pred, average="macro", zero_division=0)[2]),
                 ("F1 (weighted)", lambda d: precision_recall_fscore_support(
                     d.y_true, d.y_pred, average="weighted", zero_division=0)[2])):
    a, b = fn(da), fn(db)
    row = f"| {name} | {a:.4f} | {b:.4f} | {arrow(a, b)} |"
    checked += 1
    if row not in md:
        fail("baseline", f"report.md has no row {row!r}")
with open(summary, encoding="utf-8") as f:
    text = f.read()
checked += 1
if not (text.startswith("earlier step\n## Candidate\n") and "Compared with the baseline" in text
        and "![" not in text):
    fail("baseline", "step summary not appended as expected")

# 11. errors: clear message, exit 1
def error_case(case, content, want):
    path = os.path.join(TMP, case + ".csv")
    with open(path, "w") as f:
        f.write(content)
    _, p = run_runnel(case, ["--predictions", path], expect_rc=1)
    global checked
    checked += 1
    msg = p.stderr.strip()
    if want not in msg or "\n" in msg:
        fail(case, f"stderr {msg!r} does not say {want!r} on one line")


error_case("empty", "", "empty.csv: empty file")
error_case("header_only", "y_true,y_pred\n", "header_only.csv: no rows")
error_case("missing_field", "y_true,y_pred\na,a\nb\nc,c\n",
           "missing_field.csv:3: row has 1 field, the header has 2 (no 'y_pred')")
error_case("empty_value", "y_true,y_pred\na,a\nb,\n", "empty_value.csv:3: empty value in column 'y_pred'")
error_case("no_columns", "x,y\n1,2\n", "no true-label column")
error_case("unterminated", 'y_true,y_pred\n"a,b\n', "unterminated quoted field")

print(f"{checked} comparisons, {len(failures)} failed")
if not failures:
    import shutil
    shutil.rmtree(TMP)
else:
    print(f"files kept in {TMP}", file=sys.stderr)
sys.exit(1 if failures else 0)
