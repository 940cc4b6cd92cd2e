-- The first line of each file the loader read (a hash): a file renamed by rotation (same inode,
-- same first line, new name) is continued where it was left, not loaded again from the start; a
-- file truncated and rewritten under the same name (different first line) is read from the start.
ALTER TABLE {db}.agentel_load_state ADD COLUMN IF NOT EXISTS Head String DEFAULT '';
