SELECT key, value, type, timestamp, topic, format, window_start, size, session, label, version, file, hour, day FROM s;;
