-- Store-side cost (issue 16 item 2): per-token prices for (provider, model) as of a day, filled by
-- `agentel cost` / `agentel cost --reprice` from the installed genai-prices snapshot (or
-- AGENTEL_PRICES_FILE overrides) through the same lookup the SDK uses (agentel.analytics.prices).
-- Cost = Base + InputTokens*InputCoef + CacheRead*CacheReadCoef + CacheWrite*CacheWriteCoef
--        + OutputTokens*OutputCoef, valid while InputTokens <= MaxInput (above: a tier, unknown).
-- The coefficients of the cache counts are their rate minus the plain input rate (input includes them).
CREATE TABLE IF NOT EXISTS {db}.agentel_prices (
    Provider String,
    Model String,
    EffectiveFrom Date,
    Base Float64,
    InputCoef Float64,
    CacheReadCoef Float64,
    CacheWriteCoef Float64,
    OutputCoef Float64,
    MaxInput Float64,
    Source LowCardinality(String),
    Version String,
    Loaded DateTime64(6)
) ENGINE = ReplacingMergeTree(Loaded)
ORDER BY (Provider, Model, EffectiveFrom);

-- Every call with its cost: the SDK's when it computed one ('sdk'), else the store's price as of
-- the call's day (Source/Version of that price), else NULL (a model no price data knows).
CREATE OR REPLACE VIEW {db}.llm_calls_priced AS
SELECT
    c.*,
    multiIf(c.CostUsd IS NOT NULL, c.CostUsd,
            p.Source != '' AND c.InputTokens <= p.MaxInput,
            p.Base + c.InputTokens * p.InputCoef + c.CacheReadTokens * p.CacheReadCoef
              + c.CacheWriteTokens * p.CacheWriteCoef + c.OutputTokens * p.OutputCoef,
            NULL) AS PricedCostUsd,
    multiIf(c.CostUsd IS NOT NULL, 'sdk', p.Source != '' AND c.InputTokens <= p.MaxInput, p.Source, '') AS PriceSource,
    multiIf(c.CostUsd IS NOT NULL, '', p.Source != '' AND c.InputTokens <= p.MaxInput, p.Version, '') AS PriceVersion
FROM (SELECT *, toDate(Timestamp) AS CallDay FROM {db}.{prefix}llm_calls) AS c
ASOF LEFT JOIN (SELECT * FROM {db}.agentel_prices FINAL) AS p
    ON c.Provider = p.Provider AND c.Model = p.Model AND c.CallDay >= p.EffectiveFrom;
