-- The warehouse database next to Airflow's metadata database (compose's postgres service).
create database touchpoints;
