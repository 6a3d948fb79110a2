-- SET and UNSET session properties.
SET 'auto.offset.reset' = 'earliest';
SET 'checkpoint.interval' = '500 ms';
SET 'idle.timeout' = '30s';
SET 'prediction.log' = 'on';
SET 'sluice.threads' = '4';
SET 'kafka.fetch.max.bytes' = '1048576';
UNSET 'auto.offset.reset';
UNSET 'kafka.fetch.max.bytes';
