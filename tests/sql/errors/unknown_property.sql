SET 'auto.offset.rest' = 'earliest';
