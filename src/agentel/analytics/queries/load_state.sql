-- How far has the loader read each file?
SELECT Path AS path, Offset AS offset FROM agentel_load_state FINAL
