#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The model side of the PREDICT benchmark (bench/predict/run.sh), with
Debian's xgboost 1.7 and scikit-learn (run with /usr/bin/python3, where
they live).

Rows travel as JSON lines read back from the benchmark's topics: `id`,
the features x0 ... x19 (DOUBLE, null when missing) and, in the training
rows, `noise`.  A training row's label is LABEL_SQL below, the same
expression the benchmark's CREATE MODEL of the linear model uses.

  predict.py label
      prints LABEL_SQL, for the benchmark's CREATE MODEL
  predict.py train TRAIN MODEL
      trains the XGBoost classifier (200 trees, max_depth 6, one thread)
      on the training rows and saves it to MODEL (JSON), for CREATE MODEL
      ... FROM FILE
  predict.py batch MODEL ROWS ROUNDS
      XGBoost's own batch prediction of the rows: one
      XGBoosterPredictFromDense call over the whole float32 matrix
      (inplace_predict), one thread, best of ROUNDS by CPU time; prints
      one CSV line in the columns of `filter_project_bench measure`
      (system, rows, seconds, cpu_seconds, records_per_s,
      records_per_core_s, peak_rss_mb left empty: the process holds the
      parsed rows, not only the model)
  predict.py check MODEL TRAIN ROWS XGB_OUT LR_OUT
      checks the scores Sluice wrote (XGB_OUT, LR_OUT: `id`, `score` per
      line): the XGBoost ones against the model's own prediction of the
      same rows, the logistic regression's against scikit-learn's
      LogisticRegression fitted to the same standardized training rows
      (what Sluice's trainer computes); every row once, each score within
      1e-6; exit 1 when they differ

The rows become float32 through float64, as Sluice turns a DOUBLE into
XGBoost's matrix; a missing value is NaN for XGBoost and the training
mean for the linear model.
"""
import json
import math
import sys
import time

import numpy as np
import xgboost as xgb

NFEAT = 20
FEATURES = ["x%d" % j for j in range(NFEAT)]
ROUNDS = 200
PARAMS = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
          "tree_method": "hist", "seed": 1, "nthread": 1}
# The label of a training row, as CREATE MODEL ... LABEL writes it.
LABEL_SQL = "x0 + x1 - x2 - x3 + x4 * x5 / 1000 + noise > 750"
TOLERANCE = 1e-6


def fail(msg):
    sys.stderr.write("predict.py: %s\n" % msg)
    sys.exit(2)


def read_rows(path):
    """The rows of a JSON lines file, in file order."""
    rows = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    fail("%s:%d: %s" % (path, lineno, e))
    if not rows:
        fail("%s: no rows" % path)
    return rows


def matrix(rows):
    """The features as float32 (through float64), NaN where missing."""
    x = np.array([[math.nan if r[c] is None else float(r[c])
                   for c in FEATURES] for r in rows], dtype=np.float64)
    return np.ascontiguousarray(x.astype(np.float32))


def labels(rows):
    """LABEL_SQL of each training row."""
    return np.array([1.0 if (r["x0"] + r["x1"] - r["x2"] - r["x3"] +
                             r["x4"] * r["x5"] / 1000 + r["noise"] > 750)
                     else 0.0 for r in rows])


def booster(path):
    b = xgb.Booster(model_file=path)
    b.set_param({"nthread": 1})
    return b


def cmd_train(train_path, model_path):
    rows = read_rows(train_path)
    dtrain = xgb.DMatrix(matrix(rows), label=labels(rows), missing=math.nan)
    b = xgb.train(PARAMS, dtrain, ROUNDS)
    b.save_model(model_path)
    print("predict.py: XGBoost, %d trees of depth up to %d on %d features, "
          "trained on %d rows" % (ROUNDS, PARAMS["max_depth"], NFEAT,
                                  len(rows)), file=sys.stderr)
    return 0


def cmd_batch(model_path, rows_path, rounds):
    b = booster(model_path)
    x = matrix(read_rows(rows_path))
    n = x.shape[0]
    b.inplace_predict(x[:1000], missing=math.nan)  # warm up
    best_cpu, best_wall = math.inf, math.inf
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        b.inplace_predict(x, missing=math.nan)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if cpu < best_cpu:
            best_cpu, best_wall = cpu, wall
    print("xgboost-batch,%d,%.3f,%.3f,%.0f,%.0f," %
          (n, best_wall, best_cpu, n / best_wall if best_wall > 0 else 0,
           n / best_cpu if best_cpu > 0 else 0))
    return 0


def scores_by_id(path, what):
    got = {}
    for r in read_rows(path):
        if r["id"] in got:
            fail("%s: id %d scored twice" % (what, r["id"]))
        got[r["id"]] = r["score"]
    return got


def compare(what, ids, expected, got_by_id):
    """Prints the comparison of one model's scores; True when they agree."""
    missing = [i for i in ids if i not in got_by_id]
    extra = len(got_by_id) - (len(ids) - len(missing))
    if missing or extra:
        print("%s: %d rows scored, %d expected (%d missing, %d unknown)" %
              (what, len(got_by_id), len(ids), len(missing), extra))
        return False
    got = np.array([got_by_id[i] for i in ids], dtype=np.float64)
    diff = np.abs(got - expected)
    worst = int(np.argmax(diff))
    ok = bool(diff[worst] <= TOLERANCE)
    print("%s: %d scores, max difference %.3g%s" %
          (what, len(ids), diff[worst],
           "" if ok else " (id %d: expected %.9g, read %.9g)" %
           (ids[worst], expected[worst], got[worst])))
    return ok


def linear_expected(train, rows):
    """Sluice's LOGISTIC_REGRESSION with lambda=1: the features
    standardized with the training rows' statistics, an L2 penalty of 1
    on the weights, fitted to the optimum (as tests/model checks)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    xt = matrix(train).astype(np.float64)
    sc = StandardScaler().fit(xt)
    lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=1000,
                            solver="newton-cholesky")
    lr.fit(sc.transform(xt), labels(train))
    xs = sc.transform(matrix(rows).astype(np.float64))
    xs[np.isnan(xs)] = 0.0  # the training mean, standardized
    return lr.predict_proba(xs)[:, 1]


def cmd_check(model_path, train_path, rows_path, xgb_out, lr_out):
    rows = read_rows(rows_path)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        fail("%s: ids repeat" % rows_path)
    ok = compare("xgboost", ids,
                 booster(model_path).inplace_predict(matrix(rows),
                                                     missing=math.nan)
                 .astype(np.float64),
                 scores_by_id(xgb_out, "xgboost"))
    ok &= compare("logistic_regression", ids,
                  linear_expected(read_rows(train_path), rows),
                  scores_by_id(lr_out, "logistic_regression"))
    return 0 if ok else 1


def main(argv):
    if len(argv) == 2 and argv[1] == "label":
        print(LABEL_SQL)
        return 0
    if len(argv) == 4 and argv[1] == "train":
        return cmd_train(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "batch":
        return cmd_batch(argv[2], argv[3], int(argv[4]))
    if len(argv) == 7 and argv[1] == "check":
        return cmd_check(*argv[2:7])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
