"""agentel's GenAI names agree with opentelemetry-semantic-conventions where it has them."""

from __future__ import annotations

from opentelemetry.semconv._incubating.attributes import (
    error_attributes,
    gen_ai_attributes,
    server_attributes,
)
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

from agentel.genai import semconv as sc
from agentel.registry import REGISTRY


def test_attribute_names_match_the_incubating_gen_ai_module() -> None:
    pairs = {
        sc.PROVIDER_NAME: gen_ai_attributes.GEN_AI_PROVIDER_NAME,
        sc.OPERATION_NAME: gen_ai_attributes.GEN_AI_OPERATION_NAME,
        sc.CONVERSATION_ID: gen_ai_attributes.GEN_AI_CONVERSATION_ID,
        sc.OUTPUT_TYPE: gen_ai_attributes.GEN_AI_OUTPUT_TYPE,
        sc.REQUEST_MODEL: gen_ai_attributes.GEN_AI_REQUEST_MODEL,
        sc.REQUEST_MAX_TOKENS: gen_ai_attributes.GEN_AI_REQUEST_MAX_TOKENS,
        sc.REQUEST_TEMPERATURE: gen_ai_attributes.GEN_AI_REQUEST_TEMPERATURE,
        sc.REQUEST_TOP_P: gen_ai_attributes.GEN_AI_REQUEST_TOP_P,
        sc.REQUEST_TOP_K: gen_ai_attributes.GEN_AI_REQUEST_TOP_K,
        sc.REQUEST_STOP_SEQUENCES: gen_ai_attributes.GEN_AI_REQUEST_STOP_SEQUENCES,
        sc.REQUEST_FREQUENCY_PENALTY: gen_ai_attributes.GEN_AI_REQUEST_FREQUENCY_PENALTY,
        sc.REQUEST_PRESENCE_PENALTY: gen_ai_attributes.GEN_AI_REQUEST_PRESENCE_PENALTY,
        sc.REQUEST_SEED: gen_ai_attributes.GEN_AI_REQUEST_SEED,
        sc.REQUEST_CHOICE_COUNT: gen_ai_attributes.GEN_AI_REQUEST_CHOICE_COUNT,
        sc.REQUEST_STREAM: gen_ai_attributes.GEN_AI_REQUEST_STREAM,
        sc.REQUEST_ENCODING_FORMATS: gen_ai_attributes.GEN_AI_REQUEST_ENCODING_FORMATS,
        sc.RESPONSE_ID: gen_ai_attributes.GEN_AI_RESPONSE_ID,
        sc.RESPONSE_MODEL: gen_ai_attributes.GEN_AI_RESPONSE_MODEL,
        sc.RESPONSE_FINISH_REASONS: gen_ai_attributes.GEN_AI_RESPONSE_FINISH_REASONS,
        sc.RESPONSE_TIME_TO_FIRST_CHUNK: gen_ai_attributes.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
        sc.USAGE_INPUT_TOKENS: gen_ai_attributes.GEN_AI_USAGE_INPUT_TOKENS,
        sc.USAGE_OUTPUT_TOKENS: gen_ai_attributes.GEN_AI_USAGE_OUTPUT_TOKENS,
        sc.USAGE_CACHE_READ_INPUT_TOKENS: gen_ai_attributes.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
        sc.USAGE_CACHE_CREATION_INPUT_TOKENS: gen_ai_attributes.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
        sc.USAGE_REASONING_OUTPUT_TOKENS: gen_ai_attributes.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
        sc.EMBEDDINGS_DIMENSION_COUNT: gen_ai_attributes.GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
        sc.TOKEN_TYPE: gen_ai_attributes.GEN_AI_TOKEN_TYPE,
        sc.INPUT_MESSAGES: gen_ai_attributes.GEN_AI_INPUT_MESSAGES,
        sc.OUTPUT_MESSAGES: gen_ai_attributes.GEN_AI_OUTPUT_MESSAGES,
        sc.SYSTEM_INSTRUCTIONS: gen_ai_attributes.GEN_AI_SYSTEM_INSTRUCTIONS,
        sc.TOOL_DEFINITIONS: gen_ai_attributes.GEN_AI_TOOL_DEFINITIONS,
        sc.ERROR_TYPE: error_attributes.ERROR_TYPE,
        sc.SERVER_ADDRESS: server_attributes.SERVER_ADDRESS,
        sc.SERVER_PORT: server_attributes.SERVER_PORT,
    }
    assert {ours: theirs for ours, theirs in pairs.items() if ours != theirs} == {}


def test_values_match_the_incubating_enums() -> None:
    ops = {v.value for v in gen_ai_attributes.GenAiOperationNameValues}
    assert {sc.OP_CHAT, sc.OP_EMBEDDINGS, sc.OP_TEXT_COMPLETION, sc.OP_GENERATE_CONTENT} <= ops
    providers = {v.value for v in gen_ai_attributes.GenAiProviderNameValues}
    assert {sc.PROVIDER_OPENAI, sc.PROVIDER_ANTHROPIC} <= providers
    assert {sc.TOKEN_INPUT, sc.TOKEN_OUTPUT} == {v.value for v in gen_ai_attributes.GenAiTokenTypeValues}


def test_metric_names_match_and_are_registered_with_semconv_buckets() -> None:
    assert sc.METRIC_TOKEN_USAGE == gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE
    assert sc.METRIC_OPERATION_DURATION == gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION
    assert sc.METRIC_TIME_TO_FIRST_CHUNK == gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK
    tokens = REGISTRY.metrics[sc.METRIC_TOKEN_USAGE]
    assert (tokens.kind, tokens.unit) == ("histogram", "{token}")
    assert tokens.buckets == tuple(4**i for i in range(14))
    duration = REGISTRY.metrics[sc.METRIC_OPERATION_DURATION]
    assert (duration.kind, duration.unit) == ("histogram", "s")
    assert duration.buckets == tuple(round(0.01 * 2**i, 2) for i in range(14))
    for name in (sc.METRIC_COST, sc.METRIC_COST_UNKNOWN_MODEL):
        assert REGISTRY.metrics[name].kind == "counter"
    assert sc.EVENT_INFERENCE_DETAILS in REGISTRY.events
    assert {sc.INPUT_MESSAGES, sc.OUTPUT_MESSAGES, sc.SYSTEM_INSTRUCTIONS} <= set(
        REGISTRY.events[sc.EVENT_INFERENCE_DETAILS].keys
    )


def test_every_genai_name_lives_in_the_semconv_module() -> None:
    """No other agentel.genai module spells a gen_ai.* / agentel.cost.* name itself."""
    import pathlib
    import re

    import agentel.genai as pkg

    root = pathlib.Path(pkg.__file__).parent
    literal = re.compile(r"""["'](gen_ai\.[a-z_.]+|agentel\.(?:cost|usage|stream)\.[a-z_.]+)["']""")
    offenders = {
        str(p.relative_to(root)): literal.findall(p.read_text())
        for p in root.rglob("*.py")
        if p.name != "semconv.py" and literal.findall(p.read_text())
    }
    assert offenders == {}
