#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# DESCRIBE m lists each feature as written in FEATURES (ONE_HOT(term),
# not the generated input name inside the transform), then its type and
# frozen statistics.  The rest of DESCRIBE holds the training time, so
# only the features block is compared.
set -euo pipefail
sluice=${1:?usage: describe_model.sh SLUICE}
loans=$(cd "$(dirname "$0")/../sql/models" && pwd)/loans.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat >m.sql <<SQL
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
LOAD '$loans' INTO loans;
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(int_rate), ONE_HOT( term ), revol_util / 100 AS util,
            BUCKETIZE(annual_inc, ARRAY[30000, 60000]) AS inc, funded_amnt)
  LABEL class = 'bad' FROM loans;
DESCRIBE risk;
SQL
"$sluice" run --bounded --log-level error --output csv m.sql >out.txt \
  2>err.txt || { echo "sluice run failed:"; cat err.txt; exit 1; }
sed -n '/^feature,definition$/,$p' out.txt >features.txt
cat >expected.txt <<'OUT'
feature,definition
standardize_int_rate,STANDARDIZE(int_rate) DOUBLE mean=12.291675000000005 stddev=4.747924172138281
one_hot_term,"ONE_HOT(term) VARCHAR 2 categories: ""term_36"", ""term_60"""
util,util DOUBLE
inc,"BUCKETIZE(annual_inc) DOUBLE edges=[30000, 60000]"
funded_amnt,funded_amnt DOUBLE
OUT
diff -u expected.txt features.txt
echo "DESCRIBE shows each feature as written"
