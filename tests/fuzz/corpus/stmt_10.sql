COPY ts TO 'out.csv';;
