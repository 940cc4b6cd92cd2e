-- The models to offer in the calls filter.
SELECT DISTINCT Model AS model FROM llm_calls ORDER BY model LIMIT 500
