#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Models through SQL, checked against Debian's xgboost 1.7 and
scikit-learn (run with /usr/bin/python3, where they live).

  sql_oracle.py SLUICE

runs `sluice run --bounded` on scripts over the whole of
$SLUICE_SHARED_DATA/lending_club.csv (an id column added, so that the
rows keep the file's order in a table) and checks:

  train     CREATE MODEL ... TYPE XGBOOST WITH (holdout=0.2) against
            xgboost trained here with the same parameters on the same
            first 80% of the rows: AUC on the last 20% within 0.01;
            EVALUATE's AUC, log loss, accuracy, precision and recall equal
            scikit-learn's on the predictions a pull query's PREDICT(m)
            returns for the same rows; the metrics stored with the version
            (DESCRIBE) are EVALUATE's.
  import    a model trained here, saved as model.json and imported with
            CREATE MODEL ... FROM FILE: PREDICT equals Python's
            predictions to 1e-6.
  linear    LOGISTIC_REGRESSION and LINEAR_REGRESSION through SQL against
            scikit-learn's LogisticRegression and Ridge on the same
            standardized design: the same predictions; EVALUATE's RMSE and
            MAE against numpy's.
  describe  DESCRIBE m and SHOW MODELS: inputs, versions, training set,
            rows, parameters, metrics and training time (which must be
            plausible; it is the one thing that differs run to run).

Exit status 0 when every check holds.
"""
import calendar
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import xgboost as xgb
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, log_loss, precision_score,
                             recall_score, roc_auc_score)
from sklearn.preprocessing import StandardScaler

DATA = os.environ.get("SLUICE_SHARED_DATA", "../shared/data")
FAILURES = []
STRINGS = {"term", "sub_grade", "addr_state", "verification_status",
           "emp_length", "class"}
ONEHOT = ["term", "verification_status"]
DROP = {"sub_grade", "addr_state", "emp_length"}
PARAMS = {"max_depth": 4, "eta": 0.1, "subsample": 0.8,
          "colsample_bytree": 0.8, "min_child_weight": 1, "lambda": 1,
          "alpha": 0, "scale_pos_weight": 2, "seed": 7, "nthread": 1}
ROUNDS = 100


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def load():
    with open(os.path.join(DATA, "lending_club.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header = [h.lower() for h in rows[0]]
    return header, rows[1:]


def write_table_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id"] + header)
        for i, r in enumerate(rows):
            w.writerow([i + 1] + r)


def create_table(header):
    cols = ["id BIGINT PRIMARY KEY"]
    cols += ["%s %s" % (h, "VARCHAR" if h in STRINGS else "DOUBLE")
             for h in header]
    return "CREATE TABLE loans (%s);\nLOAD '${dir}/loans.csv' INTO loans;\n" \
        % ", ".join(cols)


def run_sql(sluice, tmp, name, sql):
    """Runs a script; returns its results, each a list of rows (dicts),
    told apart by their columns (JSON output is one object per row)."""
    path = os.path.join(tmp, name + ".sql")
    with open(path, "w") as f:
        f.write(sql)
    proc = subprocess.run([sluice, "run", "--bounded", "--output", "json",
                           "--log-level", "warn", "-D", "dir=" + tmp, path],
                          cwd=tmp, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("sluice run %s exited %d" % (name, proc.returncode))
    out = []
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        if not out or list(out[-1][0].keys()) != list(row.keys()):
            out.append([])
        out[-1].append(row)
    return out


def design(header, rows, ntrain):
    """Sluice's matrix for FEATURES in file order: numbers as float32,
    ONE_HOT as one column per training category, sorted."""
    cols = []
    for c, name in enumerate(header):
        if name == "class" or name in DROP:
            continue
        if name in ONEHOT:
            vocab = sorted({r[c] for r in rows[:ntrain]},
                           key=lambda s: s.encode())
            for v in vocab:
                cols.append(np.array([1.0 if r[c] == v else 0.0
                                      for r in rows]))
        else:
            cols.append(np.array([float(r[c]) if r[c] != "" else np.nan
                                  for r in rows]))
    return np.column_stack(cols).astype(np.float32)


def features_sql(header):
    items = []
    for name in header:
        if name == "class" or name in DROP:
            continue
        items.append("ONE_HOT(%s)" % name if name in ONEHOT else name)
    return ", ".join(items)


# ---- Training through SQL against xgboost ----------------------------------

def case_train(sluice, tmp, header, rows):
    n = len(rows)
    nhold = int(math.floor(n * 0.2 + 1e-9))
    ntrain = n - nhold
    with_params = ", ".join("%s=%s" % kv for kv in PARAMS.items())
    sql = create_table(header)
    sql += ("CREATE MODEL risk TYPE XGBOOST FEATURES (%s)\n"
            "  LABEL class = 'bad' FROM loans\n"
            "  WITH (rounds=%d, holdout=0.2, %s);\n"
            % (features_sql(header), ROUNDS, with_params))
    sql += "EVALUATE MODEL risk ON loans WHERE id > %d;\n" % ntrain
    sql += ("SELECT id, class, PREDICT(risk) AS score FROM loans "
            "WHERE id > %d;\n" % ntrain)
    sql += "DESCRIBE risk;\n"
    out = run_sql(sluice, tmp, "train", sql)
    evaluate, scored = out[0], out[1]
    versions = [r for r in out if "training_ms" in r[0]][0]

    y = np.array([1.0 if r[header.index("class")] == "bad" else 0.0
                  for r in rows])
    X = design(header, rows, ntrain)
    py = dict(PARAMS, objective="binary:logistic")
    bst = xgb.train(py, xgb.DMatrix(X[:ntrain], label=y[:ntrain],
                                    missing=np.nan), ROUNDS)
    p_scores = bst.predict(xgb.DMatrix(X[ntrain:], missing=np.nan))
    y_hold = y[ntrain:]

    ev = evaluate[0]
    s_scores = np.array([r["score"] for r in scored])
    s_labels = np.array([1.0 if r["class"] == "bad" else 0.0
                         for r in scored])
    check(len(evaluate) == 1 and ev["rows"] == nhold and
          len(s_scores) == nhold and np.array_equal(s_labels, y_hold),
          "EVALUATE and PREDICT scored the same %d holdout rows" % nhold)
    s_auc, p_auc = ev["auc"], roc_auc_score(y_hold, p_scores)
    check(abs(s_auc - p_auc) <= 0.01,
          "AUC through SQL %.6f vs Python xgboost %.6f within 0.01"
          % (s_auc, p_auc))
    sk_auc = roc_auc_score(y_hold, s_scores)
    check(abs(s_auc - sk_auc) <= 1e-9,
          "EVALUATE's AUC %.12f equals roc_auc_score %.12f on PREDICT's "
          "scores" % (s_auc, sk_auc))
    check(abs(ev["log_loss"] - log_loss(y_hold, s_scores)) <= 1e-9,
          "EVALUATE's log loss equals log_loss")
    pred = (s_scores >= 0.5).astype(float)
    for key, fn in (("accuracy", accuracy_score),
                    ("precision", precision_score),
                    ("recall", recall_score)):
        check(abs(ev[key] - fn(y_hold, pred)) <= 1e-12,
              "EVALUATE's %s equals scikit-learn's" % key)
    check(ev["rmse"] is None and ev["mae"] is None,
          "EVALUATE leaves RMSE and MAE empty for a classifier")

    v = versions[0]
    stored = json.loads(v["metrics"])
    check(v["rows"] == ntrain and stored["set"] == "holdout" and
          stored["rows"] == nhold and abs(stored["auc"] - s_auc) <= 1e-12,
          "the version's stored holdout metrics are EVALUATE's")


# ---- FROM FILE ------------------------------------------------------------

def case_import(sluice, tmp, header, rows):
    numeric = [h for h in header if h not in STRINGS]
    X = np.column_stack([[float(r[header.index(h)]) for r in rows]
                         for h in numeric]).astype(np.float32)
    y = np.array([1.0 if r[header.index("class")] == "bad" else 0.0
                  for r in rows])
    params = {"objective": "binary:logistic", "max_depth": 5, "eta": 0.1,
              "subsample": 0.8, "seed": 3, "nthread": 1}
    bst = xgb.train(params, xgb.DMatrix(X, label=y, feature_names=numeric),
                    60)
    bst.save_model(os.path.join(tmp, "model.json"))
    expected = bst.predict(xgb.DMatrix(X, feature_names=numeric))

    sql = create_table(header)
    sql += ("CREATE MODEL imported TYPE XGBOOST FROM FILE '%s'\n"
            "  FEATURES (%s);\n" % (os.path.join(tmp, "model.json"),
                                    ", ".join(numeric)))
    sql += "SELECT id, PREDICT(imported) AS score FROM loans;\n"
    out = run_sql(sluice, tmp, "import", sql)
    got = np.array([r["score"] for r in out[0]])
    diff = float(np.max(np.abs(got - expected)))
    check(len(got) == len(expected) and diff <= 1e-6,
          "FROM FILE: %d predictions through SQL equal Python's (max diff "
          "%.3g)" % (len(got), diff))


# ---- Linear models --------------------------------------------------------

def case_linear(sluice, tmp, header, rows):
    n = len(rows)
    ntrain = n - int(math.floor(n * 0.2 + 1e-9))
    col = {h: header.index(h) for h in header}
    num = lambda h: np.array([float(r[col[h]]) for r in rows])

    # The design SQL builds: STANDARDIZE(int_rate) with the training rows'
    # population statistics, ONE_HOT(term) sorted, then two plain columns.
    rate = num("int_rate")
    mean, std = rate[:ntrain].mean(), rate[:ntrain].std()
    terms = sorted({r[col["term"]] for r in rows[:ntrain]})
    X = np.column_stack([(rate - mean) / std] +
                        [np.array([1.0 if r[col["term"]] == t else 0.0
                                   for r in rows]) for t in terms] +
                        [num("annual_inc"), num("revol_util")])
    X = X.astype(np.float32).astype(np.float64)
    sc = StandardScaler().fit(X[:ntrain])
    y = np.array([1.0 if r[col["class"]] == "bad" else 0.0 for r in rows])
    lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=1000,
                            solver="newton-cholesky")
    lr.fit(sc.transform(X[:ntrain]), y[:ntrain])
    p_lr = lr.predict_proba(sc.transform(X[ntrain:]))[:, 1]

    Xr = np.column_stack([np.array([1.0 if r[col["term"]] == t else 0.0
                                    for r in rows]) for t in terms] +
                         [num("funded_amnt"), num("annual_inc")])
    Xr = Xr.astype(np.float32).astype(np.float64)
    scr = StandardScaler().fit(Xr[:ntrain])
    ridge = Ridge(alpha=10.0, solver="cholesky")
    ridge.fit(scr.transform(Xr[:ntrain]), rate[:ntrain])
    p_ridge = ridge.predict(scr.transform(Xr[ntrain:]))

    sql = create_table(header)
    sql += ("CREATE MODEL lr TYPE LOGISTIC_REGRESSION\n"
            "  FEATURES (STANDARDIZE(int_rate), ONE_HOT(term), annual_inc,\n"
            "            revol_util)\n"
            "  LABEL class = 'bad' FROM loans\n"
            "  WITH (lambda=1, iterations=100, holdout=0.2);\n"
            "CREATE MODEL ridge TYPE LINEAR_REGRESSION\n"
            "  FEATURES (ONE_HOT(term), funded_amnt, annual_inc)\n"
            "  LABEL int_rate FROM loans WITH (lambda=10, holdout=0.2);\n")
    sql += ("SELECT id, PREDICT(lr) AS lr, PREDICT(ridge) AS ridge "
            "FROM loans WHERE id > %d;\n" % ntrain)
    sql += "EVALUATE MODEL ridge ON loans WHERE id > %d;\n" % ntrain
    scored, evaluate = run_sql(sluice, tmp, "linear", sql)
    s_lr = np.array([r["lr"] for r in scored])
    s_ridge = np.array([r["ridge"] for r in scored])
    d = float(np.max(np.abs(s_lr - p_lr)))
    check(d <= 1e-6, "LOGISTIC_REGRESSION through SQL equals scikit-learn's "
          "LogisticRegression (max diff %.3g)" % d)
    d = float(np.max(np.abs(s_ridge - p_ridge)))
    check(d <= 1e-6, "LINEAR_REGRESSION through SQL equals Ridge "
          "(max diff %.3g)" % d)
    ev = evaluate[0]
    rmse = math.sqrt(float(np.mean((s_ridge - rate[ntrain:]) ** 2)))
    mae = float(np.mean(np.abs(s_ridge - rate[ntrain:])))
    check(ev["auc"] is None and abs(ev["rmse"] - rmse) <= 1e-9 and
          abs(ev["mae"] - mae) <= 1e-9,
          "EVALUATE's RMSE and MAE of the regression equal numpy's")


# ---- DESCRIBE and SHOW MODELS ---------------------------------------------

def case_describe(sluice, tmp, header, rows):
    sql = create_table(header)
    sql += ("CREATE MODEL m TYPE LOGISTIC_REGRESSION\n"
            "  FEATURES (STANDARDIZE(int_rate), ONE_HOT(term))\n"
            "  LABEL class = 'bad' FROM loans WHERE id <= 1000;\n"
            "CREATE MODEL m TYPE XGBOOST FEATURES (int_rate, annual_inc)\n"
            "  LABEL class = 'bad' FROM loans WITH (rounds=5, holdout=0.5);\n"
            "DESCRIBE m;\nSHOW MODELS;\n")
    before = int(time.time() * 1000)
    out = run_sql(sluice, tmp, "describe", sql)
    after = int(time.time() * 1000)
    inputs, props, versions, feats, show = out
    check([(r["column"], r["type"]) for r in inputs] ==
          [("int_rate", "DOUBLE"), ("annual_inc", "DOUBLE")],
          "DESCRIBE lists the current definition's input columns in order")
    kv = {r["property"]: r["value"] for r in props}
    check(kv.get("model_type") == "xgboost" and
          kv.get("training_set") == "loans" and kv.get("rounds") == "5",
          "DESCRIBE lists the model's type, training set and options")
    check(list(versions[0].keys()) ==
          ["version", "type", "training_set", "rows", "trained_at",
           "training_ms", "params", "metrics"] and
          [r["version"] for r in versions] == [1, 2],
          "DESCRIBE lists both versions")
    v1, v2 = versions
    n = len(rows)
    check(v1["type"] == "logistic_regression" and v2["type"] == "xgboost",
          "each version has its own model type")
    check(v1["training_set"] == "loans" and v1["rows"] == 1000 and
          v2["rows"] == n - n // 2,
          "versions record their training set and training rows")
    p1, p2 = json.loads(v1["params"]), json.loads(v2["params"])
    check(p1.get("l2") == 1 and p2.get("rounds") == 5 and
          p2.get("holdout") == 0.5,
          "versions record their effective parameters")
    m1, m2 = json.loads(v1["metrics"]), json.loads(v2["metrics"])
    check(m1["set"] == "training" and m1["rows"] == 1000 and
          m2["set"] == "holdout" and m2["rows"] == n // 2 and
          0.5 < m2["auc"] <= 1,
          "versions record their metrics and the rows they were measured on")
    ok = True
    for v in (v1, v2):
        t = time.strptime(v["trained_at"][:19], "%Y-%m-%dT%H:%M:%S")
        t = calendar.timegm(t) * 1000
        ok = ok and before - 2000 <= t <= after + 2000 and \
            0 <= v["training_ms"] <= after - before
    check(ok, "training time: when (UTC, during the run) and how long")
    check([r["feature"] for r in feats] == ["int_rate", "annual_inc"] and
          feats[0]["definition"].startswith("int_rate DOUBLE"),
          "DESCRIBE lists the newest version's features")
    check([(r["name"], r["version"], r["type"], r["rows"]) for r in show] ==
          [("m", 1, "logistic_regression", 1000),
           ("m", 2, "xgboost", n - n // 2)] and
          all(r[k] == v[k] for r, v in zip(show, versions)
              for k in v.keys()),
          "SHOW MODELS lists every version like DESCRIBE")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: sql_oracle.py SLUICE")
    sluice = os.path.abspath(sys.argv[1])
    print("xgboost %s, numpy %s" % (xgb.__version__, np.__version__))
    header, rows = load()
    with tempfile.TemporaryDirectory(prefix="sluice-sql-oracle-") as tmp:
        write_table_csv(os.path.join(tmp, "loans.csv"), header, rows)
        case_train(sluice, tmp, header, rows)
        case_import(sluice, tmp, header, rows)
        case_linear(sluice, tmp, header, rows)
        case_describe(sluice, tmp, header, rows)
    if FAILURES:
        raise SystemExit("%d check(s) failed" % len(FAILURES))


if __name__ == "__main__":
    main()
