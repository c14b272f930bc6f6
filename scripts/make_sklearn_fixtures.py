#!/usr/bin/python3
"""Writes tests/fixtures/auc_sklearn.json, the scikit-learn / SciPy references for
src/metrics/metrics_test.cpp.

Run with Debian's python (apt-get install python3-sklearn python3-scipy):

    /usr/bin/python3 scripts/make_sklearn_fixtures.py

Deterministic: every random case draws from numpy.random.RandomState(seed) with a fixed seed,
so rerunning rewrites the same file. Floats are written by json (repr), which round-trips
doubles exactly.

Layout:

  generator, sklearn_version, scipy_version, numpy_version
  auc       [{name, description, scores, labels, auc}]      auc = roc_auc_score(labels, scores)
  spearman  [{name, description, x, y, rho, ranks_x, ranks_y}]
                rho = scipy.stats.spearmanr(x, y).correlation,
                ranks_* = scipy.stats.rankdata(*, method="average")
  pearson   [{name, description, x, y, r}]                  r = scipy.stats.pearsonr(x, y)[0]
"""

import json
import os

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import roc_auc_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "auc_sklearn.json")


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64)]


def auc_case(name, description, scores, labels):
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    assert scores.shape == labels.shape and 0 < labels.sum() < labels.size, name
    return {
        "name": name,
        "description": description,
        "scores": floats(scores),
        "labels": floats(labels),
        "auc": float(roc_auc_score(labels, scores)),
    }


def spearman_case(name, description, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return {
        "name": name,
        "description": description,
        "x": floats(x),
        "y": floats(y),
        "rho": float(scipy.stats.spearmanr(x, y).correlation),
        "ranks_x": floats(scipy.stats.rankdata(x, method="average")),
        "ranks_y": floats(scipy.stats.rankdata(y, method="average")),
    }


def pearson_case(name, description, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return {
        "name": name,
        "description": description,
        "x": floats(x),
        "y": floats(y),
        "r": float(scipy.stats.pearsonr(x, y)[0]),
    }


def main():
    auc = []

    rs = np.random.RandomState(1)
    n = 200
    labels = rs.binomial(1, 0.5, n)
    auc.append(auc_case("random_200", "200 N(0,1) scores, Bernoulli(0.5) labels, no ties",
                        rs.normal(size=n), labels))

    rs = np.random.RandomState(2)
    n = 300
    labels = rs.binomial(1, 0.4, n)
    scores = np.round(np.clip(0.5 + 0.25 * (labels - 0.5) + 0.2 * rs.normal(size=n), 0, 1), 1)
    auc.append(auc_case("ties_rounded_1dp",
                        "300 informative probabilities rounded to 1 decimal (heavy ties)",
                        scores, labels))

    rs = np.random.RandomState(3)
    n = 400
    labels = rs.binomial(1, 0.5, n)
    scores = np.round(rs.uniform(size=n), 1)
    auc.append(auc_case("ties_uninformative_1dp",
                        "400 uniform scores rounded to 1 decimal, independent labels", scores,
                        labels))

    rs = np.random.RandomState(4)
    n = 500
    labels = np.zeros(n, dtype=np.int64)
    labels[rs.choice(n, 15, replace=False)] = 1
    scores = np.round(0.3 * labels + rs.normal(size=n), 2)
    auc.append(auc_case("imbalanced_3pct",
                        "500 scores rounded to 2 decimals, 15 positives (3%)", scores, labels))

    rs = np.random.RandomState(5)
    n = 250
    labels = np.ones(n, dtype=np.int64)
    labels[rs.choice(n, 5, replace=False)] = 0
    auc.append(auc_case("imbalanced_98pct_positive", "250 N(0,1) scores, 5 negatives",
                        rs.normal(size=n), labels))

    rs = np.random.RandomState(6)
    n = 50
    labels = rs.binomial(1, 0.5, n)
    labels[0], labels[1] = 0, 1
    auc.append(auc_case("all_tied", "50 identical scores 0.7: AUC 0.5", np.full(n, 0.7),
                        labels))

    rs = np.random.RandomState(7)
    n = 120
    labels = rs.binomial(1, 0.5, n)
    scores = rs.randint(0, 3, n) + labels * rs.randint(0, 2, n)
    auc.append(auc_case("integer_scores", "120 integer scores in 0..3 (four tie groups)",
                        scores, labels))

    rs = np.random.RandomState(8)
    n = 1000
    labels = rs.binomial(1, 0.3, n)
    scores = 1.0 / (1.0 + np.exp(-(0.8 * labels + rs.normal(size=n))))
    auc.append(auc_case("logistic_1000", "1000 sigmoid(0.8 y + N(0,1)) probabilities",
                        scores, labels))

    auc.append(auc_case("perfect", "positives all above negatives: AUC 1",
                        [0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1]))
    auc.append(auc_case("reversed", "positives all below negatives: AUC 0",
                        [0.1, 0.2, 0.3, 0.8, 0.9], [1, 1, 0, 0, 0]))

    spearman = []
    rs = np.random.RandomState(11)
    x = np.round(rs.normal(size=60), 1)
    y = np.round(0.5 * x + rs.normal(size=60), 1)
    spearman.append(spearman_case("ties_rounded_1dp",
                                  "60 correlated normals, both rounded to 1 decimal", x, y))
    rs = np.random.RandomState(12)
    x = rs.randint(0, 4, 40)
    y = x + rs.randint(-2, 3, 40)
    spearman.append(spearman_case("integer_heavy_ties",
                                  "40 integers in 0..3 and a noisy copy (heavy ties)", x, y))
    rs = np.random.RandomState(13)
    x = rs.normal(size=80)
    y = -x ** 3 + 0.3 * rs.normal(size=80)
    spearman.append(spearman_case("no_ties_monotone", "80 normals, y = -x^3 + noise", x, y))

    pearson = []
    rs = np.random.RandomState(21)
    x = rs.normal(size=100)
    y = 0.4 * x + rs.normal(size=100)
    pearson.append(pearson_case("correlated_100", "100 pairs, y = 0.4 x + N(0,1)", x, y))
    rs = np.random.RandomState(22)
    x = 1000.0 + 0.01 * rs.normal(size=50)
    y = -2.0 * x + 1e-3 * rs.normal(size=50)
    pearson.append(pearson_case("large_offset", "x = 1000 + 0.01 N(0,1): mean far from 0", x,
                                y))

    doc = {
        "generator": "scripts/make_sklearn_fixtures.py",
        "sklearn_version": sklearn.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "auc": auc,
        "spearman": spearman,
        "pearson": pearson,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for c in auc:
        print(f"auc      {c['name']:28s} n={len(c['labels']):5d} {c['auc']!r}")
    for c in spearman:
        print(f"spearman {c['name']:28s} n={len(c['x']):5d} {c['rho']!r}")
    for c in pearson:
        print(f"pearson  {c['name']:28s} n={len(c['x']):5d} {c['r']!r}")


if __name__ == "__main__":
    main()
