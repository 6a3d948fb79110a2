SET 'auto.offset.reset' = 'earliest'; UNSET 'auto.offset.reset';;
