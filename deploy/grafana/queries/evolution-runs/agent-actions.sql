SELECT timestamp, agent, action_type, details, run_id, trace_id
FROM agent_actions WHERE $__timeFilter(timestamp) AND (run_id = '' OR $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run))
ORDER BY timestamp DESC LIMIT 200
