LOAD 'h.csv' INTO s WITH (header=true, delimiter=',', null='', errors='skip');;
