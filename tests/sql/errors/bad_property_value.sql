SET 'auto.offset.reset' = 'beginning';
