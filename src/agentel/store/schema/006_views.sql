-- The views users of earlier tools query, with their column names. Plain SQL on these works on
-- the embedded engine and on a server alike.
CREATE OR REPLACE VIEW {db}.llm_logs AS
SELECT
    Timestamp AS timestamp,
    Model AS model,
    Provider AS provider,
    Operation AS operation,
    InputMessages AS messages,
    OutputMessages AS response,
    SystemInstructions AS instructions,
    CostUsd AS cost,
    InputTokens AS input_tokens,
    OutputTokens AS output_tokens,
    InputTokens + OutputTokens AS total_tokens,
    CacheReadTokens AS cache_read_tokens,
    CacheWriteTokens AS cache_write_tokens,
    DurationMs / 1000 AS latency,
    TtftMs / 1000 AS time_to_first_token,
    IsError AS is_error,
    ErrorType AS error_type,
    Run AS run_id,
    RunId AS process_run_id,
    Task AS task,
    Iteration AS iteration,
    TraceId AS trace_id,
    SpanId AS span_id,
    ServiceName AS service_name,
    TokensEstimated AS tokens_estimated,
    Convention AS convention
FROM {db}.{prefix}llm_calls;

CREATE OR REPLACE VIEW {db}.eval_checks AS
SELECT Timestamp AS timestamp, TraceId AS trace_id, SpanId AS span_id, Name AS check_name,
    ScoreValue AS score, ScoreLabel AS label, ScoreLabel IN ('pass', 'passed', 'ok', 'true') OR ScoreValue >= 1 AS passed,
    Explanation AS explanation, RunId AS process_run_id, ServiceName AS service_name
FROM {db}.{prefix}eval_results;

CREATE OR REPLACE VIEW {db}.feedback AS
SELECT Timestamp AS timestamp, TraceId AS trace_id, SpanId AS span_id, Good AS good,
    Comment AS comment, ReferenceAnswer AS reference_answer, RunId AS process_run_id
FROM {db}.{prefix}feedback_events;

CREATE OR REPLACE VIEW {db}.evolution_runs AS
SELECT EvolutionRunId AS run_id, TaskName AS task_name, Config AS config, Status AS status,
    Timestamp AS started_at, DurationMs / 1000 AS duration_s, TraceId AS trace_id, RunId AS process_run_id
FROM {db}.{prefix}evolution_run_spans;

CREATE OR REPLACE VIEW {db}.generations AS
SELECT Attributes['evolution.run_id'] AS run_id,
    toInt64OrZero(Attributes['evolution.generation']) AS generation,
    toFloat64OrNull(Attributes['evolution.best_score']) AS best_score,
    toFloat64OrNull(Attributes['evolution.avg_score']) AS avg_score,
    toInt64OrNull(Attributes['evolution.population_size']) AS population_size,
    Timestamp AS timestamp, TraceId AS trace_id
FROM {db}.{prefix}pack_events WHERE EventName = 'evolution.generation';

CREATE OR REPLACE VIEW {db}.individuals AS
SELECT Attributes['evolution.individual_id'] AS individual_id,
    Attributes['evolution.run_id'] AS run_id,
    toInt64OrZero(Attributes['evolution.generation']) AS generation,
    toFloat64OrNull(Attributes['evolution.fitness_score']) AS fitness_score,
    Attributes['evolution.code_hash'] AS code_hash,
    Attributes['evolution.metrics'] AS metrics,
    Timestamp AS timestamp, TraceId AS trace_id
FROM {db}.{prefix}pack_events WHERE EventName = 'evolution.individual';

CREATE OR REPLACE VIEW {db}.code_lineages AS
SELECT Attributes['evolution.parent_id'] AS parent_id,
    Attributes['evolution.child_id'] AS child_id,
    Attributes['evolution.mutation_type'] AS mutation_type,
    toFloat64OrNull(Attributes['evolution.fitness_delta']) AS fitness_delta,
    Attributes['evolution.run_id'] AS run_id,
    Timestamp AS timestamp, TraceId AS trace_id
FROM {db}.{prefix}pack_events WHERE EventName = 'evolution.lineage';

CREATE OR REPLACE VIEW {db}.agent_actions AS
SELECT Timestamp AS timestamp, Attributes['agent.action_type'] AS action_type,
    Attributes['agent.details'] AS details, Attributes['agent.name'] AS agent,
    Attributes['evolution.run_id'] AS run_id, RunId AS process_run_id, TraceId AS trace_id, SpanId AS span_id
FROM {db}.{prefix}pack_events WHERE EventName = 'agent.action';

CREATE OR REPLACE VIEW {db}.consortium_responses AS
SELECT Timestamp AS timestamp, Attributes['consortium.run_id'] AS run_id,
    toInt64OrZero(Attributes['consortium.iteration']) AS iteration,
    Attributes['consortium.member'] AS member,
    toFloat64OrNull(Attributes['consortium.confidence']) AS confidence,
    Attributes['consortium.is_arbiter'] = 'true' AS is_arbiter,
    Attributes['consortium.chosen'] = 'true' AS chosen,
    TraceId AS trace_id, SpanId AS span_id
FROM {db}.{prefix}pack_events WHERE EventName = 'consortium.response';
