#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Python oracles for engine/model, run with Debian's python3, where
python3-xgboost 1.7 and python3-sklearn live.

  oracle.py import DRIVER   XGBoost trained here, saved as model.json,
                            imported in C (FROM FILE): C's predictions
                            equal Python's to 1e-6 (lending_club.csv;
                            credit_data.csv, which has missing values;
                            and a regression model).
  oracle.py train DRIVER    the same XGBoost parameters in C and here on
                            the same split (first 80% train, last 20%
                            holdout): AUC within 0.01, and C's metrics
                            on C's predictions equal scikit-learn's
                            (AUC and log loss to 1e-9, also on scores
                            rounded into large groups of ties).
  oracle.py linear DRIVER   LOGISTIC_REGRESSION against scikit-learn's
                            LogisticRegression and LINEAR_REGRESSION
                            against Ridge, both on StandardScaler'd
                            columns: the same predictions.

DRIVER is the model_oracle program; the data comes from
$SLUICE_SHARED_DATA.  Exit status 0 when every check holds.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import xgboost as xgb
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, log_loss, precision_score,
                             recall_score, roc_auc_score)
from sklearn.preprocessing import StandardScaler

DATA = os.environ.get("SLUICE_SHARED_DATA", "../shared/data")
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def load(name):
    with open(os.path.join(DATA, name), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def is_numeric(rows, c):
    for r in rows:
        if r[c] == "":
            continue
        try:
            float(r[c])
        except ValueError:
            return False
    return True


def numbers(rows, c):
    return np.array([float(r[c]) if r[c] != "" else np.nan for r in rows])


def holdout_size(n, fraction):
    # The same rule as sl_model_holdout_size.
    return int(math.floor(n * fraction + 1e-9))


def run(driver, *args):
    proc = subprocess.run([driver] + list(args), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("model_oracle %s failed" % args[0])
    return proc.stdout


def design(header, rows, label, onehot, drop, ntrain):
    """The matrix Sluice builds: every column but the label and dropped
    ones in file order; numeric as float32, ONE_HOT as one column per
    category of the training rows in sorted order (unseen: zeros)."""
    cols, names = [], []
    for c, name in enumerate(header):
        if name == label or name in drop:
            continue
        if name in onehot:
            vocab = sorted({r[c] for r in rows[:ntrain] if r[c] != ""},
                           key=lambda s: s.encode())
            for v in vocab:
                cols.append(np.array([1.0 if r[c] == v else
                                      (np.nan if r[c] == "" else 0.0)
                                      for r in rows]))
                names.append("%s=%s" % (name, v))
        else:
            cols.append(numbers(rows, c))
            names.append(name)
    return np.column_stack(cols).astype(np.float32), names


# ---- FROM FILE ----------------------------------------------------------

def import_case(driver, tmp, name, label, positive, params, rounds,
                regression_target=None):
    header, rows = load(name)
    target = regression_target or label
    feats = [c for c in range(len(header))
             if header[c] != target and header[c] != label and
             is_numeric(rows, c)]
    names = [header[c] for c in feats]
    X = np.column_stack([numbers(rows, c) for c in feats]).astype(
        np.float32)
    if regression_target:
        y = numbers(rows, header.index(regression_target))
    else:
        y = np.array([1.0 if r[header.index(label)] == positive else 0.0
                      for r in rows])
    dtrain = xgb.DMatrix(X, label=y, missing=np.nan, feature_names=names)
    bst = xgb.train(params, dtrain, rounds)
    path = os.path.join(tmp, "model.json")
    bst.save_model(path)
    expected = bst.predict(xgb.DMatrix(X, missing=np.nan,
                                       feature_names=names))

    out = os.path.join(tmp, "import.txt")
    inputs = run(driver, "import", path, os.path.join(DATA, name), out)
    got = np.loadtxt(out)
    check(inputs.strip() == ",".join(names),
          "%s: imported inputs are the file's feature names" % name)
    scale = np.maximum(1.0, np.abs(expected))
    diff = float(np.max(np.abs(got - expected) / scale))
    check(len(got) == len(expected) and diff <= 1e-6,
          "%s (%s): %d predictions equal Python's (max diff %.3g)"
          % (name, params["objective"], len(got), diff))


def case_import(driver, tmp):
    params = {"objective": "binary:logistic", "max_depth": 5, "eta": 0.1,
              "subsample": 0.8, "colsample_bytree": 0.8,
              "min_child_weight": 2, "lambda": 1.5, "alpha": 0.1,
              "seed": 3, "nthread": 1}
    import_case(driver, tmp, "lending_club.csv", "Class", "bad", params, 60)
    import_case(driver, tmp, "credit_data.csv", "Status", "bad", params, 60)
    reg = dict(params, objective="reg:squarederror")
    import_case(driver, tmp, "lending_club.csv", "Class", "bad", reg, 40,
                regression_target="int_rate")


# ---- Training in both ---------------------------------------------------

def case_train(driver, tmp):
    header, rows = load("lending_club.csv")
    onehot = {"term", "verification_status"}
    drop = {"sub_grade", "addr_state", "emp_length"}
    n = len(rows)
    nhold = holdout_size(n, 0.2)
    ntrain = n - nhold
    X, names = design(header, rows, "Class", onehot, drop, ntrain)
    y = np.array([1.0 if r[header.index("Class")] == "bad" else 0.0
                  for r in rows])

    params = {"max_depth": 4, "eta": 0.1, "subsample": 0.8,
              "colsample_bytree": 0.8, "min_child_weight": 1,
              "lambda": 1, "alpha": 0, "scale_pos_weight": 2, "seed": 7,
              "nthread": 1}
    rounds = 100
    out = os.path.join(tmp, "train.txt")
    run(driver, "train", "XGBOOST", os.path.join(DATA, "lending_club.csv"),
        out, "--label", "Class=bad", "--onehot", ",".join(sorted(onehot)),
        "--drop", ",".join(sorted(drop)), "holdout=0.2",
        "rounds=%d" % rounds, *["%s=%s" % kv for kv in params.items()])
    c = np.loadtxt(out)
    c_scores, c_labels = c[:, 0], c[:, 1]
    summary = json.load(open(out + ".json"))

    py = dict(params, objective="binary:logistic")
    bst = xgb.train(py, xgb.DMatrix(X[:ntrain], label=y[:ntrain],
                                    missing=np.nan), rounds)
    p_scores = bst.predict(xgb.DMatrix(X[ntrain:], missing=np.nan))
    y_hold = y[ntrain:]

    check(len(c_scores) == nhold and np.array_equal(c_labels, y_hold),
          "C scored the same %d holdout rows" % nhold)
    check(summary["describe"]["columns"] == len(names),
          "C's inputs expand to the same %d columns" % len(names))
    check(summary["progress_rounds"] == rounds,
          "progress reported %d rounds" % rounds)
    c_auc, p_auc = summary["auc"], roc_auc_score(y_hold, p_scores)
    check(abs(c_auc - p_auc) <= 0.01,
          "AUC in C %.6f vs Python %.6f within 0.01" % (c_auc, p_auc))
    print("     max |C - Python| score: %.3g"
          % float(np.max(np.abs(c_scores - p_scores))))

    # C's metrics on C's predictions against scikit-learn's.
    sk_auc = roc_auc_score(y_hold, c_scores)
    check(abs(c_auc - sk_auc) <= 1e-9,
          "C's AUC %.12f equals roc_auc_score %.12f" % (c_auc, sk_auc))
    sk_ll = log_loss(y_hold, c_scores)
    check(abs(summary["log_loss"] - sk_ll) <= 1e-9,
          "C's log loss %.12f equals log_loss %.12f"
          % (summary["log_loss"], sk_ll))
    pred = (c_scores >= 0.5).astype(float)
    for key, fn in (("accuracy", accuracy_score),
                    ("precision", precision_score),
                    ("recall", recall_score)):
        want = fn(y_hold, pred)
        check(abs(summary[key] - want) <= 1e-12,
              "C's %s %.6f equals scikit-learn's" % (key, want))
    stored = summary["model_metrics"]
    check(stored["set"] == "holdout" and stored["rows"] == nhold and
          abs(stored["auc"] - c_auc) <= 1e-12 and
          abs(stored["log_loss"] - summary["log_loss"]) <= 1e-12,
          "the model's stored holdout metrics match")
    check(abs(summary["progress_holdout"] - sk_ll) <= 1e-5,
          "the last round's holdout logloss is the final log loss")

    # Rounded scores make large groups of ties, which both must count
    # one half: C's metrics on a file of scores and labels.
    tied = np.round(c_scores, 1)
    path = os.path.join(tmp, "tied.txt")
    np.savetxt(path, np.column_stack([tied, y_hold]), fmt="%.17g")
    auc, ll = (float(v) for v in run(driver, "metrics", path).split())
    sk_auc = roc_auc_score(y_hold, tied)
    check(abs(auc - sk_auc) <= 1e-9,
          "C's AUC on %d distinct tied scores %.12f equals roc_auc_score"
          % (len(set(tied)), sk_auc))
    check(abs(ll - log_loss(y_hold, tied)) <= 1e-9,
          "C's log loss on tied scores equals log_loss")


# ---- Linear models -------------------------------------------------------

def case_linear(driver, tmp):
    header, rows = load("lending_club.csv")
    onehot = {"term", "verification_status"}
    drop = {"sub_grade", "addr_state", "emp_length"}
    n = len(rows)
    nhold = holdout_size(n, 0.2)
    ntrain = n - nhold
    path = os.path.join(DATA, "lending_club.csv")

    # Logistic regression: l2 = 1 is C = 1.
    X, names = design(header, rows, "Class", onehot, drop, ntrain)
    y = np.array([1.0 if r[header.index("Class")] == "bad" else 0.0
                  for r in rows])
    out = os.path.join(tmp, "logistic.txt")
    run(driver, "train", "LOGISTIC_REGRESSION", path, out, "--label",
        "Class=bad", "--onehot", ",".join(sorted(onehot)), "--drop",
        ",".join(sorted(drop)), "holdout=0.2", "l2=1")
    c = np.loadtxt(out)[:, 0]
    summary = json.load(open(out + ".json"))
    Xd = X.astype(np.float64)
    sc = StandardScaler().fit(Xd[:ntrain])
    # newton-cholesky solves to the optimum; lbfgs stops short of it on
    # these collinear one-hot columns.
    lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=1000,
                            solver="newton-cholesky")
    lr.fit(sc.transform(Xd[:ntrain]), y[:ntrain])
    p = lr.predict_proba(sc.transform(Xd[ntrain:]))[:, 1]
    diff = float(np.max(np.abs(c - p)))
    check(diff <= 1e-9,
          "LOGISTIC_REGRESSION scores equal scikit-learn's (max diff %.3g)"
          % diff)
    w = lr.coef_[0] / sc.scale_
    coef = np.array(summary["coefficients"])
    rel = float(np.max(np.abs(coef - w) / np.maximum(1e-3, np.abs(w))))
    check(len(coef) == len(w) and rel <= 1e-7,
          "its coefficients equal scikit-learn's (max rel diff %.3g)" % rel)
    check(abs(summary["auc"] - roc_auc_score(y[ntrain:], c)) <= 1e-9,
          "its AUC equals roc_auc_score")

    # Ridge regression of the interest rate: l2 = 10 is alpha = 10.
    drop_r = drop | {"Class"}
    X, names = design(header, rows, "int_rate", onehot, drop_r, ntrain)
    y = numbers(rows, header.index("int_rate"))
    out = os.path.join(tmp, "ridge.txt")
    run(driver, "train", "LINEAR_REGRESSION", path, out, "--label",
        "int_rate", "--onehot", ",".join(sorted(onehot)), "--drop",
        ",".join(sorted(drop_r)), "holdout=0.2", "l2=10")
    c = np.loadtxt(out)[:, 0]
    summary = json.load(open(out + ".json"))
    Xd = X.astype(np.float64)
    sc = StandardScaler().fit(Xd[:ntrain])
    ridge = Ridge(alpha=10.0, solver="cholesky")
    ridge.fit(sc.transform(Xd[:ntrain]), y[:ntrain])
    p = ridge.predict(sc.transform(Xd[ntrain:]))
    diff = float(np.max(np.abs(c - p)))
    check(diff <= 1e-9,
          "LINEAR_REGRESSION predictions equal Ridge's (max diff %.3g)"
          % diff)
    rmse = math.sqrt(float(np.mean((c - y[ntrain:]) ** 2)))
    check(abs(summary["rmse"] - rmse) <= 1e-9 and
          abs(summary["mae"] - float(np.mean(np.abs(c - y[ntrain:]))))
          <= 1e-9, "its RMSE and MAE equal numpy's")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("import", "train",
                                                  "linear"):
        raise SystemExit("usage: oracle.py import|train|linear DRIVER")
    print("xgboost %s, numpy %s" % (xgb.__version__, np.__version__))
    with tempfile.TemporaryDirectory(prefix="sluice-oracle-") as tmp:
        {"import": case_import, "train": case_train,
         "linear": case_linear}[sys.argv[1]](sys.argv[2], tmp)
    if FAILURES:
        raise SystemExit("%d check(s) failed" % len(FAILURES))


if __name__ == "__main__":
    main()
