-- Serving for queries/loan.sql: the queries that answer applications,
-- kept running on the catalog and service where queries/loan.sql has
-- trained the model (see docs/loan.md):
--
--   sluice run --service loan --catalog loan.db queries/loan_serve.sql
--
-- Each statement is the same as in queries/loan.sql, so it finds its
-- object in the catalog and its query resumes where the training run
-- left it: from the offsets that query committed under the service's
-- consumer groups (sluice-loan-<query>), and for the transaction history
-- from its last checkpoint.  The history is not processed again and the
-- training set is not touched.  Run under another --service, the same
-- statements would start with empty consumer groups and process every
-- topic from its beginning.

-- The applicants' transaction history, kept current.
CREATE TABLE txn_history WITH (topic='txn-history') AS
  SELECT applicant_id,
         COUNT(*) AS txn_count,
         SUM(amount) AS txn_total,
         SUM(CASE WHEN kind = 'overdraft_fee' THEN 1 ELSE 0 END)
           AS overdrafts,
         SUM(CASE WHEN kind = 'cash_advance' THEN amount ELSE 0 END)
           AS cash_advanced
  FROM transactions
  GROUP BY applicant_id;

-- The features of each application, for the offers below.
CREATE STREAM application_features
  WITH (topic='application-features', key='application_id') AS
  SELECT a.application_id, a.applicant_id, a.applied_at, a.funded_amnt,
         a.term, a.sub_grade, a.annual_inc, a.inq_last_6mths,
         a.revol_util, a.all_util, a.delinq_2yrs,
         a.total_bal_il / GREATEST(a.annual_inc, 1.0) AS debt_ratio,
         a.funded_amnt / GREATEST(a.annual_inc, 1.0) AS loan_ratio,
         s.credit_score,
         COALESCE(e.previous_loans, 0) AS previous_loans,
         COALESCE(e.previous_defaults, 0) AS previous_defaults,
         COALESCE(e.customer_months, 0) AS customer_months,
         COALESCE(h.txn_count, 0) AS txn_count,
         COALESCE(h.txn_total, 0.0) AS txn_total,
         COALESCE(h.overdrafts, 0) AS overdrafts,
         COALESCE(h.cash_advanced, 0.0) AS cash_advanced,
         a.class
  FROM applications a
  LEFT JOIN credit_scores s ON a.applicant_id = s.applicant_id
  LEFT JOIN engagements e ON a.applicant_id = e.applicant_id
  LEFT JOIN txn_history h ON a.applicant_id = h.applicant_id;

-- Each new application answered with a priced rate (loan.sql explains
-- the formula).
CREATE STREAM offers
  WITH (topic='offers', key='application_id', prediction_log=true) AS
  SELECT application_id, applicant_id, applied_at, funded_amnt, p_bad,
         ROUND(LEAST(36.0, GREATEST(6.0, breakeven)), 2) AS rate,
         CASE WHEN breakeven > 36.0 THEN 'decline' ELSE 'offer' END
           AS decision
  FROM (SELECT application_id, applicant_id, applied_at, funded_amnt,
               p_bad, 100.0 * (0.05 + 0.6 * p_bad) / (1.0 - p_bad)
                 AS breakeven
        FROM (SELECT application_id, applicant_id, applied_at,
                     funded_amnt, PREDICT(loan_risk) AS p_bad
              FROM application_features
              WHERE class IS NULL) scored) priced;
