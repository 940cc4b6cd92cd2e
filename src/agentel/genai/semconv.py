"""Every GenAI name agentel emits, in one module: a rename upstream is one change here.

The OTel GenAI semantic conventions moved to their own repository and some names are being
renamed; ``opentelemetry.semconv._incubating`` marks its constants as moved and lacks the newer
ones, so the names live here (a test checks them against that module where it has them).
Importing this module registers the GenAI metrics and events in agentel's registries.

``agentel.*`` names are agentel's own, for what the conventions do not name (cost, estimation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentel.registry import REGISTRY, EventSpec, MetricSpec

# --- span attributes (GenAI semantic conventions) -------------------------------------------

PROVIDER_NAME = "gen_ai.provider.name"
OPERATION_NAME = "gen_ai.operation.name"
CONVERSATION_ID = "gen_ai.conversation.id"
OUTPUT_TYPE = "gen_ai.output.type"

REQUEST_MODEL = "gen_ai.request.model"
REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
REQUEST_TEMPERATURE = "gen_ai.request.temperature"
REQUEST_TOP_P = "gen_ai.request.top_p"
REQUEST_TOP_K = "gen_ai.request.top_k"
REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences"
REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty"
REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty"
REQUEST_SEED = "gen_ai.request.seed"
REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count"
REQUEST_STREAM = "gen_ai.request.stream"
REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats"
_REQUEST_PREFIX = "gen_ai.request."


def request_attribute(param: str) -> str:
    """The attribute for a request parameter given without its prefix (``choice_count`` → ``gen_ai.request.choice.count``)."""
    return REQUEST_CHOICE_COUNT if param == "choice_count" else _REQUEST_PREFIX + param


RESPONSE_ID = "gen_ai.response.id"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
#: seconds from the request to the first streamed chunk (agentel's time to first token)
RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"

USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens"
#: being renamed upstream to gen_ai.usage.cache_write.input_tokens; change it here when it settles
USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens"

EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count"
TOKEN_TYPE = "gen_ai.token.type"

# opt-in content (JSON strings on spans, structured on events)
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
TOOL_DEFINITIONS = "gen_ai.tool.definitions"

# agents and tools (agentel.agent / @agentel.tool)
OP_INVOKE_AGENT = "invoke_agent"
OP_EXECUTE_TOOL = "execute_tool"
AGENT_NAME = "gen_ai.agent.name"
AGENT_ID = "gen_ai.agent.id"
AGENT_DESCRIPTION = "gen_ai.agent.description"
TOOL_NAME = "gen_ai.tool.name"
TOOL_DESCRIPTION = "gen_ai.tool.description"
TOOL_TYPE = "gen_ai.tool.type"
TOOL_CALL_ID = "gen_ai.tool.call.id"

# general conventions used on GenAI spans
ERROR_TYPE = "error.type"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
HTTP_STATUS_CODE = "http.response.status_code"

# provider-specific (OpenAI and Anthropic registries of the conventions)
OPENAI_REQUEST_SERVICE_TIER = "openai.request.service_tier"
OPENAI_RESPONSE_SERVICE_TIER = "openai.response.service_tier"
OPENAI_RESPONSE_SYSTEM_FINGERPRINT = "openai.response.system_fingerprint"
ANTHROPIC_CACHE_CREATION_1H = "anthropic.usage.cache_creation.ephemeral_1h_input_tokens"
#: Anthropic's own ``stop_reason`` (``end_turn``, ``pause_turn``…); finish reasons use the enum
ANTHROPIC_STOP_REASON = "anthropic.response.stop_reason"

# --- agentel's own ---------------------------------------------------------------------------

#: true when the token counts on the span were estimated (the provider reported none)
USAGE_ESTIMATED = "agentel.usage.estimated"
#: true when the application stopped reading a stream before its end
STREAM_INCOMPLETE = "agentel.stream.incomplete"
COST_INPUT_USD = "agentel.cost.input_usd"
COST_OUTPUT_USD = "agentel.cost.output_usd"
COST_TOTAL_USD = "agentel.cost.total_usd"
#: where the prices came from: "genai-prices" or "override"
COST_SOURCE = "agentel.cost.source"
#: the price data's version, for audit: "genai-prices 0.2.3" or the override file's digest
COST_VERSION = "agentel.cost.version"
#: the metric attribute splitting the cost counter: "input" | "output"
COST_KIND = "agentel.cost.kind"

# --- values -----------------------------------------------------------------------------------

OP_CHAT = "chat"
OP_EMBEDDINGS = "embeddings"
OP_TEXT_COMPLETION = "text_completion"
OP_GENERATE_CONTENT = "generate_content"
PROVIDER_OPENAI = "openai"
PROVIDER_ANTHROPIC = "anthropic"
TOKEN_INPUT = "input"
TOKEN_OUTPUT = "output"

# The conventions' finish reasons (output messages' enum): stop | length | content_filter |
# tool_call | error. Providers' words are mapped onto it; an unknown word passes unchanged.
FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_CONTENT_FILTER = "content_filter"
FINISH_TOOL_CALL = "tool_call"
FINISH_ERROR = "error"
_FINISH_REASONS = {
    # OpenAI chat completions
    "tool_calls": FINISH_TOOL_CALL,
    "function_call": FINISH_TOOL_CALL,
    # Anthropic messages
    "end_turn": FINISH_STOP,
    "stop_sequence": FINISH_STOP,
    "pause_turn": FINISH_STOP,
    "max_tokens": FINISH_LENGTH,
    "model_context_window_exceeded": FINISH_LENGTH,
    "tool_use": FINISH_TOOL_CALL,
    "refusal": FINISH_CONTENT_FILTER,
    # OpenAI responses (incomplete_details.reason)
    "max_output_tokens": FINISH_LENGTH,
}


def finish_reason(word: str) -> str:
    """The conventions' finish reason for a provider's word (``end_turn`` → ``stop``)."""
    return _FINISH_REASONS.get(word, word)


# --- metrics and events ----------------------------------------------------------------------

METRIC_TOKEN_USAGE = "gen_ai.client.token.usage"
METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration"
METRIC_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
METRIC_TIME_PER_OUTPUT_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
METRIC_COST = "agentel.cost.usd"
METRIC_COST_UNKNOWN_MODEL = "agentel.cost.unknown_model"
EVENT_INFERENCE_DETAILS = "gen_ai.client.inference.operation.details"

TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
METRIC_ATTRIBUTES = (
    OPERATION_NAME,
    PROVIDER_NAME,
    REQUEST_MODEL,
    RESPONSE_MODEL,
    SERVER_ADDRESS,
    SERVER_PORT,
    ERROR_TYPE,
)

METRICS = (
    MetricSpec(
        METRIC_TOKEN_USAGE,
        "histogram",
        "{token}",
        "Tokens used per LLM call, by token type (GenAI semantic conventions); measured usage of "
        "successful calls only.",
        (*METRIC_ATTRIBUTES, TOKEN_TYPE),
        TOKEN_BUCKETS,
        "genai",
    ),
    MetricSpec(
        METRIC_OPERATION_DURATION,
        "histogram",
        "s",
        "Duration of LLM calls (GenAI semantic conventions).",
        METRIC_ATTRIBUTES,
        DURATION_BUCKETS,
        "genai",
    ),
    MetricSpec(
        METRIC_TIME_TO_FIRST_CHUNK,
        "histogram",
        "s",
        "Time from the request to the first streamed chunk of an LLM call.",
        METRIC_ATTRIBUTES,
        DURATION_BUCKETS,
        "genai",
    ),
    MetricSpec(
        METRIC_TIME_PER_OUTPUT_CHUNK,
        "histogram",
        "s",
        "Time per output chunk of a streamed LLM call, recorded for each chunk after the first: "
        "from the end of the previous chunk to the end of this one.",
        METRIC_ATTRIBUTES,
        DURATION_BUCKETS,
        "genai",
    ),
    MetricSpec(
        METRIC_COST,
        "counter",
        "USD",
        "Cost of LLM calls in US dollars (genai-prices or configured overrides), by input/output.",
        (PROVIDER_NAME, REQUEST_MODEL, RESPONSE_MODEL, COST_KIND),
        None,
        "genai",
    ),
    MetricSpec(
        METRIC_COST_UNKNOWN_MODEL,
        "counter",
        "{call}",
        "LLM calls whose model the price data does not know (no cost recorded).",
        (PROVIDER_NAME, REQUEST_MODEL),
        None,
        "genai",
    ),
)

EVENTS = (
    EventSpec(
        EVENT_INFERENCE_DETAILS,
        "Opt-in details of an LLM call (messages), when content capture is on.",
        "info",
        (
            OPERATION_NAME,
            PROVIDER_NAME,
            REQUEST_MODEL,
            RESPONSE_MODEL,
            RESPONSE_ID,
            RESPONSE_FINISH_REASONS,
            USAGE_INPUT_TOKENS,
            USAGE_OUTPUT_TOKENS,
            ERROR_TYPE,
            INPUT_MESSAGES,
            OUTPUT_MESSAGES,
            SYSTEM_INSTRUCTIONS,
            TOOL_DEFINITIONS,
        ),
        1,
        "genai",
    ),
)

for _spec in METRICS:
    REGISTRY.register_metric(_spec)
for _event in EVENTS:
    REGISTRY.register_event(_event)

# --- OpenInference (Phoenix) names accepted on the way in ------------------------------------

_OPENINFERENCE = {
    "llm.model_name": REQUEST_MODEL,
    "llm.provider": PROVIDER_NAME,
    "llm.system": PROVIDER_NAME,
    "llm.token_count.prompt": USAGE_INPUT_TOKENS,
    "llm.token_count.completion": USAGE_OUTPUT_TOKENS,
    "llm.token_count.prompt_details.cache_read": USAGE_CACHE_READ_INPUT_TOKENS,
    "llm.token_count.prompt_details.cache_write": USAGE_CACHE_CREATION_INPUT_TOKENS,
    "llm.token_count.completion_details.reasoning": USAGE_REASONING_OUTPUT_TOKENS,
}
_INVOCATION_PARAMETERS = {
    "max_tokens": REQUEST_MAX_TOKENS,
    "max_completion_tokens": REQUEST_MAX_TOKENS,
    "max_output_tokens": REQUEST_MAX_TOKENS,
    "temperature": REQUEST_TEMPERATURE,
    "top_p": REQUEST_TOP_P,
    "top_k": REQUEST_TOP_K,
    "stop": REQUEST_STOP_SEQUENCES,
    "stop_sequences": REQUEST_STOP_SEQUENCES,
    "seed": REQUEST_SEED,
    "frequency_penalty": REQUEST_FREQUENCY_PENALTY,
    "presence_penalty": REQUEST_PRESENCE_PENALTY,
}


def from_openinference(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """GenAI-convention attributes for OpenInference ones (``llm.*``); other keys pass unchanged.

    ``llm.token_count.total`` and ``openinference.span.kind`` are dropped (derivable / not ours);
    ``llm.invocation_parameters`` (a JSON object) is spread into ``gen_ai.request.*``.
    """
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if key in ("llm.token_count.total", "openinference.span.kind"):
            continue
        if key == "llm.invocation_parameters":
            out.update(_invocation_parameters(value))
            continue
        out[_OPENINFERENCE.get(key, key)] = value
    return out


def _invocation_parameters(value: Any) -> dict[str, Any]:
    import json

    params = value
    if isinstance(value, str):
        try:
            params = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(params, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, name in _INVOCATION_PARAMETERS.items():
        v = params.get(key)
        if v is None:
            continue
        if name == REQUEST_STOP_SEQUENCES and isinstance(v, str):
            v = [v]
        elif name == REQUEST_TOP_K and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)  # a double in the conventions' registry
        out[name] = v
    return out
