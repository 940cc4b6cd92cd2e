-- Content identity of each file the loader read: a hash of the (up to) 4 KiB before its offset.
-- A copy of a file already loaded (cp -a of a project directory: new path, new inode, same first
-- line and same bytes up to the offset) continues where the original was left, never doubled.
ALTER TABLE {db}.agentel_load_state ADD COLUMN IF NOT EXISTS Tail String DEFAULT '';

-- Lines whose rows were older than the store's retention when loaded: not inserted (the engine would drop
-- them on arrival) but remembered, so `agentel load --reload-expired` can load them once retention
-- allows it. Cutoff: rows older than this were the ones left out.
CREATE TABLE IF NOT EXISTS {db}.agentel_load_expired (
    Path String,
    Offset UInt64,
    Line UInt64,
    Cutoff DateTime64(9),
    Rows UInt64,
    Reloaded UInt8 DEFAULT 0,
    Updated DateTime64(6)
) ENGINE = ReplacingMergeTree(Updated)
ORDER BY (Path, Offset);
