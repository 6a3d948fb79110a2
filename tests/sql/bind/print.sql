-- PRINT a topic's raw records.
PRINT 'payments';
PRINT 'payments' FROM BEGINNING;
PRINT 'payments.dlq' FROM BEGINNING LIMIT 10;
