x -> ifNull(multiIf(
    isNotNull(x.value.stringValue), x.value.stringValue,
    isNotNull(x.value.intValue), x.value.intValue,
    isNotNull(x.value.doubleValue), toString(x.value.doubleValue),
    isNotNull(x.value.boolValue), if(x.value.boolValue, 'true', 'false'),
    isNotNull(x.value.arrayValue), concat('[', arrayStringConcat(arrayMap(e -> multiIf(
        JSONHas(e, 'stringValue'), toJSONString(JSONExtractString(e, 'stringValue')),
        JSONHas(e, 'intValue'), JSONExtractString(e, 'intValue'),
        JSONHas(e, 'doubleValue'), toString(JSONExtractFloat(e, 'doubleValue')),
        JSONHas(e, 'boolValue'), if(JSONExtractBool(e, 'boolValue'), 'true', 'false'),
        'null'), JSONExtractArrayRaw(ifNull(x.value.arrayValue, ''), 'values')), ','), ']'),
    isNotNull(x.value.kvlistValue), concat('{', arrayStringConcat(arrayMap(e -> concat(toJSONString(JSONExtractString(e, 'key')), ':', multiIf(
        JSONHas(e, 'value', 'stringValue'), toJSONString(JSONExtractString(e, 'value', 'stringValue')),
        JSONHas(e, 'value', 'intValue'), JSONExtractString(e, 'value', 'intValue'),
        JSONHas(e, 'value', 'doubleValue'), toString(JSONExtractFloat(e, 'value', 'doubleValue')),
        JSONHas(e, 'value', 'boolValue'), if(JSONExtractBool(e, 'value', 'boolValue'), 'true', 'false'),
        'null')), JSONExtractArrayRaw(ifNull(x.value.kvlistValue, ''), 'values')), ','), '}'),
    isNotNull(x.value.bytesValue), x.value.bytesValue,
    ''), '')
