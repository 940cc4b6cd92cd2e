-- Where the loader stopped in each file: a re-run reads only the new tail, never a line twice.
CREATE TABLE IF NOT EXISTS {db}.agentel_load_state (
    Path String,
    Inode UInt64,
    Offset UInt64,
    Line UInt64,
    Updated DateTime64(6)
) ENGINE = ReplacingMergeTree(Updated)
ORDER BY Path;
