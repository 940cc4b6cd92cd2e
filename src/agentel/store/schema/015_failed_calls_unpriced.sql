-- One cost rule for every source (issue 18 item 14, docs/cost.md): the store prices a failed call
-- only from usage the provider reported, as the SDK does. A failed call with no usage (its token
-- columns read 0) or only estimated usage gets no store price: NULL (unknown), never $0 or a guess.
-- llm_calls_priced of 013 otherwise unchanged.
CREATE OR REPLACE VIEW {db}.llm_calls_priced AS
SELECT
    c.*,
    multiIf(c.CostUsd IS NOT NULL, c.CostUsd,
            p.Source != '' AND c.InputTokens <= p.MaxInput AND c.Priceable,
            p.Base + c.InputTokens * p.InputCoef + c.CacheReadTokens * p.CacheReadCoef
              + c.CacheWriteTokens * p.CacheWriteCoef + c.OutputTokens * p.OutputCoef,
            NULL) AS PricedCostUsd,
    multiIf(c.CostUsd IS NOT NULL, 'sdk', p.Source != '' AND c.InputTokens <= p.MaxInput AND c.Priceable, p.Source, '') AS PriceSource,
    multiIf(c.CostUsd IS NOT NULL, '', p.Source != '' AND c.InputTokens <= p.MaxInput AND c.Priceable, p.Version, '') AS PriceVersion
FROM (
    SELECT *, toDate(Timestamp) AS CallDay,
        NOT (IsError AND (TokensEstimated OR InputTokens + OutputTokens = 0)) AS Priceable
    FROM {db}.{prefix}llm_calls
) AS c
ASOF LEFT JOIN (SELECT * FROM {db}.agentel_prices FINAL) AS p
    ON c.Provider = p.Provider AND c.Model = p.Model AND c.CallDay >= p.EffectiveFrom;
